package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SameFigures;
import com.creditseg.SharedSpark;
import com.creditseg.TestSettings;
import com.creditseg.config.SupervisedSettings;
import com.creditseg.sample.HoldoutSplit;
import com.creditseg.sample.IdHashSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
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
    return TestSettings.of().supervised();
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

  /**
   * 3,000 customers with two numeric features, a category and a label drawn from a logistic model
   * of them (seeded), read in the job's layout from 1 partition and from 7 in another order: every
   * model and every held-out customer's probability is the same to the last bit, and so is every
   * validation figure but the areas MLlib sums in task order (to 1e-12).
   */
  @Test
  void theSameCustomersGiveTheSameModelsWhateverTheirPartitioning() throws Exception {
    StructType schema =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("credit_score", DataTypes.IntegerType)
            .add("x1", DataTypes.DoubleType)
            .add("x2", DataTypes.DoubleType)
            .add("purpose", DataTypes.StringType)
            .add("defaulted", DataTypes.IntegerType);
    Random random = new Random(29);
    String[] purposes = {"car", "home", "education", "business"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      double x1 = random.nextGaussian();
      double x2 = random.nextGaussian();
      int purpose = random.nextInt(purposes.length);
      double z = -1.5 + 1.2 * x1 - 0.8 * x2 + 0.3 * purpose;
      int label = random.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      rows.add(
          RowFactory.create(
              String.format("c%05d", i),
              (int) Math.round(600 - 60 * x1 + 40 * x2),
              x1,
              x2,
              purposes[purpose],
              label));
    }
    Dataset<Row> data = SharedSpark.spark().createDataFrame(rows, schema);
    RiskModels.Features features = new RiskModels.Features(List.of("x1", "x2"), List.of("purpose"));
    Dataset<Row> held = data.filter(new HoldoutSplit(settings().validationShare()).isValidation());
    List<Map<String, Object>> fits = new ArrayList<>();
    for (Dataset<Row> layout :
        List.of(data.repartition(1), data.orderBy(functions.rand(7)).repartition(7))) {
      Dataset<Row> labelled = IdHashSample.stableLayout(layout, 3000).cache();
      try (RiskModels.Fitting fitting =
          new RiskModels(settings()).fit(labelled, features, 300, 850, List.of())) {
        RiskModels.Fitted fitted = fitting.finish();
        Map<String, Object> fit = new LinkedHashMap<>();
        fit.put("report", fitted.report());
        fit.put("scorecard", fitted.scorecard());
        fit.put(
            "scorecard probabilities",
            byCustomer(
                fitted
                    .binning()
                    .transform(held)
                    .withColumn("_pd", fitted.scorecard().probability())));
        fitted
            .challengers()
            .forEach((name, model) -> fit.put(name, byCustomer(model.probability(held))));
        fits.add(fit);
      } finally {
        labelled.unpersist(true);
      }
    }
    assertEquals(
        List.of(
            "report",
            "scorecard",
            "scorecard probabilities",
            "random-forest",
            "gradient-boosted-trees"),
        List.copyOf(fits.get(0).keySet()));
    for (String part : fits.get(0).keySet()) {
      if (part.equals("report")) {
        // MLlib sums the areas under the curves in the order its tasks finish: the last bits of
        // AUC, Gini and PR AUC move between two runs of the same predictions.
        SameFigures.assertSameFigures(fits.get(0).get(part), fits.get(1).get(part), part);
      } else {
        assertEquals(fits.get(0).get(part), fits.get(1).get(part), part);
      }
    }
    // Not a vacuous comparison: the held-out customers each have a probability from every model.
    long heldOut = held.count();
    assertTrue(heldOut > 600 && heldOut < 1200, "held out: " + heldOut);
    assertEquals(heldOut, ((Map<?, ?>) fits.get(0).get("random-forest")).size());
  }

  /** Each customer's {@code _pd}, to the last bit. */
  private static Map<String, Double> byCustomer(Dataset<Row> scored) {
    Map<String, Double> out = new TreeMap<>();
    scored
        .select("customer_id", "_pd")
        .collectAsList()
        .forEach(r -> out.put(r.getString(0), r.getDouble(1)));
    return out;
  }

  private static List<Integer> persistentIds(SparkContext sc) {
    List<Integer> ids = new ArrayList<>();
    scala.jdk.javaapi.CollectionConverters.asJava(sc.getPersistentRDDs())
        .keySet()
        .forEach(k -> ids.add((Integer) k));
    return ids;
  }
}
