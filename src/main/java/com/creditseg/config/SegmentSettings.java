package com.creditseg.config;

import com.creditseg.schema.CustomerSchema;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.spark.sql.types.DataType;

/**
 * {@code segment.*}: clustering features, k (fixed, or chosen over [minK, maxK] when {@code auto}),
 * the KMeans budget and the labels per k, riskiest first.
 */
public record SegmentSettings(
    List<String> features,
    Map<String, Double> featureWeights,
    boolean autoK,
    int k,
    int minK,
    int maxK,
    int seeds,
    long seed,
    int maxIterations,
    double tolerance,
    int fitSampleRows,
    int silhouetteSampleRows,
    double clipLow,
    double clipHigh,
    double minSize,
    Map<Integer, List<String>> labels) {

  /** The k values to fit: just {@code k}, or the auto range. */
  public List<Integer> candidateKs() {
    if (!autoK) {
      return List.of(k);
    }
    return IntStream.rangeClosed(minK, maxK).boxed().toList();
  }

  /** {@code typeOf}: a column's type, canonical or declared extra; null for an unknown name. */
  static SegmentSettings from(Config config, Function<String, DataType> typeOf) {
    List<String> features =
        Checks.read(config, "segment.features", () -> config.getStringList("segment.features"));
    if (features.isEmpty()) {
      throw new InvalidSettingsException("segment.features is empty: name at least one column");
    }
    if (features.size() != features.stream().distinct().count()) {
      throw new InvalidSettingsException("segment.features = " + features + " repeats a column");
    }
    String rawK = config.getValue("segment.k").unwrapped().toString().trim();
    boolean auto = rawK.equals("auto");
    int k = auto ? 0 : fixedK(rawK);
    int minK = Checks.intIn(config, "segment.auto.min-k", 2, 100);
    int maxK = Checks.intIn(config, "segment.auto.max-k", 2, 100);
    if (auto && minK > maxK) {
      throw new InvalidSettingsException(
          "segment.auto.min-k = " + minK + " is above segment.auto.max-k = " + maxK);
    }
    Map<Integer, List<String>> labels = labels(config);
    Map<String, Double> weights = weights(config, features, typeOf);
    List<Double> clip =
        Checks.read(
            config, "segment.clip-quantiles", () -> config.getDoubleList("segment.clip-quantiles"));
    if (clip.size() != 2
        || !(clip.get(0) >= 0 && clip.get(0) < 0.5 && clip.get(1) > 0.5 && clip.get(1) <= 1)) {
      throw new InvalidSettingsException(
          "segment.clip-quantiles = "
              + clip
              + " is not valid: expected [low, high] with 0 <= low < 0.5 < high <= 1"
              + " ([0, 1] turns clipping off)");
    }
    SegmentSettings settings =
        new SegmentSettings(
            List.copyOf(features),
            Map.copyOf(weights),
            auto,
            k,
            minK,
            maxK,
            Checks.intIn(config, "segment.seeds", 1, 100),
            Checks.read(config, "segment.seed", () -> config.getLong("segment.seed")),
            Checks.intIn(config, "segment.max-iterations", 1, 10_000),
            Checks.doubleIn(config, "segment.tolerance", Double.MIN_VALUE, 1),
            Checks.intIn(config, "segment.fit-sample-rows", 100, Integer.MAX_VALUE),
            Checks.intIn(config, "segment.silhouette-sample-rows", 100, Integer.MAX_VALUE),
            clip.get(0),
            clip.get(1),
            Checks.doubleIn(config, "segment.min-size", 0, 0.2),
            Map.copyOf(labels));
    for (int candidate : settings.candidateKs()) {
      if (!labels.containsKey(candidate)) {
        throw new InvalidSettingsException(
            "segment.labels has no labels for k = "
                + candidate
                + ": add segment.labels.\""
                + candidate
                + "\" = [riskiest, ..., safest]");
      }
    }
    return settings;
  }

  /** segment.labels: for each number of segments, that many distinct labels, riskiest first. */
  private static Map<Integer, List<String>> labels(Config config) {
    Map<Integer, List<String>> labels = new TreeMap<>();
    Config labelConfig = config.getConfig("segment.labels");
    for (String key : labelConfig.root().keySet()) {
      int labelK;
      try {
        labelK = Integer.parseInt(key);
      } catch (NumberFormatException e) {
        throw new InvalidSettingsException(
            "segment.labels." + key + " is not valid: keys are the number of segments");
      }
      List<String> names =
          Checks.read(
              config,
              "segment.labels." + key,
              () -> labelConfig.getStringList(QualitySettings.quote(key)));
      if (names.size() != labelK || names.stream().distinct().count() != labelK) {
        throw new InvalidSettingsException(
            "segment.labels."
                + key
                + " = "
                + names
                + " is not valid: expected "
                + labelK
                + " distinct labels");
      }
      labels.put(labelK, List.copyOf(names));
    }
    return labels;
  }

  /**
   * segment.feature-weights of the clustering features (a weight of another column is checked
   * only).
   */
  private static Map<String, Double> weights(
      Config config, List<String> features, Function<String, DataType> typeOf) {
    Map<String, Double> weights = new TreeMap<>();
    Config weightConfig = config.getConfig("segment.feature-weights");
    for (String key : weightConfig.root().keySet()) {
      String full = "segment.feature-weights." + key;
      if (!key.equals("credit_score") && !CustomerSchema.isNumeric(typeOf.apply(key))) {
        throw new InvalidSettingsException(
            full + " is not valid: '" + key + "' is neither credit_score nor a numeric column");
      }
      double weight = Checks.doubleIn(config, full, 1e-6, 1e6);
      if (features.contains(key)) {
        weights.put(key, weight); // a weight for a feature not clustered on has no effect
      }
    }
    return weights;
  }

  /** A fixed segment.k: a whole number from 2 to 100. */
  private static int fixedK(String rawK) {
    int k;
    try {
      k = Integer.parseInt(rawK);
    } catch (NumberFormatException e) {
      throw new InvalidSettingsException(
          "segment.k = '" + rawK + "' is not valid: expected a whole number >= 2, or auto");
    }
    if (k < 2 || k > 100) {
      throw new InvalidSettingsException(
          "segment.k = " + k + " is out of range: expected 2 to 100, or auto");
    }
    return k;
  }
}
