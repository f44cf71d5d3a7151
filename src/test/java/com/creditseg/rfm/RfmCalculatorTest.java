package com.creditseg.rfm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.creditseg.SharedSpark;
import com.creditseg.config.RfmSettings;
import com.creditseg.config.SettingsLoader;
import com.creditseg.schema.TransactionSchema;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class RfmCalculatorTest {

  private static Map<String, Row> byCustomer(Dataset<Row> rows) {
    Map<String, Row> out = new HashMap<>();
    rows.collectAsList().forEach(r -> out.put(r.getAs(TransactionSchema.CUSTOMER_ID), r));
    return out;
  }

  @Test
  void recencyFrequencyMonetaryTenureAndReturnsMatchTheHandWorkedFixture() {
    Map<String, Row> rfm =
        byCustomer(
            new RfmCalculator(RfmFixture.SNAPSHOT, RfmFixture.CUTOFF)
                .aggregate(RfmFixture.used(RfmFixture.rows())));
    assertEquals(12, rfm.size());
    for (Object[] e : RfmFixture.EXPECTED) {
      Row r = rfm.get((String) e[0]);
      String who = "customer " + e[0];
      assertEquals(e[1], r.getAs(RfmCalculator.RECENCY), who + " recency");
      assertEquals(
          ((Integer) e[2]).longValue(), r.<Long>getAs(RfmCalculator.FREQUENCY), who + " frequency");
      assertEquals((double) e[3], r.<Double>getAs(RfmCalculator.MONETARY), 1e-9, who + " monetary");
      assertEquals(e[4], r.getAs(RfmCalculator.TENURE), who + " tenure");
      assertEquals(((Integer) e[5]).longValue(), r.<Long>getAs(RfmCalculator.RETURNS), who);
    }
  }

  @Test
  void quintileScoresAndNamedSegmentsOnTheFixture() {
    RfmScorer.Scored scored =
        new RfmScorer(new RfmSegmentMap(defaultSegments()))
            .score(
                new RfmCalculator(RfmFixture.SNAPSHOT, RfmFixture.CUTOFF)
                    .aggregate(RfmFixture.used(RfmFixture.rows())));
    // Sorted recency 1 6 15 30 42 61 77 82 122 173 213 335: the exact 20/40/60/80 % quantiles.
    assertArrayEquals(new double[] {15, 42, 82, 173}, scored.boundaries().recency(), 1e-9);
    // Frequency 0 1 1 1 1 1 1 1 2 2 2 3.
    assertArrayEquals(new double[] {1, 1, 1, 2}, scored.boundaries().frequency(), 1e-9);
    // Monetary -30 5 10 40 60 60 100 150 175 900 1000 1000.
    assertArrayEquals(new double[] {10, 60, 150, 900}, scored.boundaries().monetary(), 1e-9);
    Map<String, Row> s = byCustomer(scored.customers());
    // customer -> R, F, M, segment
    Object[][] expected = {
      {"A", 5, 4, 4, "Champions"},
      {"B", 2, 1, 3, "Hibernating"},
      // C only returned goods (frequency 0): no R x F segment fits one who never bought.
      {"C", 3, 1, 1, "Returns only"},
      {"D", 2, 1, 2, "Hibernating"},
      {"E", 5, 1, 1, "New Customers"},
      {"F", 4, 4, 5, "Loyal Customers"},
      {"G", 1, 1, 2, "Hibernating"},
      {"H", 3, 5, 4, "Loyal Customers"},
      {"I", 3, 1, 1, "About to Sleep"},
      {"J", 1, 1, 5, "Hibernating"},
      {"K", 5, 4, 3, "Champions"},
      {"L", 4, 1, 2, "Promising"},
    };
    for (Object[] e : expected) {
      Row r = s.get((String) e[0]);
      String who = "customer " + e[0];
      assertEquals(e[1], r.getAs(RfmScorer.R_SCORE), who + " R");
      assertEquals(e[2], r.getAs(RfmScorer.F_SCORE), who + " F");
      assertEquals(e[3], r.getAs(RfmScorer.M_SCORE), who + " M");
      assertEquals(e[4], r.getAs(RfmScorer.SEGMENT), who + " segment");
      assertEquals("" + e[1] + e[2] + e[3], r.getAs(RfmScorer.CELL));
      assertEquals((int) e[1] + (int) e[2] + (int) e[3], (int) r.<Integer>getAs(RfmScorer.SCORE));
    }
  }

  @Test
  void equalValuesAlwaysGetEqualScores() {
    List<Row> rows = new ArrayList<>();
    int[] frequency = {1, 1, 1, 1, 1, 1, 2, 3, 4, 5};
    for (int i = 0; i < frequency.length; i++) {
      rows.add(RowFactory.create("c" + i, 10 - i, frequency[i], 10.0 * (i + 1)));
    }
    Dataset<Row> table =
        SharedSpark.spark()
            .createDataFrame(
                rows,
                DataTypes.createStructType(
                    List.of(
                        DataTypes.createStructField("customer_id", DataTypes.StringType, false),
                        DataTypes.createStructField(
                            RfmCalculator.RECENCY, DataTypes.IntegerType, false),
                        DataTypes.createStructField(
                            RfmCalculator.FREQUENCY, DataTypes.IntegerType, false),
                        DataTypes.createStructField(
                            RfmCalculator.MONETARY, DataTypes.DoubleType, false))))
            .repartition(3);
    RfmScorer.Scored scored = new RfmScorer(new RfmSegmentMap(defaultSegments())).score(table);
    assertArrayEquals(new double[] {1, 1, 1, 3}, scored.boundaries().frequency(), 1e-9);
    // Evenly spread values fill the five scores two by two.
    assertArrayEquals(new double[] {20, 40, 60, 80}, scored.boundaries().monetary(), 1e-9);
    Map<String, Row> s = byCustomer(scored.customers());
    int[] expectedF = {1, 1, 1, 1, 1, 1, 4, 4, 5, 5};
    int[] expectedM = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    int[] expectedR = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    for (int i = 0; i < frequency.length; i++) {
      Row r = s.get("c" + i);
      assertEquals(expectedF[i], (int) r.<Integer>getAs(RfmScorer.F_SCORE), "F of c" + i);
      assertEquals(expectedM[i], (int) r.<Integer>getAs(RfmScorer.M_SCORE), "M of c" + i);
      assertEquals(expectedR[i], (int) r.<Integer>getAs(RfmScorer.R_SCORE), "R of c" + i);
    }
  }

  @Test
  void theCutoffMustComeBeforeTheSnapshot() {
    LocalDate day = LocalDate.of(2024, 7, 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new RfmCalculator(day, day));
    assertEquals("The cutoff 2024-07-01 must be before the snapshot 2024-07-01", e.getMessage());
  }

  static List<RfmSettings.NamedSegment> defaultSegments() {
    return new SettingsLoader()
        .loadRfm(List.of(), List.of(), LocalDate.of(2026, 1, 31))
        .rfm()
        .segments();
  }
}
