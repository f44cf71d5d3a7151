package com.creditseg.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.creditseg.SharedSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pearson correlations on columns whose correlations are known by construction. */
@ExtendWith(SharedSpark.class)
class FeatureCorrelatorTest {
  static final StructType SCHEMA =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField("x", DataTypes.DoubleType, true),
              DataTypes.createStructField("up", DataTypes.IntegerType, true),
              DataTypes.createStructField("down", DataTypes.DoubleType, true),
              DataTypes.createStructField("flat", DataTypes.DoubleType, true),
              DataTypes.createStructField("noisy", DataTypes.DoubleType, true)));

  private static final List<String> COLUMNS = List.of("x", "up", "down", "flat", "noisy");

  /** x = 0..4 and columns made from it, then two rows with a missing value. */
  private static Dataset<Row> customers() {
    double[] noise = {1, -1, 1, -1, 1};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(RowFactory.create((double) i, 2 * i + 1, -3.0 * i, 7.0, i + noise[i]));
    }
    // Would break every correlation with x if it were not left out.
    rows.add(RowFactory.create(100.0, null, 0.0, 7.0, 0.0));
    rows.add(RowFactory.create(Double.NaN, 5, 0.0, 7.0, 0.0));
    return SharedSpark.spark().createDataFrame(rows, SCHEMA);
  }

  @Test
  void sumsSplitOverSeveralAggregationsGiveTheSameMatrix() {
    // 5 columns make 15 sums of products; with at most 4 outputs to a compiled plan they take 4
    // aggregations.
    var conf = SharedSpark.spark().conf();
    String key = "spark.sql.codegen.maxFields";
    String before = conf.get(key);
    ReportData.Correlations split;
    try {
      conf.set(key, "4");
      split = FeatureCorrelator.correlate(customers(), COLUMNS);
    } finally {
      conf.set(key, before);
    }
    assertEquals(FeatureCorrelator.correlate(customers(), COLUMNS).matrix(), split.matrix());
    assertEquals(-1.0, split.matrix().get(1).get(2));
  }

  @Test
  void knownCorrelationsIncompleteRowsLeftOut() {
    ReportData.Correlations c = FeatureCorrelator.correlate(customers(), COLUMNS);

    List<List<Double>> m = c.matrix();
    assertEquals(Arrays.asList(1.0, 1.0, -1.0, null, m.get(0).get(4)), m.get(0));
    // x = 0..4, noisy = x + (1, -1, 1, -1, 1): cov 2.5, var(x) 2.5, var(noisy) 3.7 (n - 1).
    assertEquals(2.5 / Math.sqrt(2.5 * 3.7), m.get(0).get(4), 1e-3);
    assertEquals(m.get(0).get(4), m.get(4).get(0));
    assertEquals(-1.0, m.get(1).get(2));
    assertNull(m.get(3).get(1), "a constant column correlates with nothing");
    assertEquals(1.0, m.get(3).get(3));
  }
}
