package com.creditseg.config;

import com.creditseg.schema.CustomerSchema;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code score.*}: the score's range, its factors (sorted by name) and the attributes that may
 * never be inputs.
 */
public record ScoreSettings(
    int min,
    int max,
    int maxReasonCodes,
    Set<String> protectedAttributes,
    List<ScoreFactor> factors,
    Method method) {

  /** How {@code credit_score} is made: the factor score, or from the segmentation. */
  public enum Method {
    @JsonProperty("factors")
    FACTORS,
    @JsonProperty("segment-distance")
    SEGMENT_DISTANCE
  }

  /** The factor score (score.method = factors). */
  public ScoreSettings(
      int min,
      int max,
      int maxReasonCodes,
      Set<String> protectedAttributes,
      List<ScoreFactor> factors) {
    this(min, max, maxReasonCodes, protectedAttributes, factors, Method.FACTORS);
  }

  /**
   * One input of a factor. A number: goodness 0 at {@code worst}, 1 at {@code best}, linear,
   * clamped. A category ({@code values} not null): the goodness its value is given, matched
   * ignoring case and surrounding blanks; a value not listed counts as missing.
   */
  public record FactorInput(String column, double worst, double best, Map<String, Double> values)
      implements Serializable {
    public FactorInput {
      values = values == null ? null : Map.copyOf(values);
    }

    public FactorInput(String column, double worst, double best) {
      this(column, worst, best, null);
    }

    /** A categorical input: each listed value's goodness in [0, 1]. */
    public static FactorInput categorical(String column, Map<String, Double> values) {
      return new FactorInput(column, 0, 1, values);
    }

    @JsonIgnore
    public boolean isCategorical() {
      return values != null;
    }
  }

  /** A weighted factor whose goodness is the mean of its inputs present in a row. */
  public record ScoreFactor(String name, double weight, List<FactorInput> inputs)
      implements Serializable {}

  /** {@code typeOf}: a column's type, canonical or declared extra; null for an unknown name. */
  static ScoreSettings from(Config config, Function<String, DataType> typeOf) {
    int min = Checks.intIn(config, "score.min", 0, 10_000);
    int max = Checks.intIn(config, "score.max", 0, 10_000);
    if (min >= max) {
      throw new InvalidSettingsException(
          "score.min = " + min + " must be below score.max = " + max);
    }
    Set<String> protectedAttributes =
        Set.copyOf(
            Checks.read(
                config,
                "score.protected-attributes",
                () -> config.getStringList("score.protected-attributes")));
    List<ScoreFactor> factors = new ArrayList<>();
    Config factorsConfig = config.getConfig("score.factors");
    for (String name : new TreeSet<>(factorsConfig.root().keySet())) {
      String prefix = "score.factors." + name;
      Config f =
          Checks.read(config, prefix, () -> factorsConfig.getConfig(QualitySettings.quote(name)));
      for (String key : f.root().keySet()) {
        if (!List.of("weight", "inputs").contains(key)) {
          throw new InvalidSettingsException(
              "Unknown key '" + prefix + "." + key + "': expected weight, inputs");
        }
      }
      double weight = Checks.doubleIn(f, "weight", 0, 1000);
      if (weight == 0) {
        continue; // a zero weight switches a default factor off
      }
      List<FactorInput> inputs = new ArrayList<>();
      List<? extends Config> inputConfigs =
          Checks.read(config, prefix + ".inputs", () -> f.getConfigList("inputs"));
      if (inputConfigs.isEmpty()) {
        throw new InvalidSettingsException(prefix + ".inputs is empty: name at least one column");
      }
      for (Config in : inputConfigs) {
        inputs.add(factorInput(config, prefix, in, protectedAttributes, typeOf));
      }
      factors.add(new ScoreFactor(name, weight, List.copyOf(inputs)));
    }
    if (factors.isEmpty()) {
      throw new InvalidSettingsException("score.factors is empty: define at least one factor");
    }
    return new ScoreSettings(
        min,
        max,
        Checks.intIn(config, "score.max-reason-codes", 0, 10),
        protectedAttributes,
        List.copyOf(factors),
        Checks.oneOf(config, "score.method", List.of("factors", "segment-distance"))
                .equals("factors")
            ? Method.FACTORS
            : Method.SEGMENT_DISTANCE);
  }

  /** One input of a factor: a numeric column between worst and best, or a category's values. */
  private static FactorInput factorInput(
      Config config,
      String prefix,
      Config in,
      Set<String> protectedAttributes,
      Function<String, DataType> typeOf) {
    String column = Checks.read(config, prefix + ".inputs", () -> in.getString("column"));
    if (protectedAttributes.contains(column)) {
      throw new InvalidSettingsException(
          prefix
              + ".inputs uses protected attribute '"
              + column
              + "': score.protected-attributes may never be score inputs");
    }
    if (in.hasPath("values")) {
      return categoricalInput(config, prefix, column, in, typeOf);
    }
    if (DataTypes.StringType.equals(typeOf.apply(column))) {
      throw new InvalidSettingsException(
          prefix
              + ".inputs for '"
              + column
              + "': it is a category, so give each value a goodness in [0, 1]: values { "
              + (CustomerSchema.vocabulary(column).isEmpty()
                  ? "value = goodness, ..."
                  : String.join(" = ..., ", CustomerSchema.vocabulary(column)) + " = ...")
              + " }");
    }
    double worst = Checks.read(config, prefix + ".inputs.worst", () -> in.getDouble("worst"));
    double best = Checks.read(config, prefix + ".inputs.best", () -> in.getDouble("best"));
    if (worst == best) {
      throw new InvalidSettingsException(
          prefix + ".inputs for '" + column + "': worst and best are both " + worst);
    }
    return new FactorInput(column, worst, best);
  }

  private static FactorInput categoricalInput(
      Config config, String prefix, String column, Config in, Function<String, DataType> typeOf) {
    String key = prefix + ".inputs.values";
    if (in.hasPath("worst") || in.hasPath("best")) {
      throw new InvalidSettingsException(
          prefix + ".inputs for '" + column + "': give values or worst and best, not both");
    }
    if (CustomerSchema.isNumeric(typeOf.apply(column))) {
      throw new InvalidSettingsException(
          prefix
              + ".inputs for '"
              + column
              + "': values is for categories; "
              + column
              + " is a number: give worst and best");
    }
    Config values = Checks.read(config, key, () -> in.getConfig("values"));
    Map<String, Double> goodness = new TreeMap<>();
    for (String value : values.root().keySet()) {
      double g = Checks.doubleIn(values, QualitySettings.quote(value), 0, 1);
      goodness.put(value, g);
    }
    if (goodness.isEmpty()) {
      throw new InvalidSettingsException(key + " for '" + column + "' is empty");
    }
    return FactorInput.categorical(column, goodness);
  }

  /** Every column some factor reads. */
  public Set<String> inputColumns() {
    Set<String> columns = new TreeSet<>();
    factors.forEach(f -> f.inputs().forEach(i -> columns.add(i.column())));
    return columns;
  }
}
