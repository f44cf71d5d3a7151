package com.creditseg.serve;

import com.creditseg.model.PortableModel;
import com.creditseg.schema.CanonicalColumns;
import com.creditseg.schema.InputColumn;
import com.creditseg.schema.Names;
import com.creditseg.schema.ReasonCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads one customer's JSON object into typed values (Integer, Double, String or null) the way the
 * batch reader converts a source row onto the canonical schema:
 *
 * <ul>
 *   <li>fields are canonical columns, the model's own columns (extra columns it reads), or any
 *       column the run read through its mapping under its source name ({@code source = LIMIT_BAL}
 *       takes {@code LIMIT_BAL}, any case, with the mapping's {@code multiply} and rescale
 *       applied): a client may send the source record or the canonical one. A name that is a
 *       canonical column is always the canonical value. Columns the run read that the model does
 *       not use, and source columns only an expression reads, are ignored and listed once in {@link
 *       Parsed#ignored}. Any other name is {@code unknown_field}, with the closest known name; the
 *       known names are listed once per customer, not once per field;
 *   <li>a column with a value map in the mapping ({@code input.mapping.categories}, an ordinal's
 *       levels), sent under its source column's name, maps a source value (any case) to its value,
 *       as the batch reader does; a value that already is one of the map's values passes. Under a
 *       canonical name that is not also the source's, the value is the canonical one, unmapped;
 *   <li>a required column (the customer id and the clustering features) that is absent is {@code
 *       missing_field}; a null value is a missing value, handled by the quality rules as in the
 *       batch job, and so is an absent optional column the model reads;
 *   <li>numbers: JSON numbers; NaN and ±Infinity as the bare tokens or as the strings {@code
 *       "NaN"}, {@code "Infinity"}, {@code "-Infinity"} (JSON itself cannot write them); any other
 *       number written as text ({@code "50000"}) is that number, as in a CSV; other text is {@code
 *       not_a_number}. In an int column a fraction is {@code not_an_integer} and a value beyond the
 *       int range {@code out_of_range}, as the reader has them; NaN and infinities go to the
 *       quality rules, as in the batch job;
 *   <li>text is trimmed, blank is null; a column with a canonical vocabulary ({@link
 *       CanonicalColumns#vocabulary}) takes its values ignoring case, in their canonical spelling,
 *       and anything else is {@code unmappable_category};
 *   <li>booleans, objects and arrays are {@code wrong_type}, and so is a number for a text column.
 * </ul>
 */
final class CustomerParser {
  /**
   * The values of one customer by column, what stopped them from being read, and the fields ignored
   * (read by the run, not used by the model).
   */
  record Parsed(Map<String, Object> values, List<Problem> problems, List<String> ignored) {}

  private final Map<String, String> types = new TreeMap<>();
  private final List<String> required;
  private final Map<String, InputColumn> inputs;

  /** Lower-case source column name to the column it was read into (plain reads only). */
  private final Map<String, String> bySource = new TreeMap<>();

  /** Every name a field may have: the columns' own, then the source names read plainly. */
  private final List<String> knownFields;

  /** Lower-case names the run read that the model does not: ignored when sent. */
  private final Set<String> ignorable = new TreeSet<>();

  CustomerParser(PortableModel model) {
    for (String column : CanonicalColumns.names()) {
      types.put(column, CanonicalColumns.typeName(column));
    }
    types.putAll(model.columnTypes());
    required = List.copyOf(model.required());
    inputs = model.inputs() == null ? Map.of() : model.inputs();
    inputs.forEach(
        (column, input) -> {
          String source = input.source() == null ? null : input.source().toLowerCase(Locale.ROOT);
          boolean read = types.containsKey(column);
          if (!read) {
            ignorable.add(column.toLowerCase(Locale.ROOT));
          }
          if (source != null && !input.computed() && !types.containsKey(input.source())) {
            if (read) {
              bySource.putIfAbsent(source, column);
            } else {
              ignorable.add(source);
            }
          }
        });
    List<String> known = new ArrayList<>(types.keySet());
    bySource.keySet().stream().filter(k -> !known.contains(k)).forEach(known::add);
    knownFields = List.copyOf(known);
    if (model.sourceColumns() != null) {
      model.sourceColumns().stream()
          .map(c -> c.toLowerCase(Locale.ROOT))
          .filter(c -> !bySource.containsKey(c) && !types.containsKey(c))
          .forEach(ignorable::add);
    }
  }

  /** Every name a customer's field may have, canonical first: for messages and {@code /model}. */
  List<String> knownFields() {
    return knownFields;
  }

  /** The type of every field a customer may have: {@code int}, {@code double} or {@code string}. */
  Map<String, String> types() {
    return types;
  }

  Parsed parse(JsonNode customer) {
    Map<String, Object> values = new LinkedHashMap<>();
    List<Problem> problems = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<Problem> unknown = new ArrayList<>();
    Map<String, String> sentAs = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = customer.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      String key = name.toLowerCase(Locale.ROOT);
      String column = types.containsKey(name) ? name : bySource.get(key);
      if (column == null) {
        if (ignorable.contains(key)) {
          ignored.add(name);
        } else {
          unknown.add(unknown(name));
        }
        continue;
      }
      String before = sentAs.putIfAbsent(column, name);
      if (before != null) {
        problems.add(
            new Problem(
                Problem.DUPLICATE_FIELD,
                column,
                column + " is sent twice, as '" + before + "' and as '" + name + "'"));
        continue;
      }
      InputColumn input = inputs.get(column);
      // Under its source name a value is the source's: mapped and converted. Under the canonical
      // name it is the canonical value; only when the source column has that name too is it
      // mapped (a value that already is a target passes), and never converted.
      boolean fromSource = !name.equals(column);
      boolean mapped = fromSource || (input != null && column.equalsIgnoreCase(input.source()));
      values.put(
          column,
          value(column, types.get(column), field.getValue(), input, fromSource, mapped, problems));
    }
    // What a missing value means, where the mapping says (missing = "value: X" / "level: L").
    inputs.forEach(
        (column, input) -> {
          if (input.missing() != null
              && types.containsKey(column)
              && values.get(column) == null
              && problems.stream().noneMatch(p -> p.column().equals(column))) {
            values.put(column, missingAs(input.missing(), types.get(column)));
          }
        });
    if (!unknown.isEmpty()) {
      problems.addAll(unknown);
      if (unknown.stream().anyMatch(u -> !u.message().contains("did you mean"))) {
        problems.add(
            new Problem(
                Problem.UNKNOWN_FIELD, "", "known fields: " + String.join(", ", knownFields())));
      }
    }
    for (String column : required) {
      InputColumn input = inputs.get(column);
      if (!sentAs.containsKey(column) && (input == null || input.missing() == null)) {
        problems.add(
            new Problem(
                Problem.MISSING_FIELD,
                column,
                "missing required field '" + column + "' (send null to have it imputed)"));
      }
    }
    return new Parsed(values, problems, List.copyOf(ignored));
  }

  private Problem unknown(String name) {
    String hint =
        Names.closest(name, knownFields()).map(c -> ": did you mean '" + c + "'?").orElse("");
    return new Problem(Problem.UNKNOWN_FIELD, name, "unknown field '" + name + "'" + hint);
  }

  private static Object value(
      String name,
      String type,
      JsonNode sent,
      InputColumn input,
      boolean fromSource,
      boolean mapped,
      List<Problem> problems) {
    if (sent.isNull() || (sent.isTextual() && sent.asText().isBlank())) {
      return null;
    }
    JsonNode node = sent;
    if (mapped
        && input != null
        && !input.categories().isEmpty()
        && (sent.isTextual() || sent.isNumber())) {
      String target =
          mapped(sent.asText().trim(), input.categories(), CanonicalColumns.vocabulary(name));
      if (target == null) {
        problems.add(
            Problem.of(
                ReasonCode.UNMAPPABLE_CATEGORY,
                name,
                name
                    + " = "
                    + sent
                    + " is not one of the mapping's values: "
                    + String.join(", ", input.categories().keySet())));
        return null;
      }
      node = TextNode.valueOf(target);
    }
    if (type.equals("string")) {
      if (!node.isTextual()) {
        problems.add(wrongType(name, node, "text"));
        return null;
      }
      return category(name, node.asText().trim(), problems);
    }
    if (fromSource && input != null && (input.multiply() != 1.0 || input.rescale() != null)) {
      return converted(name, type, node, input, problems);
    }
    Double number = number(node);
    if (number == null) {
      if (node.isTextual()) {
        problems.add(
            Problem.of(ReasonCode.NOT_A_NUMBER, name, name + " = " + node + " is not a number"));
      } else {
        problems.add(wrongType(name, node, "a number"));
      }
      return null;
    }
    if (!type.equals("int")) {
      return number;
    }
    if (node.isIntegralNumber() && node.canConvertToInt()) {
      return node.intValue();
    }
    if (node.isIntegralNumber()
        || (Double.isFinite(number) && Math.abs(number) > Integer.MAX_VALUE)) {
      problems.add(
          Problem.of(
              ReasonCode.OUT_OF_RANGE, name, name + " = " + node + " is beyond an int's range"));
      return null;
    }
    if (Double.isFinite(number) && number != Math.rint(number)) {
      problems.add(
          Problem.of(
              ReasonCode.NOT_AN_INTEGER, name, name + " = " + node + " is not a whole number"));
      return null;
    }
    if (Double.isFinite(number)) {
      return (int) number.doubleValue();
    }
    problems.add(
        Problem.of(ReasonCode.NOT_A_NUMBER, name, name + " = " + node + " is not a whole number"));
    return null;
  }

  /** The mapping's value for a missing one, typed as the batch reader types it. */
  private static Object missingAs(String text, String type) {
    return switch (type) {
      case "string" -> text;
      case "int" -> (int) Double.parseDouble(text);
      default -> Double.parseDouble(text);
    };
  }

  /**
   * A source value through the mapping's unit conversion, as the batch reader converts it: times
   * {@code multiply}, rescaled, and for an int column rounded half away from zero.
   */
  private static Object converted(
      String name, String type, JsonNode node, InputColumn input, List<Problem> problems) {
    Double number = number(node);
    if (number == null) {
      problems.add(
          Problem.of(ReasonCode.NOT_A_NUMBER, name, name + " = " + node + " is not a number"));
      return null;
    }
    double x = input.fromSource(number);
    if (!type.equals("int") || !Double.isFinite(x)) {
      return x;
    }
    double rounded = Math.signum(x) * Math.floor(Math.abs(x) + 0.5);
    if (Math.abs(rounded) > Integer.MAX_VALUE) {
      problems.add(
          Problem.of(
              ReasonCode.OUT_OF_RANGE, name, name + " = " + node + " is beyond an int's range"));
      return null;
    }
    return (int) rounded;
  }

  /**
   * A value through a mapping's value map, as the batch reader maps it: a listed source value (case
   * and blanks ignored) to its target; a value that already is a target or one of the column's
   * canonical values stays; null otherwise.
   */
  private static String mapped(
      String text, Map<String, String> categories, List<String> vocabulary) {
    for (Map.Entry<String, String> e : categories.entrySet()) {
      if (e.getKey().trim().equalsIgnoreCase(text)) {
        return e.getValue();
      }
    }
    for (String target : categories.values()) {
      if (target.equalsIgnoreCase(text)) {
        return target;
      }
    }
    for (String value : vocabulary) {
      if (value.equalsIgnoreCase(text)) {
        return value;
      }
    }
    return null;
  }

  /** A number written as text, as the batch job's CSV reader takes it: "50000", " 5e4 ", "-0.5". */
  private static final Pattern NUMBER_TEXT =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** A JSON number, or a non-finite one spelled as text; null for anything else. */
  private static Double number(JsonNode node) {
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (!node.isTextual()) {
      return null;
    }
    return switch (node.asText().trim().toLowerCase(Locale.ROOT)) {
      case "nan" -> Double.NaN;
      case "infinity", "+infinity", "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-infinity", "-inf" -> Double.NEGATIVE_INFINITY;
      default ->
          NUMBER_TEXT.matcher(node.asText().trim()).matches()
              ? Double.valueOf(node.asText().trim())
              : null;
    };
  }

  /** The value in its canonical spelling, when the column has a vocabulary. */
  private static String category(String name, String text, List<Problem> problems) {
    List<String> vocabulary = CanonicalColumns.vocabulary(name);
    if (vocabulary.isEmpty()) {
      return text;
    }
    for (String value : vocabulary) {
      if (value.equalsIgnoreCase(text)) {
        return value;
      }
    }
    problems.add(
        Problem.of(
            ReasonCode.UNMAPPABLE_CATEGORY,
            name,
            name + " = \"" + text + "\" is not one of " + String.join(", ", vocabulary)));
    return null;
  }

  private static Problem wrongType(String name, JsonNode node, String expected) {
    return new Problem(
        Problem.WRONG_TYPE,
        name,
        name + " = " + node + " has the wrong type: expected " + expected);
  }
}
