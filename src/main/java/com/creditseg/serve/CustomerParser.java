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
 *       text is {@code not_a_number}. An int column rounds a fraction half away from zero, and a
 *       value it cannot hold (NaN, infinite, beyond the int range) is {@code not_a_number}, as the
 *       reader does;
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
    if (node.isIntegralNumber()) {
      if (node.canConvertToInt()) {
        return node.intValue();
      }
    } else if (Double.isFinite(number)) {
      double rounded = Math.signum(number) * Math.floor(Math.abs(number) + 0.5);
      if (rounded >= Integer.MIN_VALUE && rounded <= Integer.MAX_VALUE) {
        return (int) rounded;
      }
    }
    problems.add(
        Problem.of(
            ReasonCode.NOT_A_NUMBER,
            name,
            name + " = " + node + " is not a whole number in range"));
    return null;
  }

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
      default -> null;
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
