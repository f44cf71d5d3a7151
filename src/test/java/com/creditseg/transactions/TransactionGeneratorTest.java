package com.creditseg.transactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.SettingsLoader;
import com.creditseg.config.TransactionSettings;
import com.creditseg.schema.TransactionSchema;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class TransactionGeneratorTest {

  private static Dataset<Row> generate(String... overrides) {
    List<String> all = new ArrayList<>(List.of("transactions.generate.customers=300"));
    all.addAll(List.of(overrides));
    TransactionSettings.Generate g =
        new SettingsLoader()
            .loadRfm(List.of(), all, LocalDate.of(2026, 1, 31))
            .transactions()
            .generate();
    return new TransactionGenerator(SharedSpark.spark(), g).generate();
  }

  @Test
  void theSameSeedGivesTheSameTransactionsWhateverThePartitionCount() {
    Dataset<Row> one = generate("transactions.generate.partitions=1");
    Dataset<Row> five = generate("transactions.generate.partitions=5");
    long rows = one.count();
    assertTrue(rows > 1000, "rows: " + rows);
    assertEquals(rows, five.count());
    assertEquals(0, one.exceptAll(five).count());
    assertEquals(0, five.exceptAll(one).count());
  }

  @Test
  void anotherSeedGivesOtherTransactions() {
    Dataset<Row> a = generate("transactions.generate.seed=1");
    Dataset<Row> b = generate("transactions.generate.seed=2");
    assertNotEquals(0, a.exceptAll(b).count());
  }

  @Test
  void historiesHaveReturnsAndCustomersWhoStopBuying() {
    Dataset<Row> rows = generate().cache();
    assertEquals(TransactionGenerator.SCHEMA.fieldNames().length, rows.columns().length, "columns");
    long cancellations =
        rows.filter(functions.col(TransactionSchema.TRANSACTION_ID).startsWith("C")).count();
    long negative = rows.filter(functions.col(TransactionSchema.QUANTITY).lt(0)).count();
    assertTrue(cancellations > 0, "cancellations");
    assertEquals(cancellations, negative, "every cancellation line has a negative quantity");
    // Churn: some customers' last purchase is long before the end of the window (2025-12-31).
    Row last =
        rows.groupBy(TransactionSchema.CUSTOMER_ID)
            .agg(functions.max(TransactionSchema.TRANSACTION_TIME).as("last"))
            .agg(
                functions.sum(
                    functions.when(functions.col("last").lt("2025-07-01"), 1).otherwise(0)),
                functions.count(functions.lit(1)))
            .first();
    assertTrue(last.getLong(0) > 0 && last.getLong(0) < last.getLong(1), "churned: " + last);
    assertEquals(0, rows.filter(functions.col(TransactionSchema.CUSTOMER_ID).isNull()).count());
    rows.unpersist();
  }

  @Test
  void faultsAreInjectedAtTheirRate() {
    Dataset<Row> rows = generate("transactions.generate.fault-rate=0.2");
    long total = rows.count();
    long faulty =
        rows.filter(
                functions
                    .col(TransactionSchema.CUSTOMER_ID)
                    .isNull()
                    .or(functions.col(TransactionSchema.UNIT_PRICE).equalTo(0))
                    .or(functions.col(TransactionSchema.TRANSACTION_TIME).isNull()))
            .count();
    double share = (double) faulty / total;
    assertTrue(share > 0.15 && share < 0.25, "fault share " + share);
  }
}
