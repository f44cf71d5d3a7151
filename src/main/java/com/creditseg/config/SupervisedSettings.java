package com.creditseg.config;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code model.supervised.*}: whether and how a run fits supervised risk models on a default label
 * (a weight-of-evidence scorecard and tree challengers), how customers are split for an honest
 * validation, and how the scorecard's points are scaled.
 *
 * @param enabled whether to fit: auto (when the label column is in the input), on, or off
 * @param label the 0/1 label column, 1 = defaulted
 * @param features the columns offered to the models; empty means every numeric and categorical
 *     input column but the id, the label, the score and the protected attributes
 * @param sampleRows labelled customers (at most) the models are fitted and validated on, chosen by
 *     a hash of their id
 * @param validationShare share of those held out for validation, by a second hash of the id
 * @param challengers the tree models fitted beside the scorecard, each at most once
 * @param randomForest the random-forest challenger's hyperparameters
 * @param gradientBoostedTrees the gradient-boosted-trees challenger's hyperparameters
 */
public record SupervisedSettings(
    Enabled enabled,
    String label,
    List<String> features,
    long sampleRows,
    double validationShare,
    Binning binning,
    Points points,
    int maxReasonCodes,
    List<Challenger> challengers,
    Forest randomForest,
    Boosting gradientBoostedTrees,
    Balance balance,
    boolean compareBalance,
    Costs costs,
    int crossValidationFolds,
    long crossValidateBelowRows) {

  /** Whether supervised models are fitted. */
  public enum Enabled {
    AUTO,
    ON,
    OFF
  }

  /** The tree models fitted beside the scorecard, on the raw features. */
  public enum Challenger {
    RANDOM_FOREST("random-forest"),
    GRADIENT_BOOSTED_TREES("gradient-boosted-trees");

    private final String key;

    Challenger(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /** What fits a tree challenger: see docs/supervised-models.md for why each kind has its own. */
  public enum Engine {
    /** XGBoost's Java API (its native histogram method), trained on the driver. */
    XGBOOST,
    /** MLlib's classifier, a Spark job per tree level. */
    MLLIB
  }

  /**
   * {@code model.supervised.random-forest}: a random forest.
   *
   * @param trees trees in the forest
   * @param maxDepth levels below each tree's root
   * @param minInstancesPerNode a split leaving fewer customers on either side is not made
   * @param subsample with XGBoost: the share of the training customers each tree is grown on, drawn
   *     without replacement (MLlib draws a bootstrap sample)
   * @param engine XGBoost (its random-forest mode) or MLlib's RandomForestClassifier
   */
  public record Forest(
      int trees, int maxDepth, int minInstancesPerNode, double subsample, Engine engine) {

    /**
     * The share of {@code features} features each split chooses from: the square root of their
     * count, rounded up, as MLlib's forest does.
     */
    public static double featureShare(int features) {
      // XGBoost draws floor(share * features) of them: half a feature over the count wanted keeps
      // the floor from rounding it down.
      return Math.min(1, (Math.ceil(Math.sqrt(features)) + 0.5) / features);
    }
  }

  /**
   * {@code model.supervised.gradient-boosted-trees}: gradient-boosted trees on the log loss.
   *
   * @param maxIterations boosting rounds, one tree each
   * @param maxDepth levels below each tree's root
   * @param stepSize the learning rate: the share of each round's tree that is added
   * @param engine XGBoost or MLlib's GBTClassifier
   */
  public record Boosting(int maxIterations, int maxDepth, double stepSize, Engine engine) {}

  /** What is done about the rarity of defaults in the training part. */
  public enum Balance {
    NONE,
    /** Defaulters weigh non-defaulters / defaulters through the models' weightCol. */
    WEIGHTS,
    /** Defaulters of the training part drawn again, with replacement, until the classes match. */
    OVERSAMPLE
  }

  /**
   * Weight-of-evidence binning.
   *
   * @param quantileBins pre-bins per numeric feature, by quantiles of the training part
   * @param minBinShare every bin but the missing and special ones holds at least this share
   * @param trend the direction the default rate must take as a numeric feature grows
   * @param specialValues numeric values that get a bin of their own (codes such as -1 or 999)
   * @param minIv features whose information value is below this are dropped
   * @param smoothing added to the events and non-events of every bin before WoE is taken, so that a
   *     bin without events (or without non-events) has a finite WoE
   */
  public record Binning(
      int quantileBins,
      double minBinShare,
      Trend trend,
      List<Double> specialValues,
      double minIv,
      double smoothing,
      double maxIv) {}

  /** The default rate's direction across a numeric feature's bins. */
  public enum Trend {
    AUTO,
    ASCENDING,
    DESCENDING
  }

  /**
   * Points scaling: {@code points} at {@code odds} good:bad, and {@code pdo} more points double the
   * odds.
   */
  public record Points(double points, double odds, double pdo) {}

  /** Costs of the two errors; the cutoff minimises their sum on the held-out customers. */
  public record Costs(double missedDefault, double refusedGood) {}

  static SupervisedSettings from(Config config, Set<String> protectedAttributes) {
    String p = "model.supervised.";
    Enabled enabled =
        switch (Checks.oneOf(config, p + "enabled", List.of("auto", "true", "false"))) {
          case "true" -> Enabled.ON;
          case "false" -> Enabled.OFF;
          default -> Enabled.AUTO;
        };
    String label = Checks.nonEmpty(config, p + "label", "the 0/1 default label column");
    return new SupervisedSettings(
        enabled,
        label,
        features(config, label, protectedAttributes),
        Checks.longAtLeast(config, p + "sample-rows", 100),
        Checks.doubleIn(config, p + "validation-share", 0.05, 0.95),
        binning(config),
        new Points(
            Checks.doubleIn(config, p + "scorecard.points", -1e6, 1e6),
            Checks.doubleIn(config, p + "scorecard.odds", 1e-6, 1e6),
            Checks.doubleIn(config, p + "scorecard.pdo", 1e-6, 1e6)),
        Checks.intIn(config, p + "max-reason-codes", 0, 10),
        challengers(config),
        new Forest(
            Checks.intIn(config, p + "random-forest.trees", 1, 1000),
            Checks.intIn(config, p + "random-forest.max-depth", 1, 30),
            Checks.intIn(config, p + "random-forest.min-instances-per-node", 1, 1_000_000),
            Checks.doubleIn(config, p + "random-forest.subsample", 0.01, 1),
            engine(config, p + "random-forest.engine")),
        new Boosting(
            Checks.intIn(config, p + "gradient-boosted-trees.max-iterations", 1, 1000),
            Checks.intIn(config, p + "gradient-boosted-trees.max-depth", 1, 30),
            Checks.doubleIn(config, p + "gradient-boosted-trees.step-size", 0.001, 1),
            engine(config, p + "gradient-boosted-trees.engine")),
        Balance.valueOf(
            Checks.oneOf(config, p + "balance", List.of("none", "weights", "oversample"))
                .toUpperCase(Locale.ROOT)),
        Checks.read(config, p + "compare-balance", () -> config.getBoolean(p + "compare-balance")),
        new Costs(
            Checks.doubleIn(config, p + "costs.missed-default", 1e-9, 1e9),
            Checks.doubleIn(config, p + "costs.refused-good", 1e-9, 1e9)),
        Checks.intIn(config, p + "cross-validation.folds", 2, 20),
        Checks.longAtLeast(config, p + "cross-validation.below-rows", 0));
  }

  /** A challenger's engine: xgboost or mllib. */
  private static Engine engine(Config config, String key) {
    return Engine.valueOf(
        Checks.oneOf(config, key, List.of("xgboost", "mllib")).toUpperCase(Locale.ROOT));
  }

  /** model.supervised.features: neither a protected attribute nor the label. */
  private static List<String> features(
      Config config, String label, Set<String> protectedAttributes) {
    String p = "model.supervised.";
    List<String> features =
        Checks.read(config, p + "features", () -> config.getStringList(p + "features"));
    for (String f : features) {
      if (protectedAttributes.contains(f)) {
        throw new InvalidSettingsException(
            p
                + "features names '"
                + f
                + "', a protected attribute (score.protected-attributes): it may never be a model"
                + " input");
      }
      if (f.equals(label)) {
        throw new InvalidSettingsException(
            p + "features names '" + f + "', the label (" + p + "label)");
      }
    }
    return List.copyOf(features);
  }

  private static Binning binning(Config config) {
    String p = "model.supervised.";
    List<Double> special =
        Checks.read(
            config,
            p + "binning.special-values",
            () -> config.getDoubleList(p + "binning.special-values"));
    Binning binning =
        new Binning(
            Checks.intIn(config, p + "binning.quantile-bins", 2, 100),
            Checks.doubleIn(config, p + "binning.min-bin-share", 0, 0.5),
            Trend.valueOf(
                Checks.oneOf(
                        config, p + "binning.trend", List.of("auto", "ascending", "descending"))
                    .toUpperCase(Locale.ROOT)),
            List.copyOf(special),
            Checks.doubleIn(config, p + "binning.min-iv", 0, 10),
            Checks.doubleIn(config, p + "binning.smoothing", 1e-6, 10),
            Checks.doubleIn(config, p + "max-iv", 0, 1000));
    if (binning.maxIv() <= binning.minIv()) {
      throw new InvalidSettingsException(
          p
              + "max-iv = "
              + binning.maxIv()
              + " is not valid: it must be above "
              + p
              + "binning.min-iv = "
              + binning.minIv());
    }
    return binning;
  }

  /** model.supervised.challengers, each named at most once (a repeat is ignored). */
  private static List<Challenger> challengers(Config config) {
    String p = "model.supervised.";
    List<String> keys =
        Checks.read(config, p + "challengers", () -> config.getStringList(p + "challengers"));
    List<Challenger> challengers = new ArrayList<>();
    for (String key : keys) {
      Challenger c =
          Arrays.stream(Challenger.values())
              .filter(v -> v.key().equals(key))
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidSettingsException(
                          String.format(
                              "%schallengers has '%s': expected random-forest or"
                                  + " gradient-boosted-trees",
                              p, key)));
      if (!challengers.contains(c)) {
        challengers.add(c);
      }
    }
    return List.copyOf(challengers);
  }
}
