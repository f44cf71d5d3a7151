package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.SettingsLoader;
import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Challenger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The tree challengers are fitted with the hyperparameters of model.supervised. */
@ExtendWith(SharedSpark.class)
class ChallengersTest {
  private static final List<String> HYPERPARAMETERS =
      List.of(
          "model.supervised.random-forest.trees=3",
          "model.supervised.random-forest.max-depth=2",
          "model.supervised.random-forest.min-instances-per-node=5",
          "model.supervised.random-forest.subsample=0.5",
          "model.supervised.gradient-boosted-trees.max-iterations=4",
          "model.supervised.gradient-boosted-trees.max-depth=3",
          "model.supervised.gradient-boosted-trees.step-size=0.5");

  private static final RiskModels.Features FEATURES =
      new RiskModels.Features(List.of("x"), List.of("purpose"));

  /** 200 customers: x = 0..9, with a missing value every 20th; x below 3 defaulted. */
  private static Dataset<Row> train() {
    StructType schema =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("x", DataTypes.DoubleType)
            .add("purpose", DataTypes.StringType)
            .add(TrainingPart.LABEL, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Double x = i % 20 == 0 ? null : (double) (i % 10);
      rows.add(
          RowFactory.create(
              String.format("c%03d", i), x, i % 2 == 0 ? "car" : "home", i % 10 < 3 ? 1.0 : 0.0));
    }
    return SharedSpark.spark().createDataFrame(rows, schema);
  }

  private static SupervisedSettings settings(String... more) {
    List<String> overrides = new ArrayList<>(HYPERPARAMETERS);
    overrides.addAll(List.of(more));
    return new SettingsLoader().load(List.of(), overrides, LocalDate.of(2026, 3, 14)).supervised();
  }

  @Test
  void theConfiguredHyperparametersReachMllibsTrees() {
    Challengers challengers =
        new Challengers(
            settings(
                "model.supervised.random-forest.engine=mllib",
                "model.supervised.gradient-boosted-trees.engine=mllib"));
    Dataset<Row> train = train();

    ChallengerModel forest = challengers.fit(Challenger.RANDOM_FOREST, FEATURES, train);
    RandomForestClassificationModel rf = (RandomForestClassificationModel) last(forest);
    assertEquals(3, rf.getNumTrees());
    assertEquals(2, rf.getMaxDepth());
    assertEquals(5, rf.getMinInstancesPerNode());
    assertEquals(TrainingPart.SEED, rf.getSeed());

    ChallengerModel boosted = challengers.fit(Challenger.GRADIENT_BOOSTED_TREES, FEATURES, train);
    GBTClassificationModel gbt = (GBTClassificationModel) last(boosted);
    assertEquals(4, gbt.getNumTrees());
    assertEquals(3, gbt.getMaxDepth());
    assertEquals(0.5, gbt.getStepSize(), 0.0);

    assertEveryCustomerScored(boosted, train);
  }

  @Test
  void theConfiguredHyperparametersReachXgboost() throws Exception {
    Challengers challengers = new Challengers(settings());
    // 60 of the 200 customers defaulted: every customer's hessian in the forest's one round is
    // 0.3 * 0.7, and at least 5 customers in a child is a hessian sum of 4.5 of them. Two
    // features: the square root of their count, rounded up, is both.
    Map<String, Object> forest = challengers.params(Challenger.RANDOM_FOREST, 2, 0.3);
    assertEquals(3, forest.get("num_parallel_tree"));
    assertEquals(2, forest.get("max_depth"));
    assertEquals(1.0, forest.get("eta"));
    assertEquals(0.0, forest.get("lambda"));
    assertEquals(0.3, forest.get("base_score"));
    assertEquals(4.5 * 0.3 * 0.7, (double) forest.get("min_child_weight"), 1e-12);
    assertEquals(0.5, forest.get("subsample"));
    assertEquals(1.0, forest.get("colsample_bynode"));
    assertEquals((int) TrainingPart.SEED, forest.get("seed"));
    Map<String, Object> boosting = challengers.params(Challenger.GRADIENT_BOOSTED_TREES, 2, 0.3);
    assertEquals(3, boosting.get("max_depth"));
    assertEquals(0.5, boosting.get("eta"));
    assertEquals("binary:logistic", boosting.get("objective"));
    assertEquals("hist", boosting.get("tree_method"));

    Dataset<Row> train = train();
    XgboostChallenger rf =
        (XgboostChallenger) challengers.fit(Challenger.RANDOM_FOREST, FEATURES, train);
    assertEquals(List.of("x", "_idx_purpose"), rf.columns());
    assertEquals(1, booster(rf).getNumBoostedRound());
    XgboostChallenger gbt =
        (XgboostChallenger) challengers.fit(Challenger.GRADIENT_BOOSTED_TREES, FEATURES, train);
    assertEquals(4, booster(gbt).getNumBoostedRound());

    assertEveryCustomerScored(rf, train);
    assertEveryCustomerScored(gbt, train);
  }

  @Test
  void anXgboostChallengerSavedAndLoadedScoresAsBefore(@TempDir Path dir) throws Exception {
    Dataset<Row> train = train();
    XgboostChallenger gbt =
        (XgboostChallenger)
            new Challengers(settings()).fit(Challenger.GRADIENT_BOOSTED_TREES, FEATURES, train);
    String path = dir.resolve("gradient-boosted-trees").toString();
    gbt.write().save(path);
    // XGBoost reads the trees back from their JSON file, as any binding would.
    assertEquals(4, XGBoost.loadModel(path + "/xgboost.json").getNumBoostedRound());
    assertTrue(Files.exists(dir.resolve("gradient-boosted-trees/categories/metadata")));

    XgboostChallenger loaded = XgboostChallenger.load(path);
    assertEquals(gbt.columns(), loaded.columns());
    assertEquals(pd(gbt, train), pd(loaded, train));
  }

  /** Every customer, the ones with a missing x too, gets a probability of default. */
  private static void assertEveryCustomerScored(ChallengerModel model, Dataset<Row> data) {
    List<Double> pd = pd(model, data);
    assertEquals(200, pd.size());
    for (double p : pd) {
      assertTrue(p > 0 && p < 1, "pd " + p);
    }
    // x below 3 defaulted: the trees rank a defaulter (x = 1) above a non-defaulter (x = 5).
    assertTrue(pd.get(1) > pd.get(5), "pd " + pd.subList(0, 10));
  }

  private static List<Double> pd(ChallengerModel model, Dataset<Row> data) {
    return model
        .probability(data)
        .orderBy("customer_id")
        .select(TrainingPart.PD)
        .collectAsList()
        .stream()
        .map(r -> r.getDouble(0))
        .toList();
  }

  private static Booster booster(XgboostChallenger model) throws Exception {
    return XGBoost.loadModel(model.booster());
  }

  private static Object last(ChallengerModel model) {
    PipelineModel pipeline = ((MllibChallenger) model).pipeline();
    return pipeline.stages()[pipeline.stages().length - 1];
  }
}
