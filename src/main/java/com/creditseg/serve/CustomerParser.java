package com.creditseg.serve;

import com.creditseg.model.PortableModel;
import com.creditseg.schema.CanonicalColumns;
import com.creditseg.schema.Names;
import com.creditseg.schema.ReasonCode;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads one customer's JSON object into typed values (Integer, Double, String or null) the way the
 * batch reader converts a source row onto the canonical schema:
 *
 * <ul>
 *   <li>fields are canonical columns or the model's own columns (extra columns it reads); any other
 *       name is {@code unknown_field}, with the closest known name;
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
  /** The values of one customer by column, and what stopped them from being read. */
  record Parsed(Map<String, Object> values, List<Problem> problems) {}

  private final Map<String, String> types = new TreeMap<>();
  private final List<String> required;

  CustomerParser(PortableModel model) {
    for (String column : CanonicalColumns.names()) {
      types.put(column, CanonicalColumns.typeName(column));
    }
    types.putAll(model.columnTypes());
    required = List.copyOf(model.required());
  }

  /** The type of every field a customer may have: {@code int}, {@code double} or {@code string}. */
  Map<String, String> types() {
    return types;
  }

  Parsed parse(JsonNode customer) {
    Map<String, Object> values = new LinkedHashMap<>();
    List<Problem> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = customer.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      String type = types.get(name);
      if (type == null) {
        problems.add(unknown(name));
        continue;
      }
      values.put(name, value(name, type, field.getValue(), problems));
    }
    for (String column : required) {
      if (!customer.has(column)) {
        problems.add(
            new Problem(
                Problem.MISSING_FIELD,
                column,
                "missing required field '" + column + "' (send null to have it imputed)"));
      }
    }
    return new Parsed(values, problems);
  }

  private Problem unknown(String name) {
    String hint =
        Names.closest(name, types.keySet())
            .map(c -> ": did you mean '" + c + "'?")
            .orElse(" (known fields: " + String.join(", ", types.keySet()) + ")");
    return new Problem(Problem.UNKNOWN_FIELD, name, "unknown field '" + name + "'" + hint);
  }

  private static Object value(String name, String type, JsonNode node, List<Problem> problems) {
    if (node.isNull() || (node.isTextual() && node.asText().isBlank())) {
      return null;
    }
    if (type.equals("string")) {
      if (!node.isTextual()) {
        problems.add(wrongType(name, node, "text"));
        return null;
      }
      return category(name, node.asText().trim(), problems);
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
