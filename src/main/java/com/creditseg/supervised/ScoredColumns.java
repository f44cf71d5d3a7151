package com.creditseg.supervised;

import static org.apache.spark.sql.functions.*;

import com.creditseg.schema.CustomerSchema;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;

/**
 * The contract of a scored dataset that {@link ModelValidation} and {@link FairnessCheck} share: a
 * numeric 0/1 label column (1 = defaulted) and a numeric probability-of-default column in [0, 1],
 * neither null. The schema is checked before any job; the values in one aggregation that also
 * counts rows and events.
 */
final class ScoredColumns {
  private ScoredColumns() {}

  /** Fails before any job when a column is absent or not numeric. */
  static void requireSchema(Dataset<Row> data, String label, String probability, String action) {
    CustomerSchema.require(data, List.of(label, probability), action);
    requireNumeric(data, label, action);
    requireNumeric(data, probability, action);
  }

  /**
   * Counts rows and events in one aggregation and fails, naming the column, when there are no rows,
   * a label is not 0 or 1, a probability is null, NaN or outside [0, 1], or only one class occurs.
   * The one-class check is skipped unless {@code bothClasses}. Returns the row with {@code rows}
   * and {@code events} and then the {@code extra} aggregates, which ride along in the same job,
   * under their own aliases.
   */
  static Row totals(
      Dataset<Row> data,
      String label,
      String probability,
      String action,
      boolean bothClasses,
      Column... extra) {
    Column y = col(label).cast("double");
    Column p = col(probability).cast("double");
    Column[] aggregates = new Column[4 + extra.length];
    aggregates[0] = count(lit(1)).as("rows");
    aggregates[1] = count_if(y.equalTo(1.0)).as("events");
    aggregates[2] = count_if(y.isNull().or(not(y.isin(0.0, 1.0)))).as("bad_labels");
    aggregates[3] =
        count_if(p.isNull().or(isnan(p)).or(p.lt(0.0)).or(p.gt(1.0))).as("bad_probabilities");
    System.arraycopy(extra, 0, aggregates, 4, extra.length);
    Row row = data.agg(aggregates[0], Arrays.copyOfRange(aggregates, 1, 4 + extra.length)).first();
    long rows = row.<Long>getAs("rows");
    long events = row.<Long>getAs("events");
    long badLabels = row.<Long>getAs("bad_labels");
    long badProbabilities = row.<Long>getAs("bad_probabilities");
    if (rows == 0) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot %s: no rows (label '%s', probability '%s')", action, label, probability));
    }
    if (badLabels > 0) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot %s: label column '%s' must be 0 or 1; %d of %d rows are null or another value",
              action, label, badLabels, rows));
    }
    if (badProbabilities > 0) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot %s: probability column '%s' must be in [0, 1]; %d of %d rows are null, NaN"
                  + " or outside",
              action, probability, badProbabilities, rows));
    }
    if (bothClasses && (events == 0 || events == rows)) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot %s: label column '%s' has only one class (%d events in %d rows)",
              action, label, events, rows));
    }
    return row;
  }

  private static void requireNumeric(Dataset<Row> data, String column, String action) {
    DataType type = data.schema().apply(column).dataType();
    if (!(type instanceof NumericType)) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot %s: column '%s' must be numeric, is %s",
              action, column, type.simpleString()));
    }
  }
}
