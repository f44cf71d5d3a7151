package com.creditseg.rfm;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.TransactionSchema;
import com.creditseg.transactions.TransactionValidator;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/**
 * Recency, frequency, monetary value and tenure per customer, as of the snapshot date and, for the
 * loyalty model, as of a cutoff date, with the label "bought again on or after the cutoff": all
 * from one distributed group-by per customer over the used transactions, after one by transaction
 * that collapses an invoice's lines (so frequency counts transactions); never a window over rows,
 * and both are hash aggregations that combine partially before they shuffle.
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

  /** Spend is summed in this type, exactly, and reported as a double. */
  private static final DecimalType EXACT = DataTypes.createDecimalType(38, 6);

  public static final String TENURE = "tenure_days";
  public static final String RETURNS = "returns";
  public static final String CAME_BACK = "came_back";
  public static final String CUTOFF = "cutoff_";
  private static final String BEFORE = "_before_cutoff";
  private static final String IS_PURCHASE = "_is_purchase";

  /** The per-customer features, the same as of the snapshot and (prefixed) as of the cutoff. */
  public static final List<String> FEATURES =
      List.of(RECENCY, FREQUENCY, MONETARY, TENURE, RETURNS);

  /** The features as of the cutoff and came_back: what the loyalty model learns from. */
  public static final List<String> CUTOFF_COLUMNS =
      Stream.concat(FEATURES.stream().map(f -> CUTOFF + f), Stream.of(CAME_BACK)).toList();

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
    Column cancellation = col(TransactionValidator.IS_CANCELLATION);
    // A missing transaction id counts the line as a transaction of its own time.
    Column key = coalesce(col(TransactionSchema.TRANSACTION_ID), time.cast("string"));
    // The lines of one transaction first (on one side of the cutoff): what makes frequency a count
    // of distinct transactions. Plain hash aggregation: count(DISTINCT) twice would expand every
    // line three times, and collect_set falls back to sorting above 128 customers per task.
    Dataset<Row> transactions =
        used.groupBy(
                col(TransactionSchema.CUSTOMER_ID),
                key.as("_key"),
                time.lt(lit(Timestamp.valueOf(cutoff.atStartOfDay()))).as(BEFORE))
            .agg(
                max(when(not(cancellation), 1).otherwise(0)).as(IS_PURCHASE),
                max(when(not(cancellation), time)).as("_last_purchase_time"),
                max(time).as("_last_time"),
                min(time).as("_first_time"),
                // Summed exactly (to the millionth): double sums merged in shuffle order differ
                // in their last bits between runs, and so would every model fitted on them.
                sum(col(TransactionValidator.NET_AMOUNT).cast(EXACT)).as("_net"),
                sum(when(cancellation, 1).otherwise(0)).as("_return_lines"));
    Column before = col(BEFORE);
    Column purchase = col(IS_PURCHASE).equalTo(1);
    List<Column> aggregates = new ArrayList<>(aggregates("", lit(true)));
    aggregates.addAll(aggregates(CUTOFF, before));
    aggregates.add(max(when(purchase.and(not(before)), 1).otherwise(0)).as(CAME_BACK));
    Dataset<Row> grouped =
        transactions
            .groupBy(TransactionSchema.CUSTOMER_ID)
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
   * first transaction, purchases, net spend and return lines.
   */
  private static List<Column> aggregates(String prefix, Column in) {
    Column purchase = in.and(col(IS_PURCHASE).equalTo(1));
    return List.of(
        max(when(purchase, col("_last_purchase_time"))).as(prefix + "_last_purchase"),
        max(when(in, col("_last_time"))).as(prefix + "_last_any"),
        min(when(in, col("_first_time"))).as(prefix + "_first"),
        sum(when(purchase, 1).otherwise(0)).as(prefix + "_frequency"),
        sum(when(in, col("_net"))).as(prefix + "_monetary"),
        sum(when(in, col("_return_lines")).otherwise(0)).as(prefix + "_returns"));
  }

  private static Map<String, Column> derived(String prefix, LocalDate asOf) {
    Column day = lit(Date.valueOf(asOf));
    Column first = col(prefix + "_first");
    Column present = first.isNotNull();
    Map<String, Column> out = new LinkedHashMap<>();
    out.put(
        prefix + RECENCY,
        datediff(
            day, to_date(coalesce(col(prefix + "_last_purchase"), col(prefix + "_last_any")))));
    out.put(prefix + FREQUENCY, when(present, col(prefix + "_frequency")));
    out.put(prefix + MONETARY, when(present, col(prefix + "_monetary").cast("double")));
    out.put(prefix + TENURE, datediff(day, to_date(first)));
    out.put(prefix + RETURNS, when(present, col(prefix + "_returns")));
    return out;
  }
}
