package com.creditseg.config;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code quality.*}: per-column plausible ranges and repair policies, and the failure threshold.
 */
public record QualitySettings(double maxQuarantinedShare, Map<String, ColumnRule> columns) {

  /** What to do with a null, NaN or infinite value. */
  public enum MissingPolicy {
    IMPUTE_MEDIAN,
    REJECT
  }

  /** What to do with a value outside {@code [min, max]}. */
  public enum RangePolicy {
    CLIP,
    REJECT
  }

  /** The rule for one canonical numeric column. */
  public record ColumnRule(
      String column, double min, double max, MissingPolicy missing, RangePolicy outOfRange) {}

  static QualitySettings from(Config config) {
    Map<String, ColumnRule> rules = new TreeMap<>();
    Config columns = config.getConfig("quality.columns");
    for (String column : columns.root().keySet()) {
      String prefix = "quality.columns." + column + ".";
      Config rule = Checks.read(config, prefix + "min", () -> columns.getConfig(quote(column)));
      for (String key : rule.root().keySet()) {
        if (!List.of("min", "max", "missing", "out-of-range").contains(key)) {
          throw new InvalidSettingsException(
              "Unknown key '" + prefix + key + "': expected min, max, missing, out-of-range");
        }
      }
      double min = Checks.read(config, prefix + "min", () -> rule.getDouble("min"));
      double max = Checks.read(config, prefix + "max", () -> rule.getDouble("max"));
      if (!(min <= max)) {
        throw new InvalidSettingsException(
            String.format("%smin = %s is above %smax = %s", prefix, min, prefix, max));
      }
      String missing =
          Checks.oneOf(rule, "missing", List.of("impute-median", "reject"), prefix + "missing");
      String range =
          Checks.oneOf(rule, "out-of-range", List.of("clip", "reject"), prefix + "out-of-range");
      rules.put(
          column,
          new ColumnRule(
              column,
              min,
              max,
              missing.equals("reject") ? MissingPolicy.REJECT : MissingPolicy.IMPUTE_MEDIAN,
              range.equals("reject") ? RangePolicy.REJECT : RangePolicy.CLIP));
    }
    return new QualitySettings(
        Checks.doubleIn(config, "quality.max-quarantined-share", 0, 1), Map.copyOf(rules));
  }

  static String quote(String key) {
    return "\"" + key + "\"";
  }
}
