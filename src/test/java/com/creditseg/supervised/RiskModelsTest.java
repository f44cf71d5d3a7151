package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.SettingsLoader;
import com.creditseg.config.SupervisedSettings;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The supervised fit's two phases: the scorecard at once, the rest until finish or close. */
@ExtendWith(SharedSpark.class)
class RiskModelsTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("credit_score", DataTypes.IntegerType)
          .add("x", DataTypes.DoubleType)
          .add("defaulted", DataTypes.IntegerType);

  /**
   * 2,000 customers: x = 1..10, 200 each; of every ten with the same x, 5 - x/2 (rounded down)
   * defaulted, so the default rate falls as x grows; the rule score rises with x.
   */
  private static Dataset<Row> labelled() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      int x = i % 10 + 1;
      int label = (i / 10) % 10 < 5 - x / 2 ? 1 : 0;
      rows.add(RowFactory.create(String.format("c%04d", i), 300 + 50 * x, (double) x, label));
    }
    return SharedSpark.spark().createDataFrame(rows, SCHEMA);
  }

  private static SupervisedSettings settings() {
    return new SettingsLoader().load(List.of(), List.of(), LocalDate.of(2026, 1, 31)).supervised();
  }

  @Test
  void closingAFitBeforeItFinishesCancelsWhatStillRunsAndReleasesItsData() throws Exception {
    SparkContext sc = SharedSpark.spark().sparkContext();
    Set<Integer> cachedBefore = Set.copyOf(persistentIds(sc));
    Dataset<Row> data = labelled().cache();
    RiskModels.Features features = new RiskModels.Features(List.of("x"), List.of());
    RiskModels.Fitting fitting =
        new RiskModels(settings()).fit(data, features, 300, 850, List.of());
    List<Dataset<Row>> parts = fitting.persisted();
    try {
      // The scorecard is there before anything else is waited for: x, its only feature, kept.
      assertEquals(
          List.of("x"), fitting.scorecard().features().stream().map(f -> f.feature()).toList());
      assertEquals(2000, fitting.rows());
      for (Dataset<Row> part : parts) {
        assertTrue(
            !part.storageLevel().equals(StorageLevel.NONE()), "cached while the challengers run");
      }
    } finally {
      fitting.close();
    }
    // Cancelled jobs end on their own schedule: wait for them (not a timing assertion; a job the
    // close missed would still be running when the wait gives up).
    for (int i = 0; i < 600 && sc.statusTracker().getActiveJobIds().length > 0; i++) {
      Thread.sleep(100);
    }
    assertEquals(0, sc.statusTracker().getActiveJobIds().length, "no job left running");
    for (Dataset<Row> part : parts) {
      assertEquals(
          StorageLevel.NONE(), part.storageLevel(), "the training and held-out parts released");
    }
    // A step cancelled half-way may leave what it cached (MLlib's tree code releases its caches
    // only when it completes): in a run, the JVM ends next. Released here for the next tests.
    data.unpersist(true);
    scala.jdk.javaapi.CollectionConverters.asJava(sc.getPersistentRDDs())
        .forEach(
            (id, rdd) -> {
              if (!cachedBefore.contains((Integer) id)) {
                rdd.unpersist(true);
              }
            });
  }

  private static List<Integer> persistentIds(SparkContext sc) {
    List<Integer> ids = new ArrayList<>();
    scala.jdk.javaapi.CollectionConverters.asJava(sc.getPersistentRDDs())
        .keySet()
        .forEach(k -> ids.add((Integer) k));
    return ids;
  }
}
