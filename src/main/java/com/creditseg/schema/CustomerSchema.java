package com.creditseg.schema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The canonical customer schema of DESIGN.md: every column the job knows, with its type. Only
 * {@code customer_id} and the columns the configured score factors and clustering features use are
 * required; the rest are carried through when present.
 */
public final class CustomerSchema {
  public static final String CUSTOMER_ID = "customer_id";
  public static final String DEFAULTED = "defaulted";

  /**
   * Added by the reader: {@code code:column} for each value that was there but could not be
   * converted. Internal: never written to the segments.
   */
  public static final String PARSE_ERRORS = "parse_errors";

  /** Added by the reader: the row as it was in the source, as JSON (or a malformed line's text). */
  public static final String SOURCE_RECORD = "source_record";

  /** The segment a customer is assigned to: the segmented output is partitioned by it. */
  public static final String SEGMENT = "segment";

  private static final Map<String, DataType> COLUMNS = new LinkedHashMap<>();

  static {
    for (String column : CanonicalColumns.names()) {
      COLUMNS.put(
          column,
          switch (CanonicalColumns.typeName(column)) {
            case "int" -> DataTypes.IntegerType;
            case "double" -> DataTypes.DoubleType;
            default -> DataTypes.StringType;
          });
    }
  }

  private CustomerSchema() {}

  /** The canonical values of a categorical column (empty for other columns). */
  public static List<String> vocabulary(String column) {
    return CanonicalColumns.vocabulary(column);
  }

  /** Every canonical column in schema order. */
  public static List<String> columns() {
    return List.copyOf(COLUMNS.keySet());
  }

  public static boolean isCanonical(String column) {
    return COLUMNS.containsKey(column);
  }

  /** The canonical type of a column, or null when the column is not canonical. */
  public static DataType typeOf(String column) {
    return COLUMNS.get(column);
  }

  /** True for the canonical numeric columns (doubles and ints). */
  public static boolean isNumeric(String column) {
    return isNumeric(COLUMNS.get(column));
  }

  /** True for the numeric column types the job reads (double, int); false for null. */
  public static boolean isNumeric(DataType type) {
    return DataTypes.DoubleType.equals(type) || DataTypes.IntegerType.equals(type);
  }

  /** The full canonical schema, every column nullable. */
  public static StructType schema() {
    List<StructField> fields = new ArrayList<>();
    COLUMNS.forEach((name, type) -> fields.add(DataTypes.createStructField(name, type, true)));
    return DataTypes.createStructType(fields);
  }

  /** The canonical columns present in a dataset, in schema order. */
  public static List<String> presentIn(Dataset<Row> data) {
    Set<String> have = Set.of(data.columns());
    return COLUMNS.keySet().stream().filter(have::contains).collect(Collectors.toList());
  }

  /**
   * Fails fast when a step's input lacks columns it needs, naming the action, the missing columns
   * and the columns that are there.
   */
  public static void require(Dataset<Row> data, Collection<String> needed, String action) {
    Set<String> have = Set.of(data.columns());
    List<String> missing = needed.stream().filter(c -> !have.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new InputContractException(
          String.format(
              "Cannot %s: missing column%s %s (have: %s)",
              action,
              missing.size() == 1 ? "" : "s",
              missing.stream().map(c -> "'" + c + "'").collect(Collectors.joining(", ")),
              Arrays.stream(data.columns())
                  .filter(c -> !c.equals(PARSE_ERRORS) && !c.equals(SOURCE_RECORD))
                  .collect(Collectors.joining(", "))));
    }
  }
}
