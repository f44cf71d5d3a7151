package com.creditseg.transactions;

import com.creditseg.io.RunOutput;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;

/**
 * The validate step of {@code rfm}: {@link #quarantine} makes one pass over the mapped transactions
 * that flags every row ({@link TransactionValidator}), writes the quarantined ones to the run's
 * output and counts, on the way ({@code Dataset.observe}), the rows, the used rows, the used
 * cancellations and the last used transaction time; {@link #reconcile} then counts the quarantine
 * written, checks {@code rows_in = rows_used + rows_quarantined} and counts the reasons. {@link
 * #used} gives the rows RFM aggregates, flagged the same way.
 */
public final class TransactionCheck {
  private final TransactionValidator validator;
  private final RunOutput output;

  /** What the validation pass counted: every row it saw, the used ones among them. */
  public record Counts(long rowsSeen, long used, long cancellations, Timestamp lastTransaction) {}

  /**
   * The reconciled row counts: {@code in = used + quarantined}, {@code cancellations} among the
   * used rows (netted); {@code lastTransaction} is the last used transaction's time (null when none
   * is used) and {@code reasons} the quarantined rows per reason ({@code code:column}).
   */
  public record Result(
      long in,
      long used,
      long quarantined,
      long cancellations,
      boolean reconciled,
      Timestamp lastTransaction,
      Map<String, Long> reasons) {}

  public TransactionCheck(TransactionValidator validator, RunOutput output) {
    this.validator = validator;
    this.output = output;
  }

  /** Writes the quarantine of {@code transactions} and counts them in the same pass. */
  public Counts quarantine(Dataset<Row> transactions) {
    Observation observation = new Observation("transactions");
    List<Column> counters = TransactionValidator.counters();
    output.writeQuarantine(
        TransactionValidator.quarantine(
            validator
                .flag(transactions)
                .observe(
                    observation,
                    counters.get(0),
                    counters.subList(1, counters.size()).toArray(Column[]::new))));
    Row counted = observation.getRow();
    return new Counts(
        counted.<Long>getAs("rows"),
        orZero(counted, "used"),
        orZero(counted, "cancellations"),
        counted.getAs("last_time"));
  }

  /**
   * Reconciles {@code counts} with the source's {@code rowsIn} and the quarantine written; throws
   * {@link IllegalStateException} when they do not add up, which is a bug, not bad data.
   */
  public Result reconcile(Counts counts, long rowsIn) {
    Dataset<Row> quarantine = output.staged(RunOutput.QUARANTINE);
    long quarantined = quarantine.count();
    boolean reconciled = counts.rowsSeen() == rowsIn && rowsIn == counts.used() + quarantined;
    if (!reconciled) {
      throw new IllegalStateException(
          String.format(
              "Row counts do not reconcile: %d rows in, %d used, %d quarantined (rows seen by the"
                  + " validation pass: %d)",
              rowsIn, counts.used(), quarantined, counts.rowsSeen()));
    }
    return new Result(
        rowsIn,
        counts.used(),
        quarantined,
        counts.cancellations(),
        reconciled,
        counts.lastTransaction(),
        TransactionValidator.reasonCounts(quarantine));
  }

  /** The rows of {@code transactions} that {@link #quarantine} keeps out of the quarantine. */
  public Dataset<Row> used(Dataset<Row> transactions) {
    return TransactionValidator.used(validator.flag(transactions));
  }

  private static long orZero(Row row, String name) {
    Long value = row.getAs(name);
    return value == null ? 0 : value;
  }
}
