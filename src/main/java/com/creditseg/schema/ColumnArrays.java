package com.creditseg.schema;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;

/** Array columns built with compiled expressions only. */
public final class ColumnArrays {
  private ColumnArrays() {}

  /** An empty {@code array<string>}. */
  public static Column emptyStrings() {
    return array().cast("array<string>");
  }

  /**
   * The non-null values of {@code values}, in order, as an {@code array<string>}. Built with {@code
   * concat} of one-element arrays rather than {@code filter(array(...), x -> x IS NOT NULL)}: a
   * lambda keeps Spark from compiling the whole projection it sits in (whole-stage codegen), which
   * made every pass that flags rows several times slower.
   */
  public static Column nonNull(List<Column> values) {
    if (values.isEmpty()) {
      return emptyStrings();
    }
    Column[] parts =
        values.stream()
            .map(v -> when(v.isNotNull(), array(v)).otherwise(emptyStrings()))
            .toArray(Column[]::new);
    return concat(parts);
  }
}
