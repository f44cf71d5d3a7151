package com.creditseg;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * A customer's reason-code columns read back in order, nulls included: {@code <prefix>_1 …
 * <prefix>_count} of a written row or of serve's JSON answer, so tests compare every column (and
 * that the ones past the last code are null), not only the codes.
 */
public final class ReasonCodeValues {
  private ReasonCodeValues() {}

  public static List<String> of(Row row, String prefix, int count) {
    List<String> values = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      values.add(row.getAs(prefix + "_" + i));
    }
    return values;
  }

  /** The same fields of a JSON answer: a JSON null as null; a field that is absent fails. */
  public static List<String> of(JsonNode answer, String prefix, int count) {
    List<String> values = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      JsonNode v = answer.get(prefix + "_" + i);
      if (v == null) {
        throw new AssertionError("no field " + prefix + "_" + i + " in " + answer);
      }
      values.add(v.isNull() ? null : v.textValue());
    }
    return values;
  }
}
