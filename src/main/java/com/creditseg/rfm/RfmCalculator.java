package com.creditseg.rfm;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.TransactionSchema;
import com.creditseg.transactions.TransactionValidator;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Recency, frequency, monetary value and tenure per customer, as of the snapshot date and, for the
 * loyalty model, as of a cutoff date, with the label "bought again on or after the cutoff": all
 * from one distributed group-by over the used transactions (never a window over them), so its cost
 * is one shuffle of partial aggregates.
 *
 * <p>Reads {@code customer_id}, {@code transaction_id}, {@code transaction_time}, {@code
 * net_amount} and {@code is_cancellation} ({@link TransactionValidator}). Writes one row per
 * customer:
 *
 * <ul>
 *   <li>{@code recency_days}: days from the last purchase (the last transaction of any kind for a
 *       customer with only returns) to the snapshot date; 1 for the day before it;
 *   <li>{@code frequency}: distinct purchase transactions (cancellations not counted);
 *   <li>{@code monetary}: net spend, purchases less cancellations and returns;
 *   <li>{@code tenure_days}: days from the first transaction to the snapshot date;
 *   <li>{@code returns}: cancellation and return lines, netted into monetary;
 *   <li>the same five with prefix {@code cutoff_}, from the transactions before the cutoff only
 *       (null for a customer who had none), and {@code came_back}: 1 when the customer made a
 *       purchase on or after the cutoff (and before the snapshot), else 0.
 * </ul>
 */
public final class RfmCalculator {
  public static final String RECENCY = "recency_days";
  public static final String FREQUENCY = "frequency";
  public static final String MONETARY = "monetary";
  public static final String TENURE = "tenure_days";
  public static final String RETURNS = "returns";
  public static final String CAME_BACK = "came_back";
  public static final String CUTOFF = "cutoff_";

  /** The per-customer features, the same as of the snapshot and (prefixed) as of the cutoff. */
  public static final List<String> FEATURES =
      List.of(RECENCY, FREQUENCY, MONETARY, TENURE, RETURNS);

  private final LocalDate snapshot;
  private final LocalDate cutoff;

  /**
   * @param snapshot the date as of which RFM is computed (transactions before its start count)
   * @param cutoff the loyalty model's cutoff, before snapshot
   */
  public RfmCalculator(LocalDate snapshot, LocalDate cutoff) {
    if (!cutoff.isBefore(snapshot)) {
      throw new IllegalArgumentException(
          "The cutoff " + cutoff + " must be before the snapshot " + snapshot);
    }
    this.snapshot = snapshot;
    this.cutoff = cutoff;
  }

  /** One row per customer with the features as of the snapshot and as of the cutoff. */
  public Dataset<Row> aggregate(Dataset<Row> used) {
    CustomerSchema.require(
        used,
        List.of(
            TransactionSchema.CUSTOMER_ID,
            TransactionSchema.TRANSACTION_ID,
            TransactionSchema.TRANSACTION_TIME,
            TransactionValidator.NET_AMOUNT,
            TransactionValidator.IS_CANCELLATION),
        "compute RFM");
    Column time = col(TransactionSchema.TRANSACTION_TIME);
    Column before = time.lt(lit(Timestamp.valueOf(cutoff.atStartOfDay())));
    Column purchase = not(col(TransactionValidator.IS_CANCELLATION));
    List<Column> aggregates = new ArrayList<>(aggregates("", lit(true)));
    aggregates.addAll(aggregates(CUTOFF, before));
    aggregates.add(max(when(purchase.and(not(before)), 1).otherwise(0)).as(CAME_BACK));
    Dataset<Row> grouped =
        used.groupBy(TransactionSchema.CUSTOMER_ID)
            .agg(
                aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
    Map<String, Column> derived = new LinkedHashMap<>();
    derived.putAll(derived("", snapshot));
    derived.putAll(derived(CUTOFF, cutoff));
    List<Column> out = new ArrayList<>();
    out.add(col(TransactionSchema.CUSTOMER_ID));
    derived.forEach((name, value) -> out.add(value.as(name)));
    out.add(col(CAME_BACK));
    return grouped.select(out.toArray(Column[]::new));
  }

  /** The features as of the snapshot, or as of the cutoff under the same names (and came_back). */
  public static Dataset<Row> asOfCutoff(Dataset<Row> rfm) {
    List<Column> out = new ArrayList<>();
    out.add(col(TransactionSchema.CUSTOMER_ID));
    FEATURES.forEach(f -> out.add(col(CUTOFF + f).as(f)));
    out.add(col(CAME_BACK));
    return rfm.filter(col(CUTOFF + TENURE).isNotNull()).select(out.toArray(Column[]::new));
  }

  /**
   * The aggregates of the transactions where {@code in} holds: last purchase, last transaction,
   * first transaction, distinct purchases, net spend and returns.
   */
  private static List<Column> aggregates(String prefix, Column in) {
    Column time = col(TransactionSchema.TRANSACTION_TIME);
    Column cancellation = col(TransactionValidator.IS_CANCELLATION);
    Column purchase = in.and(not(cancellation));
    // A missing transaction id counts the line as a transaction of its own time.
    Column key = coalesce(col(TransactionSchema.TRANSACTION_ID), time.cast("string"));
    return List.of(
        max(when(purchase, time)).as(prefix + "_last_purchase"),
        max(when(in, time)).as(prefix + "_last_any"),
        min(when(in, time)).as(prefix + "_first"),
        // A set per customer, bounded by that customer's transactions, keeps this one group-by
        // (count(DISTINCT) twice would expand every row three times).
        size(collect_set(when(purchase, key))).as(prefix + "_frequency"),
        sum(when(in, col(TransactionValidator.NET_AMOUNT))).as(prefix + "_monetary"),
        sum(when(in.and(cancellation), 1).otherwise(0)).as(prefix + "_returns"));
  }

  private static Map<String, Column> derived(String prefix, LocalDate asOf) {
    Column day = lit(java.sql.Date.valueOf(asOf));
    Column first = col(prefix + "_first");
    Column present = first.isNotNull();
    Map<String, Column> out = new LinkedHashMap<>();
    out.put(
        prefix + RECENCY,
        datediff(
            day, to_date(coalesce(col(prefix + "_last_purchase"), col(prefix + "_last_any")))));
    out.put(prefix + FREQUENCY, when(present, col(prefix + "_frequency")));
    out.put(prefix + MONETARY, when(present, col(prefix + "_monetary")));
    out.put(prefix + TENURE, datediff(day, to_date(first)));
    out.put(prefix + RETURNS, when(present, col(prefix + "_returns")));
    return out;
  }
}
