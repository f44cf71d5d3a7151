package com.creditseg.config;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code quality.*}: per-column plausible ranges and repair policies, and the failure threshold.
 */
public record QualitySettings(
    double maxQuarantinedShare,
    double warnImputedShare,
    int medianSampleRows,
    Map<String, ColumnRule> columns) {

  /**
   * The largest quality.median-sample-rows: the sample's usable values are collected to the driver
   * for the medians (about 300 MB of rows at this bound with every default rule imputing).
   */
  public static final int MAX_MEDIAN_SAMPLE_ROWS = 1_000_000;

  /** What to do with a null, NaN or infinite value. */
  public enum MissingPolicy {
    IMPUTE_MEDIAN,
    IMPUTE_CONSTANT,
    REJECT
  }

  /** What to do with a value outside {@code [min, max]}. */
  public enum RangePolicy {
    CLIP,
    REJECT
  }

  /** The rule for one canonical numeric column; {@code constant} is used by IMPUTE_CONSTANT. */
  public record ColumnRule(
      String column,
      double min,
      double max,
      MissingPolicy missing,
      RangePolicy outOfRange,
      double constant) {
    public ColumnRule(
        String column, double min, double max, MissingPolicy missing, RangePolicy outOfRange) {
      this(column, min, max, missing, outOfRange, Double.NaN);
    }
  }

  static QualitySettings from(Config config) {
    Map<String, ColumnRule> rules = new TreeMap<>();
    Config columns = config.getConfig("quality.columns");
    for (String column : columns.root().keySet()) {
      String prefix = "quality.columns." + column + ".";
      Config rule = Checks.read(config, prefix + "min", () -> columns.getConfig(quote(column)));
      for (String key : rule.root().keySet()) {
        if (!List.of("min", "max", "missing", "out-of-range", "constant").contains(key)) {
          throw new InvalidSettingsException(
              "Unknown key '"
                  + prefix
                  + key
                  + "': expected min, max, missing, out-of-range, constant");
        }
      }
      double min = Checks.read(config, prefix + "min", () -> rule.getDouble("min"));
      double max = Checks.read(config, prefix + "max", () -> rule.getDouble("max"));
      if (!(min <= max)) {
        throw new InvalidSettingsException(
            String.format("%smin = %s is above %smax = %s", prefix, min, prefix, max));
      }
      String missing =
          Checks.oneOf(
              rule,
              "missing",
              List.of("impute-median", "impute-constant", "reject"),
              prefix + "missing");
      double constant = Double.NaN;
      if (missing.equals("impute-constant")) {
        if (!rule.hasPath("constant")) {
          throw new InvalidSettingsException(
              prefix + "constant is missing: missing = impute-constant needs the value to use");
        }
        constant = Checks.read(config, prefix + "constant", () -> rule.getDouble("constant"));
      }
      String range =
          Checks.oneOf(rule, "out-of-range", List.of("clip", "reject"), prefix + "out-of-range");
      rules.put(
          column,
          new ColumnRule(
              column,
              min,
              max,
              switch (missing) {
                case "reject" -> MissingPolicy.REJECT;
                case "impute-constant" -> MissingPolicy.IMPUTE_CONSTANT;
                default -> MissingPolicy.IMPUTE_MEDIAN;
              },
              range.equals("reject") ? RangePolicy.REJECT : RangePolicy.CLIP,
              constant));
    }
    return new QualitySettings(
        Checks.doubleIn(config, "quality.max-quarantined-share", 0, 1),
        Checks.doubleIn(config, "quality.warn-imputed-share", 0, 1),
        Checks.intIn(config, "quality.median-sample-rows", 1000, MAX_MEDIAN_SAMPLE_ROWS),
        Map.copyOf(rules));
  }

  static String quote(String key) {
    return "\"" + key + "\"";
  }
}
