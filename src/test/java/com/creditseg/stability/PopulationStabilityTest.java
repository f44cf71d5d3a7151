package com.creditseg.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.TestSettings;
import com.creditseg.config.StabilitySettings;
import com.creditseg.model.Population;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class PopulationStabilityTest {
  static final StructType SCHEMA =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("credit_score", DataTypes.IntegerType)
          .add("cluster", DataTypes.IntegerType)
          .add("segment", DataTypes.StringType)
          .add("age", DataTypes.IntegerType);

  static StabilitySettings settings(String... overrides) {
    return TestSettings.of(overrides).stability();
  }

  @Test
  void psiOfBinCountsMatchesTheFormulaByHand() {
    // shares p = (0.5, 0.3, 0.2), c = (0.3, 0.3, 0.4)
    double expected = (0.3 - 0.5) * Math.log(0.3 / 0.5) + (0.4 - 0.2) * Math.log(0.4 / 0.2);
    assertEquals(
        expected, PopulationStability.psi(new long[] {50, 30, 20}, new long[] {30, 30, 40}), 1e-12);
    assertEquals(0.2408, expected, 1e-4);
    // An empty bin counts as a share of 0.0001.
    double floored = (0.5 - 1.0) * Math.log(0.5 / 1.0) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4);
    assertEquals(floored, PopulationStability.psi(new long[] {10, 0}, new long[] {5, 5}), 1e-9);
  }

  /**
   * A population saved with a model (bin edges and counts) gives the same PSI as the run it was
   * counted from, bin for bin: what a score run compares with when it has no previous run.
   */
  @Test
  void aSavedPopulationComparesAsTheRunItCameFrom() {
    List<Row> before = new ArrayList<>();
    List<Row> after = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      before.add(RowFactory.create("C" + i, 400 + 2 * i, 0, "A", i % 70 + 18));
      after.add(RowFactory.create("C" + i, 500 + i, 0, "A", i % 50 + 30));
    }
    Dataset<Row> previous = SharedSpark.spark().createDataFrame(before, SCHEMA);
    Dataset<Row> current = SharedSpark.spark().createDataFrame(after, SCHEMA);
    PopulationStability p = new PopulationStability(settings());
    PopulationStability.Shift direct = p.shift(previous, current, 300, 850, List.of("age"));
    Population saved =
        p.reference(previous, 300, 850, List.of("credit_score", "age", "no_such_column"));
    assertEquals(200, saved.customers());
    assertEquals(
        List.of("credit_score", "age"), saved.variables().stream().map(v -> v.name()).toList());
    assertEquals(direct, p.shift(saved, current));
    assertTrue(direct.features().get(0).psi() > 0.25, direct.toString());
    assertEquals(List.of(), direct.models());
  }

  @Test
  void verdictsFollowTheConfiguredThresholds() {
    PopulationStability p = new PopulationStability(settings());
    assertEquals("stable", p.verdict(0.099));
    assertEquals("investigate", p.verdict(0.10));
    assertEquals("significant", p.verdict(0.25));
    PopulationStability strict =
        new PopulationStability(
            settings("stability.psi-investigate=0.01", "stability.psi-significant=0.05"));
    assertEquals("significant", strict.verdict(0.06));
  }

  @Test
  void scorePsiUsesTheScoreBandsAndFeaturePsiThePreviousDeciles() {
    // Previous: 100 customers, scores 50 Poor (500) / 50 Good (700); ages 1..100.
    // Current: 20 Poor / 80 Good; ages 1..100 again.
    List<Row> before = new ArrayList<>();
    List<Row> after = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      before.add(RowFactory.create("C" + i, i < 50 ? 500 : 700, 0, "A", i + 1));
      after.add(RowFactory.create("C" + i, i < 20 ? 500 : 700, 0, "A", i + 1));
    }
    Dataset<Row> previous = SharedSpark.spark().createDataFrame(before, SCHEMA);
    Dataset<Row> current = SharedSpark.spark().createDataFrame(after, SCHEMA);
    PopulationStability.Shift shift =
        new PopulationStability(settings()).shift(previous, current, 300, 850, List.of("age"));

    double expected = (0.2 - 0.5) * Math.log(0.2 / 0.5) + (0.8 - 0.5) * Math.log(0.8 / 0.5);
    assertEquals(expected, shift.score().psi(), 1e-9);
    assertEquals("significant", shift.score().verdict());
    // Five bands, three of them empty in both runs; no missing scores, so no missing bin.
    assertEquals(5, shift.score().bins().size());
    assertEquals(50, shift.score().bins().get(0).previous());
    assertEquals(20, shift.score().bins().get(0).current());
    // Ages 1..100 against their own deciles (10, 20, ..., 90): ten bins, the first 1-9, the
    // last 90-100; the same ages now, so no shift.
    PopulationStability.Psi age = shift.features().get(0);
    assertEquals("age", age.variable());
    assertEquals(10, age.bins().size());
    assertEquals("< 10.0", age.bins().get(0).bin());
    assertEquals(9, age.bins().get(0).previous());
    assertEquals(10, age.bins().get(1).previous());
    assertEquals(11, age.bins().get(9).previous());
    age.bins().forEach(b -> assertEquals(b.previous(), b.current(), age.toString()));
    assertEquals(0.0, age.psi(), 1e-12);
    assertEquals("significant", shift.verdict());
  }

  @Test
  void migrationCountsCustomersBetweenSegmentsIncludingThoseInOnlyOneRun() {
    List<Row> before = new ArrayList<>();
    List<Row> after = new ArrayList<>();
    // C0-C5 in A (cluster 0), C6-C9 in B (cluster 1). Now: C0-C3 stay in A, C4-C5 move to B,
    // C6-C8 stay in B, C9 leaves; N1 and N2 arrive in A.
    for (int i = 0; i < 10; i++) {
      before.add(RowFactory.create("C" + i, 600, i < 6 ? 0 : 1, i < 6 ? "A" : "B", 30));
      if (i < 9) {
        after.add(RowFactory.create("C" + i, 600, i < 4 ? 0 : 1, i < 4 ? "A" : "B", 30));
      }
    }
    after.add(RowFactory.create("N1", 600, 0, "A", 30));
    after.add(RowFactory.create("N2", 600, 0, "A", 30));
    List<PopulationStability.Flow> flows =
        new PopulationStability(settings())
            .migration(
                SharedSpark.spark().createDataFrame(before, SCHEMA),
                SharedSpark.spark().createDataFrame(after, SCHEMA));
    assertEquals(
        List.of(
            new PopulationStability.Flow(0, "A", 0, "A", 4, 4 / 6.0),
            new PopulationStability.Flow(0, "A", 1, "B", 2, 2 / 6.0),
            new PopulationStability.Flow(1, "B", 1, "B", 3, 3 / 4.0),
            new PopulationStability.Flow(1, "B", null, null, 1, 1 / 4.0),
            new PopulationStability.Flow(null, null, 0, "A", 2, 1.0)),
        flows);
  }
}
