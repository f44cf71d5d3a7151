package com.creditseg.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code score.*}: the score's range, its factors (sorted by name) and the attributes that may
 * never be inputs.
 */
public record ScoreSettings(
    int min,
    int max,
    int maxReasonCodes,
    Set<String> protectedAttributes,
    List<ScoreFactor> factors) {

  /** One input of a factor: goodness 0 at {@code worst}, 1 at {@code best}, linear, clamped. */
  public record FactorInput(String column, double worst, double best) implements Serializable {}

  /** A weighted factor whose goodness is the mean of its inputs present in a row. */
  public record ScoreFactor(String name, double weight, List<FactorInput> inputs)
      implements Serializable {}

  static ScoreSettings from(Config config) {
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
        String column = Checks.read(config, prefix + ".inputs", () -> in.getString("column"));
        if (protectedAttributes.contains(column)) {
          throw new InvalidSettingsException(
              prefix
                  + ".inputs uses protected attribute '"
                  + column
                  + "': score.protected-attributes may never be score inputs");
        }
        double worst = Checks.read(config, prefix + ".inputs.worst", () -> in.getDouble("worst"));
        double best = Checks.read(config, prefix + ".inputs.best", () -> in.getDouble("best"));
        if (worst == best) {
          throw new InvalidSettingsException(
              prefix + ".inputs for '" + column + "': worst and best are both " + worst);
        }
        inputs.add(new FactorInput(column, worst, best));
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
        List.copyOf(factors));
  }

  /** Every column some factor reads. */
  public Set<String> inputColumns() {
    Set<String> columns = new TreeSet<>();
    factors.forEach(f -> f.inputs().forEach(i -> columns.add(i.column())));
    return columns;
  }
}
