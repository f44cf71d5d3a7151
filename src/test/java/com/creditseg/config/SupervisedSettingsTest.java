package com.creditseg.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.config.SupervisedSettings.Boosting;
import com.creditseg.config.SupervisedSettings.Challenger;
import com.creditseg.config.SupervisedSettings.Engine;
import com.creditseg.config.SupervisedSettings.Forest;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** model.supervised: the tree challengers' hyperparameters, their defaults and their checks. */
class SupervisedSettingsTest {
  private static SupervisedSettings load(String... overrides) {
    return new SettingsLoader()
        .load(List.of(), List.of(overrides), LocalDate.of(2026, 3, 14))
        .supervised();
  }

  private static String error(String... overrides) {
    return assertThrows(InvalidSettingsException.class, () -> load(overrides)).getMessage();
  }

  @Test
  void challengerHyperparametersDefaultToTheValuesTheModelsWereFittedWith() {
    SupervisedSettings s = load();
    assertEquals(
        List.of(Challenger.RANDOM_FOREST, Challenger.GRADIENT_BOOSTED_TREES), s.challengers());
    assertEquals(new Forest(50, 6, 20, 0.632, Engine.XGBOOST), s.randomForest());
    assertEquals(new Boosting(20, 4, 0.1, Engine.XGBOOST), s.gradientBoostedTrees());
  }

  @Test
  void challengerHyperparametersAreReadFromTheirBlocks() {
    SupervisedSettings s =
        load(
            "model.supervised.random-forest.trees=200",
            "model.supervised.random-forest.max-depth=10",
            "model.supervised.random-forest.min-instances-per-node=1",
            "model.supervised.random-forest.subsample=0.8",
            "model.supervised.random-forest.engine=mllib",
            "model.supervised.gradient-boosted-trees.max-iterations=100",
            "model.supervised.gradient-boosted-trees.max-depth=3",
            "model.supervised.gradient-boosted-trees.step-size=0.05",
            "model.supervised.gradient-boosted-trees.engine=mllib");
    assertEquals(new Forest(200, 10, 1, 0.8, Engine.MLLIB), s.randomForest());
    assertEquals(new Boosting(100, 3, 0.05, Engine.MLLIB), s.gradientBoostedTrees());
  }

  @Test
  void anOutOfRangeHyperparameterIsNamedWithItsValueAndRange() {
    assertEquals(
        "model.supervised.random-forest.trees = 0 is out of range: expected 1 to 1000",
        error("model.supervised.random-forest.trees=0"));
    assertEquals(
        "model.supervised.random-forest.max-depth = 31 is out of range: expected 1 to 30",
        error("model.supervised.random-forest.max-depth=31"));
    assertEquals(
        "model.supervised.random-forest.min-instances-per-node = 0 is out of range: expected 1 to"
            + " 1000000",
        error("model.supervised.random-forest.min-instances-per-node=0"));
    assertEquals(
        "model.supervised.random-forest.subsample = 0.0 is out of range: expected 0.01 to 1.0",
        error("model.supervised.random-forest.subsample=0"));
    assertEquals(
        "model.supervised.gradient-boosted-trees.engine = 'lightgbm' is not valid: expected one of"
            + " [xgboost, mllib]",
        error("model.supervised.gradient-boosted-trees.engine=lightgbm"));
    assertEquals(
        "model.supervised.gradient-boosted-trees.max-iterations = 1001 is out of range: expected 1"
            + " to 1000",
        error("model.supervised.gradient-boosted-trees.max-iterations=1001"));
    assertEquals(
        "model.supervised.gradient-boosted-trees.max-depth = 0 is out of range: expected 1 to 30",
        error("model.supervised.gradient-boosted-trees.max-depth=0"));
    assertEquals(
        "model.supervised.gradient-boosted-trees.step-size = 1.5 is out of range: expected 0.001"
            + " to 1.0",
        error("model.supervised.gradient-boosted-trees.step-size=1.5"));
  }

  @Test
  void aHyperparameterOfTheWrongTypeOrAnUnknownOneIsRejected() {
    assertTrue(
        error("model.supervised.random-forest.trees=many")
            .startsWith("model.supervised.random-forest.trees = \"many\" is not valid"),
        error("model.supervised.random-forest.trees=many"));
    assertTrue(
        error("model.supervised.random-forest.tree=100")
            .contains("did you mean 'model.supervised.random-forest.trees'?"),
        error("model.supervised.random-forest.tree=100"));
  }
}
