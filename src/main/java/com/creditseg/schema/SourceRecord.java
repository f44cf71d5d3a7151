package com.creditseg.schema;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code source_record} struct the readers add to every row: the row as it was in the source,
 * and for a CSV line Spark could not parse, its raw text under {@link #CORRUPT}.
 */
public final class SourceRecord {
  /** Where Spark's CSV reader (mode PERMISSIVE) keeps the text of a malformed line. */
  public static final String CORRUPT = "_corrupt_record";

  private SourceRecord() {}

  /**
   * The text of a {@code source_record} struct as the quarantine keeps it: the raw line of a
   * malformed CSV line, else the source row as JSON.
   */
  public static Column text(StructType schema, Column record) {
    StructType fields = (StructType) schema.apply(CustomerSchema.SOURCE_RECORD).dataType();
    if (!List.of(fields.fieldNames()).contains(CORRUPT)) {
      return to_json(record);
    }
    Column[] parsed =
        Arrays.stream(fields.fieldNames())
            .filter(f -> !f.equals(CORRUPT))
            .map(f -> record.getField(f).as(f))
            .toArray(Column[]::new);
    return coalesce(record.getField(CORRUPT), to_json(struct(parsed)));
  }
}
