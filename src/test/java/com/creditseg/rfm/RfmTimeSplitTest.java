package com.creditseg.rfm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.SettingsLoader;
import com.creditseg.config.TransactionSettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.TransactionSchema;
import com.creditseg.transactions.TransactionGenerator;
import com.creditseg.transactions.TransactionValidator;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The loyalty model's time split: features from before the cutoff only, label from after. */
@ExtendWith(SharedSpark.class)
class RfmTimeSplitTest {

  private static Map<String, Row> atCutoff(Dataset<Row> used) {
    Map<String, Row> out = new HashMap<>();
    RfmCalculator.asOfCutoff(
            new RfmCalculator(RfmFixture.SNAPSHOT, RfmFixture.CUTOFF).aggregate(used))
        .collectAsList()
        .forEach(r -> out.put(r.getAs(TransactionSchema.CUSTOMER_ID), r));
    return out;
  }

  @Test
  void featuresAtTheCutoffAndTheLabelMatchTheHandWorkedFixture() {
    Map<String, Row> rows = atCutoff(RfmFixture.used(RfmFixture.rows()));
    assertEquals(RfmFixture.EXPECTED_AT_CUTOFF.length, rows.size(), "customers before the cutoff");
    for (Object[] e : RfmFixture.EXPECTED_AT_CUTOFF) {
      Row r = rows.get((String) e[0]);
      String who = "customer " + e[0];
      assertEquals(e[1], r.getAs(RfmCalculator.RECENCY), who + " recency");
      assertEquals(
          ((Integer) e[2]).longValue(), r.<Long>getAs(RfmCalculator.FREQUENCY), who + " frequency");
      assertEquals((double) e[3], r.<Double>getAs(RfmCalculator.MONETARY), 1e-9, who);
      assertEquals(e[4], r.getAs(RfmCalculator.TENURE), who + " tenure");
      assertEquals(((Integer) e[5]).longValue(), r.<Long>getAs(RfmCalculator.RETURNS), who);
      assertEquals(e[6], r.getAs(RfmCalculator.CAME_BACK), who + " came back");
    }
  }

  @Test
  void whatHappensAfterTheCutoffChangesTheLabelButNoFeature() {
    List<Row> more = new ArrayList<>(RfmFixture.rows());
    // B buys big after the cutoff, G returns goods after it, J's later purchase is on the cutoff
    // day itself (which belongs to after).
    RfmFixture.add(more, "B", "I-B9", "2024-06-01", 5000.0);
    RfmFixture.add(more, "G", "CG9", "2024-05-01", 40.0);
    more.add(
        RowFactory.create(
            "J", "I-J9", Timestamp.valueOf("2024-04-02 00:00:00"), 7.0, new String[0]));
    Map<String, Row> before = atCutoff(RfmFixture.used(RfmFixture.rows()));
    Map<String, Row> after = atCutoff(RfmFixture.used(more));
    assertEquals(before.keySet(), after.keySet());
    for (String c : before.keySet()) {
      for (String f : RfmCalculator.FEATURES) {
        assertEquals(before.get(c).<Object>getAs(f), after.get(c).<Object>getAs(f), c + " " + f);
      }
    }
    assertEquals(1, (int) after.get("B").<Integer>getAs(RfmCalculator.CAME_BACK));
    assertEquals(0, (int) after.get("G").<Integer>getAs(RfmCalculator.CAME_BACK), "a return");
    assertEquals(1, (int) after.get("J").<Integer>getAs(RfmCalculator.CAME_BACK));
  }

  /**
   * On generated histories: the features as of the cutoff, computed from every transaction, equal
   * RFM computed as of the cutoff from the transactions before it alone.
   */
  @Test
  void featuresAtTheCutoffEqualRfmOfTheTransactionsBeforeIt() {
    TransactionSettings.Generate g =
        new SettingsLoader()
            .loadRfm(
                List.of(),
                List.of("transactions.generate.customers=400", "transactions.generate.days=365"),
                LocalDate.of(2026, 1, 31))
            .transactions()
            .generate();
    Dataset<Row> generated =
        new TransactionGenerator(SharedSpark.spark(), g)
            .generate()
            .withColumn(
                TransactionSchema.AMOUNT,
                functions
                    .col(TransactionSchema.QUANTITY)
                    .multiply(functions.col(TransactionSchema.UNIT_PRICE)))
            .withColumn(CustomerSchema.PARSE_ERRORS, functions.array().cast("array<string>"))
            .cache();
    Dataset<Row> used =
        TransactionValidator.used(new TransactionValidator("^C", null).flag(generated));
    LocalDate snapshot = LocalDate.of(2025, 1, 1);
    LocalDate cutoff = LocalDate.of(2024, 10, 1);
    Dataset<Row> full =
        RfmCalculator.asOfCutoff(new RfmCalculator(snapshot, cutoff).aggregate(used));
    Dataset<Row> onlyBefore =
        new RfmCalculator(cutoff, cutoff.minusDays(1))
            .aggregate(
                used.filter(
                    functions
                        .col(TransactionSchema.TRANSACTION_TIME)
                        .lt(Timestamp.valueOf(cutoff.atStartOfDay()))));
    // Spend is compared to the cent: partial sums are merged in shuffle order, which moves the
    // last bits of a double between two runs of the same aggregation.
    String[] exact = {
      RfmCalculator.RECENCY, RfmCalculator.FREQUENCY, RfmCalculator.TENURE, RfmCalculator.RETURNS
    };
    Column cents =
        functions.round(functions.col(RfmCalculator.MONETARY), 2).as(RfmCalculator.MONETARY);
    Dataset<Row> a =
        full.select(functions.col(TransactionSchema.CUSTOMER_ID), cents)
            .join(full.select(TransactionSchema.CUSTOMER_ID, exact), TransactionSchema.CUSTOMER_ID);
    Dataset<Row> b =
        onlyBefore
            .select(functions.col(TransactionSchema.CUSTOMER_ID), cents)
            .join(
                onlyBefore.select(TransactionSchema.CUSTOMER_ID, exact),
                TransactionSchema.CUSTOMER_ID);
    long customers = a.count();
    assertTrue(customers > 100, "customers active before the cutoff: " + customers);
    assertEquals(customers, b.count());
    assertEquals(0, a.exceptAll(b).count(), "features differ");
    long cameBack = full.filter(functions.col(RfmCalculator.CAME_BACK).equalTo(1)).count();
    assertTrue(cameBack > 0 && cameBack < customers, "both labels occur: " + cameBack);
    generated.unpersist();
  }
}
