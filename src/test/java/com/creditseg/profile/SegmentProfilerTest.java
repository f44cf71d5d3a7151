package com.creditseg.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.creditseg.SharedSpark;
import com.creditseg.config.SettingsLoader;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Profiles of two segments with hand-computed statistics. */
@ExtendWith(SharedSpark.class)
class SegmentProfilerTest {
  static final StructType SCHEMA =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField("customer_id", DataTypes.StringType, false),
              DataTypes.createStructField("credit_score", DataTypes.IntegerType, false),
              DataTypes.createStructField("annual_income", DataTypes.DoubleType, false),
              DataTypes.createStructField("defaulted", DataTypes.IntegerType, false),
              DataTypes.createStructField("segment_rank", DataTypes.IntegerType, false)));

  /** Rank 1 "Poor" (cluster 1) and rank 2 "Good" (cluster 0); rank 3 has no customers. */
  static final List<ClusterLabel> LABELS =
      List.of(
          new ClusterLabel(0, 2, "Good", 700),
          new ClusterLabel(1, 1, "Poor", 450),
          new ClusterLabel(2, 3, "Excellent", 820));

  static Dataset<Row> segmented() {
    List<Row> rows = new ArrayList<>();
    // Poor: scores 400..480, incomes 10k..50k, 2 of 5 defaulted.
    for (int i = 0; i < 5; i++) {
      rows.add(RowFactory.create("p" + i, 400 + 20 * i, 10_000.0 * (i + 1), i < 2 ? 1 : 0, 1));
    }
    // Good: scores 700..790, incomes 100k..145k, none defaulted.
    for (int i = 0; i < 10; i++) {
      rows.add(RowFactory.create("g" + i, 700 + 10 * i, 100_000.0 + 5_000 * i, 0, 2));
    }
    return SharedSpark.spark().createDataFrame(rows, SCHEMA);
  }

  static SegmentProfiler profiler() {
    return new SegmentProfiler(
        SharedSpark.spark(),
        List.of("credit_score", "annual_income"),
        LABELS,
        new SettingsLoader().load(List.of(), List.of(), LocalDate.of(2026, 1, 31)).profile());
  }

  @Test
  void profilesEverySegmentWithCustomersRiskiestFirst() {
    List<Row> profiles = profiler().profile(segmented()).collectAsList();

    assertEquals(2, profiles.size(), "the empty segment has no row");
    Row poor = profiles.get(0);
    assertEquals(1, poor.<Integer>getAs("segment_rank"));
    assertEquals("Poor", poor.getAs("segment"));
    assertEquals(1, poor.<Integer>getAs("cluster"));
    assertEquals(5L, poor.<Long>getAs("customers"));
    assertEquals(5.0 / 15, poor.<Double>getAs("share"), 1e-12);
    assertEquals(440.0, poor.<Double>getAs("credit_score_mean"), 1e-9);
    assertEquals(400.0, poor.<Double>getAs("credit_score_min"));
    assertEquals(420.0, poor.<Double>getAs("credit_score_p25"));
    assertEquals(440.0, poor.<Double>getAs("credit_score_p50"));
    assertEquals(460.0, poor.<Double>getAs("credit_score_p75"));
    assertEquals(480.0, poor.<Double>getAs("credit_score_max"));
    assertEquals(30_000.0, poor.<Double>getAs("annual_income_mean"), 1e-9);
    assertEquals(30_000.0, poor.<Double>getAs("annual_income_p50"));
    assertEquals(0.4, poor.<Double>getAs("default_rate"), 1e-12);
    assertEquals("low annual income", poor.getAs("description"));

    Row good = profiles.get(1);
    assertEquals("Good", good.getAs("segment"));
    assertEquals(10L, good.<Long>getAs("customers"));
    assertEquals(745.0, good.<Double>getAs("credit_score_mean"), 1e-9);
    assertEquals(122_500.0, good.<Double>getAs("annual_income_mean"), 1e-9);
    assertEquals(0.0, good.<Double>getAs("default_rate"));
    assertEquals("high annual income", good.getAs("description"));
  }

  @Test
  void countsAndMeansFromEveryoneQuartilesFromTheSample() {
    Dataset<Row> segmented = segmented();
    // The sample: the Poor customers scoring 440 and up, and Good's first five.
    Dataset<Row> sample =
        segmented.filter("customer_id in ('p2', 'p3', 'p4', 'g0', 'g1', 'g2', 'g3', 'g4')");

    List<Row> profiles = profiler().profile(segmented, sample).collectAsList();

    Row poor = profiles.get(0);
    assertEquals(5L, poor.<Long>getAs("customers"));
    assertEquals(440.0, poor.<Double>getAs("credit_score_mean"), 1e-9);
    assertEquals(400.0, poor.<Double>getAs("credit_score_min"));
    assertEquals(440.0, poor.<Double>getAs("credit_score_p25"));
    assertEquals(460.0, poor.<Double>getAs("credit_score_p50"));
    assertEquals(480.0, poor.<Double>getAs("credit_score_p75"));
    Row good = profiles.get(1);
    assertEquals(10L, good.<Long>getAs("customers"));
    assertEquals(790.0, good.<Double>getAs("credit_score_max"));
    assertEquals(720.0, good.<Double>getAs("credit_score_p50"));
  }

  @Test
  void aSegmentMissingFromTheSampleHasNoQuartiles() {
    Dataset<Row> segmented = segmented();
    List<Row> profiles =
        profiler().profile(segmented, segmented.filter("segment_rank = 2")).collectAsList();

    assertEquals(5L, profiles.get(0).<Long>getAs("customers"));
    assertNull(profiles.get(0).getAs("credit_score_p50"));
    assertEquals(745.0, profiles.get(1).<Double>getAs("credit_score_mean"), 1e-9);
  }

  @Test
  void defaultRateIsNullWithoutALabel() {
    List<Row> profiles = profiler().profile(segmented().drop("defaulted")).collectAsList();

    assertNull(profiles.get(0).getAs("default_rate"));
    assertEquals(5L, profiles.get(0).<Long>getAs("customers"));
  }
}
