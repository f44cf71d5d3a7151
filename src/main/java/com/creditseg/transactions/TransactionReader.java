package com.creditseg.transactions;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.try_to_timestamp;
import static org.apache.spark.sql.functions.when;

import com.creditseg.config.InputSettings;
import com.creditseg.config.InputSettings.ColumnSource;
import com.creditseg.config.InputSettings.ExtraColumn;
import com.creditseg.config.TransactionSettings;
import com.creditseg.io.CustomerReader;
import com.creditseg.schema.ColumnArrays;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.Names;
import com.creditseg.schema.ReasonCode;
import com.creditseg.schema.TransactionSchema;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Reads transactions (Parquet or CSV) onto {@link TransactionSchema} through {@code
 * transactions.input}: the customers' {@link CustomerReader} does the reading and mapping (source
 * names, expressions, missing-value markers, decimal and thousands separators, {@code parse_errors}
 * and {@code source_record}), with the transaction columns declared to it as typed columns. This
 * class adds what is particular to transactions: {@code transaction_time} parsed as a timestamp
 * with {@code transactions.date-formats} (or the column's own date-format), and {@code amount} as
 * {@code quantity × unit_price} when the source has no amount.
 *
 * <p>Result: the transaction columns present, in schema order ({@code transaction_time} a
 * timestamp, numbers doubles), then {@code parse_errors} ({@code code:column}: {@code
 * not_a_number}, {@code invalid_date:transaction_time}, {@code expression_error}, {@code
 * malformed_line}) and {@code source_record}.
 */
public final class TransactionReader {
  private final SparkSession spark;
  private final TransactionSettings settings;
  private final LocalDate runDate;

  /** The mapped transactions, how many the source holds, and what reading them warned about. */
  public record Input(Dataset<Row> transactions, long rows, List<String> warnings) {}

  public TransactionReader(SparkSession spark, TransactionSettings settings, LocalDate runDate) {
    this.spark = spark;
    this.settings = settings;
    this.runDate = runDate;
  }

  /**
   * Reads and maps; fails with {@link InputContractException} when the path is missing, a mapped
   * source column is not there, or a required column cannot be found.
   */
  public Input read() {
    InputSettings base = settings.input();
    List<String> source = new CustomerReader(spark, base, runDate).sourceColumns();
    Mapping mapping = mapping(base, source);
    Map<String, String> required = new LinkedHashMap<>();
    required.put(
        TransactionSchema.TRANSACTION_ID,
        "what frequency counts (map it with transactions.input.mapping.columns.transaction_id)");
    required.put(
        TransactionSchema.TRANSACTION_TIME,
        "what recency is measured from (transactions.input.mapping.columns.transaction_time)");
    CustomerReader.Input read = new CustomerReader(spark, mapping.input(), runDate).read(required);
    if (read.customerIdDerived()) {
      throw new InputContractException(
          String.format(
              "Required column customer_id not found in %s: transactions are aggregated per"
                  + " customer (mapping '%s'; map it with"
                  + " transactions.input.mapping.columns.customer_id; columns found: %s)",
              base.path(), settings.mappingName(), String.join(", ", source)));
    }
    Dataset<Row> rows = read.customers();
    List<String> present = List.of(rows.columns());
    boolean hasAmount = present.contains(TransactionSchema.AMOUNT);
    boolean hasLines =
        present.contains(TransactionSchema.QUANTITY)
            && present.contains(TransactionSchema.UNIT_PRICE);
    if (!hasAmount && !hasLines) {
      throw new InputContractException(
          String.format(
              "Neither amount nor quantity and unit_price found in %s: monetary value needs one"
                  + " (mapping '%s'; columns found: %s)",
              base.path(), settings.mappingName(), String.join(", ", source)));
    }
    return new Input(
        rows.select(canonical(present, hasAmount, mapping.timeFormat())),
        read.rows(),
        read.warnings());
  }

  /**
   * The customers' input settings with the transaction columns declared to the customer reader, and
   * the time column's own date-format (null when it has none).
   */
  private record Mapping(InputSettings input, String timeFormat) {}

  /**
   * Each transaction column from {@code transactions.input.mapping}, else from the source column of
   * the same name: {@code customer_id} as the customers' id, the others as typed extra columns,
   * {@code transaction_time} as text.
   */
  private Mapping mapping(InputSettings base, List<String> source) {
    Map<String, ColumnSource> customerColumns = new TreeMap<>();
    Map<String, ExtraColumn> extras = new TreeMap<>();
    String timeFormat = null;
    for (String c : TransactionSchema.columns()) {
      ColumnSource from = settings.columns().get(c);
      if (from == null) {
        from = sameName(c, source);
        if (from == null) {
          continue;
        }
      }
      if (c.equals(TransactionSchema.TRANSACTION_TIME)) {
        // Read as text; parsed here, as a timestamp rather than the customers' months-before.
        timeFormat = from.dateFormat();
        from =
            new ColumnSource(from.source(), from.expression(), from.multiply(), null, null, null);
      }
      if (c.equals(TransactionSchema.CUSTOMER_ID)) {
        customerColumns.put(c, from);
      } else {
        String type =
            DataTypes.DoubleType.equals(TransactionSchema.typeOf(c)) ? "double" : "string";
        extras.put(c, new ExtraColumn(c, from, type, List.of()));
      }
    }
    InputSettings mapped =
        new InputSettings(
            base.path(),
            base.format(),
            base.csv(),
            new InputSettings.ColumnMapping(
                settings.mappingName(), customerColumns, Map.of(), Map.copyOf(extras)),
            base.placeholderIds());
    return new Mapping(mapped, timeFormat);
  }

  /**
   * The transaction columns present, in schema order, with {@code transaction_time} parsed and
   * {@code amount} derived when the source has none, then {@code parse_errors} (with the times that
   * did not parse) and {@code source_record}.
   */
  private Column[] canonical(List<String> present, boolean hasAmount, String timeFormat) {
    List<Column> out = new ArrayList<>();
    Column errors = col(CustomerSchema.PARSE_ERRORS);
    for (String c : TransactionSchema.columns()) {
      if (c.equals(TransactionSchema.TRANSACTION_TIME)) {
        // A Parquet long (pandas' nanoseconds) stays a long through the reader; as text it is the
        // digits the epoch attempt reads.
        Column text = col(c).cast(DataTypes.StringType);
        Column time = parsedTime(text, timeFormat);
        out.add(time.as(c));
        errors =
            concat(
                errors,
                ColumnArrays.nonNull(
                    List.of(
                        when(
                            text.isNotNull().and(time.isNull()),
                            lit(ReasonCode.INVALID_DATE.on(c))))));
      } else if (c.equals(TransactionSchema.AMOUNT)) {
        out.add(
            (hasAmount
                    ? col(c)
                    : col(TransactionSchema.QUANTITY).multiply(col(TransactionSchema.UNIT_PRICE)))
                .as(c));
      } else if (present.contains(c)) {
        out.add(col(c));
      }
    }
    out.add(errors.as(CustomerSchema.PARSE_ERRORS));
    out.add(col(CustomerSchema.SOURCE_RECORD));
    return out.toArray(Column[]::new);
  }

  /**
   * The first reading of the time's text that works: the column's own date-format, else each of
   * {@code transactions.date-formats} and then ISO; else a count since 1970 ({@link #epoch}).
   */
  private Column parsedTime(Column text, String timeFormat) {
    List<Column> attempts = new ArrayList<>();
    if (timeFormat != null) {
      attempts.add(try_to_timestamp(text, lit(timeFormat)));
    } else {
      settings.timeFormats().forEach(f -> attempts.add(try_to_timestamp(text, lit(f))));
      // ISO forms and the text of a Parquet timestamp or date column.
      attempts.add(text.try_cast(DataTypes.TimestampType));
    }
    attempts.add(epoch(text));
    return coalesce(attempts.toArray(Column[]::new));
  }

  /**
   * A time written as a count since 1970 (10 to 19 digits: seconds, milliseconds, microseconds or
   * nanoseconds, told apart by their digits; a pandas Parquet timestamp in nanoseconds reads as
   * such a number), else null.
   */
  static Column epoch(Column text) {
    Column digits = length(text);
    Column divisor = pow(lit(10.0), floor(digits.minus(10).divide(3)).multiply(3));
    return when(
        text.rlike("^[0-9]{10,19}$"),
        timestamp_seconds(text.cast(DataTypes.DoubleType).divide(divisor)));
  }

  /** The source column a canonical column is read from when the mapping does not name one. */
  private static ColumnSource sameName(String canonical, List<String> source) {
    for (String s : source) {
      if (Names.canonicalForm(s).equals(canonical)) {
        return ColumnSource.named(s);
      }
    }
    for (String s : source) {
      if (Names.lettersAndDigits(s).equals(canonical.replace("_", ""))) {
        return ColumnSource.named(s);
      }
    }
    return null;
  }
}
