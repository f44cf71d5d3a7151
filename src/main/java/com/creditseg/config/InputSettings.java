package com.creditseg.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code input.*}: where customers come from and how the source's columns map onto the canonical
 * schema.
 */
public record InputSettings(String path, String format, CsvOptions csv, ColumnMapping mapping) {

  public static final List<String> FORMATS = List.of("parquet", "csv");

  /** CSV reader options; see reference.conf. */
  public record CsvOptions(
      boolean header, String delimiter, String quote, String nullValue, String encoding) {}

  /**
   * A source column feeding one canonical column, optionally rescaled linearly from the source's
   * range {@code [fromLow, fromHigh]} onto {@code [toLow, toHigh]}.
   */
  public record ColumnSource(String source, double[] rescale) {
    public boolean isRescaled() {
      return rescale != null;
    }
  }

  /** Source-to-canonical column and category mapping, named for error messages. */
  public record ColumnMapping(
      String name,
      Map<String, ColumnSource> columns,
      Map<String, Map<String, String>> categories) {}

  static InputSettings from(Config config) {
    String path = config.getString("input.path").trim();
    String format = Checks.oneOf(config, "input.format", FORMATS);
    Config csv = config.getConfig("input.csv");
    CsvOptions csvOptions =
        new CsvOptions(
            csv.getBoolean("header"),
            singleChar(csv, "input.csv.delimiter", "delimiter"),
            singleChar(csv, "input.csv.quote", "quote"),
            csv.getString("null-value"),
            Checks.nonEmpty(config, "input.csv.encoding", "a charset name such as UTF-8"));
    return new InputSettings(path, format, csvOptions, mapping(config.getConfig("input.mapping")));
  }

  private static String singleChar(Config csv, String key, String local) {
    String value = csv.getString(local);
    if (value.length() != 1) {
      throw new InvalidSettingsException(
          key + " = '" + value + "' is not valid: expected exactly one character");
    }
    return value;
  }

  private static ColumnMapping mapping(Config mapping) {
    Map<String, ColumnSource> columns = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : mapping.getObject("columns").entrySet()) {
      String key = "input.mapping.columns." + e.getKey();
      columns.put(e.getKey(), columnSource(key, e.getValue()));
    }
    Map<String, Map<String, String>> categories = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : mapping.getObject("categories").entrySet()) {
      String key = "input.mapping.categories." + e.getKey();
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        throw new InvalidSettingsException(
            key + " is not valid: expected { source value = canonical value, ... }");
      }
      Map<String, String> values = new TreeMap<>();
      ((ConfigObject) e.getValue())
          .forEach((from, to) -> values.put(from, String.valueOf(to.unwrapped())));
      categories.put(e.getKey(), values);
    }
    return new ColumnMapping(mapping.getString("name"), columns, categories);
  }

  private static ColumnSource columnSource(String key, ConfigValue value) {
    if (value.valueType() == ConfigValueType.STRING) {
      return new ColumnSource((String) value.unwrapped(), null);
    }
    if (value.valueType() != ConfigValueType.OBJECT) {
      throw new InvalidSettingsException(
          key
              + " = "
              + value.render()
              + " is not valid: expected a source column name or an object");
    }
    Config c = ((ConfigObject) value).toConfig();
    for (String k : c.root().keySet()) {
      if (!List.of("source", "rescale-from", "rescale-to").contains(k)) {
        throw new InvalidSettingsException(
            "Unknown key '" + key + "." + k + "': expected source, rescale-from, rescale-to");
      }
    }
    if (!c.hasPath("source")) {
      throw new InvalidSettingsException(key + ".source is missing: name the source column");
    }
    if (c.hasPath("rescale-from") != c.hasPath("rescale-to")) {
      throw new InvalidSettingsException(
          key + ": give both rescale-from and rescale-to, or neither");
    }
    double[] rescale = null;
    if (c.hasPath("rescale-from")) {
      List<Double> from = pair(c, key, "rescale-from");
      List<Double> to = pair(c, key, "rescale-to");
      if (from.get(0).equals(from.get(1))) {
        throw new InvalidSettingsException(
            key + ".rescale-from = " + from + " is not valid: the two ends must differ");
      }
      rescale = new double[] {from.get(0), from.get(1), to.get(0), to.get(1)};
    }
    return new ColumnSource(c.getString("source"), rescale);
  }

  private static List<Double> pair(Config c, String key, String local) {
    List<Double> values = Checks.read(c, local, () -> c.getDoubleList(local));
    if (values.size() != 2) {
      throw new InvalidSettingsException(
          key + "." + local + " = " + values + " is not valid: expected [low, high]");
    }
    return values;
  }
}
