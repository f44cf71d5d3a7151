package com.creditseg.transactions;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import com.creditseg.schema.ColumnArrays;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.ReasonCode;
import com.creditseg.schema.SourceRecord;
import com.creditseg.schema.TransactionSchema;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Checks mapped transactions ({@link TransactionReader}'s result) and splits them into the rows RFM
 * uses and the quarantine, so that {@code rows_in = rows_used + rows_quarantined}.
 *
 * <p>A row is quarantined, with every reason as {@code code:column} in {@code reasons}, for: what
 * the reader could not convert ({@code parse_errors}); a null or blank {@code customer_id} ({@code
 * missing_id}); no time or no amount ({@code missing_value}); a NaN or infinite amount; a zero
 * {@code unit_price} or amount ({@code zero_price}); a negative {@code unit_price} ({@code
 * out_of_range}); a time on or after the snapshot date when one is given ({@code after_snapshot}).
 *
 * <p>A used row is a cancellation or return ({@code is_cancellation}) when its amount is negative
 * (a negative quantity) or its {@code transaction_id} matches the cancellation pattern; its {@code
 * net_amount} is then {@code -|amount|}, so it is netted against the customer's spend.
 */
public final class TransactionValidator {
  public static final String REASONS = "reasons";
  public static final String NET_AMOUNT = "net_amount";
  public static final String IS_CANCELLATION = "is_cancellation";

  private final String cancellationIdPattern;
  private final LocalDate snapshot;

  /**
   * @param cancellationIdPattern regular expression on transaction_id; "" for none
   * @param snapshot rows at or after this date's start are quarantined; null for no limit
   */
  public TransactionValidator(String cancellationIdPattern, LocalDate snapshot) {
    this.cancellationIdPattern = cancellationIdPattern;
    this.snapshot = snapshot;
  }

  /** Adds {@code reasons} (empty for a usable row), {@code is_cancellation} and net_amount. */
  public Dataset<Row> flag(Dataset<Row> transactions) {
    List<String> present = List.of(transactions.columns());
    Column id = col(TransactionSchema.CUSTOMER_ID);
    Column time = col(TransactionSchema.TRANSACTION_TIME);
    Column amount = col(TransactionSchema.AMOUNT);
    Column parsed = size(col(CustomerSchema.PARSE_ERRORS)).equalTo(0);
    List<Column> checks = new ArrayList<>();
    checks.add(
        when(
            id.isNull().or(trim(id).equalTo("")),
            lit(ReasonCode.MISSING_ID.on(TransactionSchema.CUSTOMER_ID))));
    checks.add(
        when(
            time.isNull().and(parsed),
            lit(ReasonCode.MISSING_VALUE.on(TransactionSchema.TRANSACTION_TIME))));
    if (present.contains(TransactionSchema.UNIT_PRICE)) {
      Column price = col(TransactionSchema.UNIT_PRICE);
      checks.add(
          when(price.equalTo(0), lit(ReasonCode.ZERO_PRICE.on(TransactionSchema.UNIT_PRICE)))
              .when(price.lt(0), lit(ReasonCode.OUT_OF_RANGE.on(TransactionSchema.UNIT_PRICE))));
    }
    checks.add(
        when(amount.isNull().and(parsed), lit(ReasonCode.MISSING_VALUE.on("amount")))
            .when(isnan(amount), lit(ReasonCode.NOT_A_NUMBER.on("amount")))
            .when(
                amount.isin(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY),
                lit(ReasonCode.INFINITE.on("amount")))
            .when(amount.equalTo(0), lit(ReasonCode.ZERO_PRICE.on("amount"))));
    if (snapshot != null) {
      checks.add(
          when(
              time.geq(lit(Timestamp.valueOf(snapshot.atStartOfDay()))),
              lit(ReasonCode.AFTER_SNAPSHOT.on(TransactionSchema.TRANSACTION_TIME))));
    }
    Column cancellation = amount.lt(0);
    if (!cancellationIdPattern.isEmpty() && present.contains(TransactionSchema.TRANSACTION_ID)) {
      cancellation =
          cancellation.or(
              col(TransactionSchema.TRANSACTION_ID).rlike(cancellationIdPattern).equalTo(true));
    }
    return transactions
        .withColumn(REASONS, concat(col(CustomerSchema.PARSE_ERRORS), ColumnArrays.nonNull(checks)))
        .withColumn(IS_CANCELLATION, cancellation.equalTo(true))
        .withColumn(
            NET_AMOUNT,
            when(col(IS_CANCELLATION), functions.negate(abs(amount))).otherwise(amount));
  }

  /** True for a row {@link #flag} found nothing wrong with. */
  public static Column isUsed() {
    return size(col(REASONS)).equalTo(0);
  }

  /** The rows RFM uses, without the flagging columns. */
  public static Dataset<Row> used(Dataset<Row> flagged) {
    return flagged
        .filter(isUsed())
        .drop(REASONS, CustomerSchema.PARSE_ERRORS, CustomerSchema.SOURCE_RECORD);
  }

  /**
   * The quarantined rows with {@code reason} and {@code reason_column} (the first reason) and the
   * source record as JSON, as the customers' quarantine has them.
   */
  public static Dataset<Row> quarantine(Dataset<Row> flagged) {
    Column first = split(try_element_at(col(REASONS), lit(1)), ":");
    return flagged
        .filter(isUsed().unary_$bang())
        .withColumn(
            CustomerSchema.SOURCE_RECORD,
            SourceRecord.text(flagged.schema(), col(CustomerSchema.SOURCE_RECORD)))
        .withColumn("reason", first.getItem(0))
        .withColumn("reason_column", first.getItem(1))
        .drop(CustomerSchema.PARSE_ERRORS, IS_CANCELLATION, NET_AMOUNT);
  }

  /**
   * Aggregates over {@link #flag}'s result, for {@code Dataset.observe} during the quarantine pass:
   * rows, used rows, used cancellations, and the last used transaction time.
   */
  public static List<Column> counters() {
    return List.of(
        count(lit(1)).as("rows"),
        sum(when(isUsed(), 1).otherwise(0)).as("used"),
        sum(when(isUsed().and(col(IS_CANCELLATION)), 1).otherwise(0)).as("cancellations"),
        max(when(isUsed(), col(TransactionSchema.TRANSACTION_TIME))).as("last_time"));
  }

  /** Quarantined rows per reason ({@code code:column}), from a (small) quarantine. */
  public static Map<String, Long> reasonCounts(Dataset<Row> quarantine) {
    Map<String, Long> counts = new TreeMap<>();
    quarantine
        .select(explode(col(REASONS)).as("r"))
        .groupBy("r")
        .count()
        .collectAsList()
        .forEach(r -> counts.put(r.getAs("r"), r.getAs("count")));
    return counts;
  }
}
