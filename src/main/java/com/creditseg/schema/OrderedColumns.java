package com.creditseg.schema;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Columns added in a stated order. */
public final class OrderedColumns {
  private OrderedColumns() {}

  /**
   * {@code data} with {@code added} after its columns, in the map's iteration order, in one
   * projection; a column of {@code data} with an added name (in any case, as Spark resolves names)
   * is replaced. What {@code Dataset.withColumns(Map)} does, except that it turns a map of more
   * than four entries into a hash map and adds the columns in that map's order.
   */
  public static Dataset<Row> appended(Dataset<Row> data, Map<String, Column> added) {
    Set<String> replaced =
        added.keySet().stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    List<Column> columns = new ArrayList<>();
    for (String c : data.columns()) {
      if (!replaced.contains(c.toLowerCase(Locale.ROOT))) {
        columns.add(col(Names.quoted(c)));
      }
    }
    added.forEach((name, c) -> columns.add(c.as(name)));
    return data.select(columns.toArray(Column[]::new));
  }
}
