package com.creditseg.config;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.Names;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.charset.Charset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code input.*}: where customers come from, how the source's columns map onto the canonical
 * schema, and the id values that stand for "no id" ({@code placeholderIds}, lower case).
 */
public record InputSettings(
    String path,
    String format,
    CsvOptions csv,
    ColumnMapping mapping,
    List<String> placeholderIds) {

  public static final List<String> FORMATS = List.of("parquet", "csv");
  private static final List<String> COLUMN_KEYS =
      List.of(
          "source",
          "expression",
          "rescale-from",
          "rescale-to",
          "multiply",
          "date-format",
          "missing");

  /** CSV reader options; see reference.conf. */
  public record CsvOptions(
      boolean header,
      String delimiter,
      String quote,
      String escape,
      boolean multiLine,
      List<String> nullValues,
      String encoding,
      String decimalSeparator,
      String groupingSeparator) {}

  /**
   * Where one canonical column comes from: a source column ({@code source}) or a Spark SQL
   * expression over source columns ({@code expression}), then optionally a date parsed with {@code
   * dateFormat} and turned into whole months before the run date, a factor ({@code multiply}) and a
   * linear rescale from {@code [rescale[0], rescale[1]]} onto {@code [rescale[2], rescale[3]]};
   * {@code missing} says what a missing source value means (null: the quality rules decide).
   */
  public record ColumnSource(
      String source,
      String expression,
      double multiply,
      double[] rescale,
      String dateFormat,
      Missing missing) {
    public static ColumnSource named(String source) {
      return new ColumnSource(source, null, 1, null, null, null);
    }

    public boolean isRescaled() {
      return rescale != null;
    }

    /** How the mapping names this source in messages. */
    public String describe() {
      return source != null ? "source column '" + source + "'" : "expression '" + expression + "'";
    }
  }

  /**
   * What a missing value of one mapped column means: {@code missing = "value: X"} reads it as the
   * value X (in the column's own units), {@code missing = "level: L"} as the source value L (a key
   * of the column's value map or one of its levels: "no account" as the safest level, not the
   * median). {@code missing = median} (or no key) leaves it missing, for the quality rules to
   * impute or reject. Either way a column's values are then not imputed, and not counted so.
   */
  public record Missing(boolean level, String value) {
    static Missing parse(String key, String text) {
      String t = text.trim();
      if (t.equalsIgnoreCase("median")) {
        return null;
      }
      int colon = t.indexOf(':');
      String kind = colon < 0 ? "" : t.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = colon < 0 ? "" : t.substring(colon + 1).trim();
      if ((!kind.equals("value") && !kind.equals("level")) || value.isEmpty()) {
        throw new InvalidSettingsException(
            key
                + " = \""
                + text
                + "\" is not valid: expected median, \"value: X\" or \"level: L\"");
      }
      return new Missing(kind.equals("level"), value);
    }

    /** The value read for a missing one, given the column's value map (source value to value). */
    public String canonical(Map<String, String> categories) {
      if (!level || categories == null) {
        return value;
      }
      return categories.entrySet().stream()
          .filter(e -> e.getKey().trim().equalsIgnoreCase(value))
          .map(Map.Entry::getValue)
          .findFirst()
          .orElse(value);
    }
  }

  /**
   * Source-to-canonical column and category mapping, named for error messages. Category keys are
   * matched without regard to case or surrounding blanks.
   */
  public record ColumnMapping(
      String name,
      Map<String, ColumnSource> columns,
      Map<String, Map<String, String>> categories,
      Map<String, ExtraColumn> extraColumns) {

    /** A canonical column's type, or a declared extra column's; null for any other name. */
    public DataType typeOf(String column) {
      DataType canonical = CustomerSchema.typeOf(column);
      if (canonical != null) {
        return canonical;
      }
      ExtraColumn extra = extraColumns.get(column);
      return extra == null ? null : extra.dataType();
    }
  }

  /**
   * A column beyond the canonical schema, declared by the mapping with where it comes from and its
   * type: {@code double}, {@code int}, {@code string}, or {@code ordinal} with {@code levels}, the
   * source values in order, read as 1, 2, ... (an unlisted value is unmappable_category). It can be
   * a clustering feature or a score input and is carried to the output.
   */
  public record ExtraColumn(String name, ColumnSource source, String type, List<String> levels) {
    public static final List<String> TYPES = List.of("double", "int", "string", "ordinal");

    public DataType dataType() {
      return switch (type) {
        case "double" -> DataTypes.DoubleType;
        case "string" -> DataTypes.StringType;
        default -> DataTypes.IntegerType;
      };
    }

    /** An ordinal's levels as a category block: level -> its position, from 1. */
    public Map<String, String> levelNumbers() {
      Map<String, String> numbers = new LinkedHashMap<>();
      for (int i = 0; i < levels.size(); i++) {
        numbers.put(levels.get(i), String.valueOf(i + 1));
      }
      return numbers;
    }
  }

  static InputSettings from(Config config) {
    String path = config.getString("input.path").trim();
    String format = Checks.oneOf(config, "input.format", FORMATS);
    Config csv = config.getConfig("input.csv");
    List<String> nullValues =
        Checks.read(config, "input.csv.null-values", () -> csv.getStringList("null-values"));
    CsvOptions csvOptions =
        new CsvOptions(
            Checks.read(config, "input.csv.header", () -> csv.getBoolean("header")),
            singleChar(csv, "input.csv.delimiter", "delimiter"),
            singleChar(csv, "input.csv.quote", "quote"),
            singleChar(csv, "input.csv.escape", "escape"),
            Checks.read(config, "input.csv.multi-line", () -> csv.getBoolean("multi-line")),
            List.copyOf(nullValues),
            Checks.nonEmpty(config, "input.csv.encoding", "a charset name such as UTF-8"),
            Checks.oneOf(
                csv, "decimal-separator", List.of(".", ","), "input.csv.decimal-separator"),
            groupingSeparator(csv));
    if (csvOptions.groupingSeparator().equals(csvOptions.decimalSeparator())) {
      throw new InvalidSettingsException(
          "input.csv.grouping-separator = '"
              + csvOptions.groupingSeparator()
              + "' is not valid: it is also input.csv.decimal-separator");
    }
    try {
      Charset.forName(csvOptions.encoding());
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingsException(
          "input.csv.encoding = '" + csvOptions.encoding() + "' is not a known charset", e);
    }
    List<String> placeholderIds =
        Checks.read(
                config,
                "input.placeholder-ids",
                () -> config.getStringList("input.placeholder-ids"))
            .stream()
            .map(s -> s.trim().toLowerCase(Locale.ROOT))
            .distinct()
            .toList();
    return new InputSettings(
        path, format, csvOptions, mapping(config.getConfig("input.mapping")), placeholderIds);
  }

  private static String groupingSeparator(Config csv) {
    List<String> allowed = List.of("", ",", ".", " ", "'", "_");
    String value =
        Checks.read(csv, "grouping-separator", () -> csv.getString("grouping-separator"));
    if (!allowed.contains(value)) {
      throw new InvalidSettingsException(
          "input.csv.grouping-separator = '"
              + value
              + "' is not valid: expected one of "
              + String.join(" ", allowed.stream().map(a -> "'" + a + "'").toList()));
    }
    return value;
  }

  /**
   * A category's target must be one of the column's levels (the canonical vocabulary, or an extra
   * column's declared levels; none declared, any): a score factor, the report and {@code serve}
   * know only those, so "University" as an education level would pass the run and be refused by
   * serve. Returns the level in its own spelling ("phd" is "PhD").
   */
  private static String level(
      String key, String column, String from, String to, List<String> vocabulary) {
    if (vocabulary.isEmpty()) {
      return to;
    }
    for (String level : vocabulary) {
      if (level.equalsIgnoreCase(to.trim())) {
        return level;
      }
    }
    throw new InvalidSettingsException(
        String.format(
            "%s.\"%s\" = \"%s\" is not a level of %s (%s)%s",
            key,
            from,
            to,
            column,
            String.join(", ", vocabulary),
            Names.closest(to.trim(), vocabulary)
                .map(level -> ": did you mean \"" + level + "\"?")
                .orElse("")));
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
    Map<String, ExtraColumn> extras = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : mapping.getObject("extra-columns").entrySet()) {
      extras.put(e.getKey(), extraColumn("input.mapping.extra-columns." + e.getKey(), e));
    }
    List<String> targets = new ArrayList<>(CustomerSchema.columns());
    targets.addAll(extras.keySet());
    Map<String, ColumnSource> columns = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : mapping.getObject("columns").entrySet()) {
      String key = "input.mapping.columns." + e.getKey();
      requireCanonical(key, e.getKey(), CustomerSchema.columns());
      columns.put(e.getKey(), columnSource(key, e.getValue()));
    }
    Map<String, Map<String, String>> categories = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : mapping.getObject("categories").entrySet()) {
      String key = "input.mapping.categories." + e.getKey();
      requireCanonical(key, e.getKey(), targets);
      ExtraColumn extra = extras.get(e.getKey());
      if (extra != null && !extra.type().equals("string")) {
        throw new InvalidSettingsException(
            key
                + " is not valid: extra column '"
                + e.getKey()
                + "' is of type "
                + extra.type()
                + "; a categories block is for string columns (an ordinal's levels say how its"
                + " values read)");
      }
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        throw new InvalidSettingsException(
            key + " is not valid: expected { source value = canonical value, ... }");
      }
      Map<String, String> values = new TreeMap<>();
      ((ConfigObject) e.getValue())
          .forEach((from, to) -> values.put(from, String.valueOf(to.unwrapped())));
      List<String> vocabulary =
          extra != null ? extra.levels() : CustomerSchema.vocabulary(e.getKey());
      values.replaceAll((from, to) -> level(key, e.getKey(), from, to, vocabulary));
      categories.put(e.getKey(), values);
    }
    columns.forEach(
        (column, from) ->
            checkMissing(
                "input.mapping.columns." + column,
                from,
                CustomerSchema.typeOf(column),
                categories.get(column),
                CustomerSchema.vocabulary(column)));
    extras.forEach(
        (column, extra) ->
            checkMissing(
                "input.mapping.extra-columns." + column,
                extra.source(),
                extra.dataType(),
                extra.type().equals("ordinal") ? extra.levelNumbers() : categories.get(column),
                List.of()));
    return new ColumnMapping(mapping.getString("name"), columns, categories, Map.copyOf(extras));
  }

  /**
   * A {@code missing} level must be a key of the column's value map (or one of its levels); a value
   * must be of the column's type.
   */
  private static void checkMissing(
      String key,
      ColumnSource from,
      DataType type,
      Map<String, String> categories,
      List<String> vocabulary) {
    Missing missing = from.missing();
    if (missing == null) {
      return;
    }
    if (missing.level()) {
      List<String> levels = new ArrayList<>();
      if (categories != null) {
        levels.addAll(categories.keySet());
      }
      levels.addAll(vocabulary);
      if (levels.stream().noneMatch(l -> l.trim().equalsIgnoreCase(missing.value()))) {
        throw new InvalidSettingsException(
            String.format(
                "%s.missing = \"level: %s\" is not valid: %s",
                key,
                missing.value(),
                levels.isEmpty()
                    ? "the column has no value map or levels; use \"value: X\""
                    : "not one of its source values (" + String.join(", ", levels) + ")"));
      }
      return;
    }
    if (!DataTypes.StringType.equals(type)) {
      try {
        Double.parseDouble(missing.value());
      } catch (NumberFormatException e) {
        throw new InvalidSettingsException(
            String.format(
                "%s.missing = \"value: %s\" is not valid: the column is %s, the value must be a"
                    + " number",
                key, missing.value(), type.simpleString()),
            e);
      }
    }
  }

  private static ExtraColumn extraColumn(String key, Map.Entry<String, ConfigValue> e) {
    String name = e.getKey();
    if (CustomerSchema.isCanonical(name)) {
      throw new InvalidSettingsException(
          key
              + " is not valid: '"
              + name
              + "' is a canonical column: map it under input.mapping.columns");
    }
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new InvalidSettingsException(
          key + " is not valid: name extra columns in lower case, letters, digits and _");
    }
    if (e.getValue().valueType() != ConfigValueType.OBJECT) {
      throw new InvalidSettingsException(
          key + " is not valid: expected { source or expression, type, levels for an ordinal }");
    }
    Config c = ((ConfigObject) e.getValue()).toConfig();
    if (!c.hasPath("type")) {
      throw new InvalidSettingsException(
          key + ".type is required: one of " + String.join(", ", ExtraColumn.TYPES));
    }
    String type = Checks.oneOf(c, "type", ExtraColumn.TYPES, key + ".type");
    List<String> levels = List.of();
    if (type.equals("ordinal")) {
      levels = Checks.read(c, key + ".levels", () -> c.getStringList("levels"));
      if (levels.size() < 2
          || levels.stream().map(l -> l.trim().toLowerCase(Locale.ROOT)).distinct().count()
              != levels.size()) {
        throw new InvalidSettingsException(
            key
                + ".levels = "
                + levels
                + " is not valid: expected two or more distinct values, lowest first");
      }
    } else if (c.hasPath("levels")) {
      throw new InvalidSettingsException(
          key + ".levels is only for type = ordinal (this column is " + type + ")");
    }
    Config source = c.withoutPath("type").withoutPath("levels");
    return new ExtraColumn(name, columnSource(key, source.root()), type, List.copyOf(levels));
  }

  /**
   * A mapping target must be one of {@code targets}: a typo would otherwise be ignored and the
   * column it meant left unmapped. The message suggests the closest target.
   */
  private static void requireCanonical(String key, String target, List<String> targets) {
    if (targets.contains(target)) {
      return;
    }
    throw new InvalidSettingsException(
        key
            + " maps to '"
            + target
            + "', which is not a canonical column"
            + Names.closest(target, targets).map(c -> ": did you mean '" + c + "'?").orElse("")
            + " (one of "
            + String.join(", ", targets)
            + "; declare any other column under input.mapping.extra-columns)");
  }

  static ColumnSource columnSource(String key, ConfigValue value) {
    if (value.valueType() == ConfigValueType.STRING) {
      return ColumnSource.named((String) value.unwrapped());
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
      if (!COLUMN_KEYS.contains(k)) {
        throw new InvalidSettingsException(
            "Unknown key '" + key + "." + k + "': expected one of " + COLUMN_KEYS);
      }
    }
    if (c.hasPath("source") == c.hasPath("expression")) {
      throw new InvalidSettingsException(
          key + ": give either source (a column name) or expression (Spark SQL), not both or none");
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
    double multiply =
        c.hasPath("multiply") ? Checks.read(c, "multiply", () -> c.getDouble("multiply")) : 1.0;
    String dateFormat = c.hasPath("date-format") ? c.getString("date-format") : null;
    if (dateFormat != null) {
      try {
        DateTimeFormatter.ofPattern(dateFormat);
      } catch (IllegalArgumentException e) {
        throw new InvalidSettingsException(
            key + ".date-format = '" + dateFormat + "' is not a valid date pattern", e);
      }
    }
    return new ColumnSource(
        c.hasPath("source") ? c.getString("source") : null,
        c.hasPath("expression") ? c.getString("expression") : null,
        multiply,
        rescale,
        dateFormat,
        c.hasPath("missing")
            ? Missing.parse(
                key + ".missing", Checks.read(c, "missing", () -> c.getString("missing")))
            : null);
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
