package com.creditseg.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.sum;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.TransactionSchema;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Names the customer id with the most purchases when it holds more than {@code
 * transactions.max-id-share} of them: most often a placeholder for "unknown" that {@code
 * transactions.input.placeholder-ids} does not list, which would otherwise head every ranking
 * unremarked. Reads {@code customer_id} and {@code frequency} of the per-customer table ({@link
 * RfmCalculator}); one small job.
 */
public final class CommonestIdCheck {
  private final double maxIdShare;

  /**
   * @param maxIdShare {@code transactions.max-id-share}, the share of purchases one id may hold
   */
  public CommonestIdCheck(double maxIdShare) {
    this.maxIdShare = maxIdShare;
  }

  /** The warning to give, if the commonest id holds more than its share. */
  public Optional<String> warning(Dataset<Row> rfm) {
    CustomerSchema.require(
        rfm,
        List.of(TransactionSchema.CUSTOMER_ID, RfmCalculator.FREQUENCY),
        "check the commonest customer id");
    Row top =
        rfm.agg(
                max_by(col(TransactionSchema.CUSTOMER_ID), col(RfmCalculator.FREQUENCY)).as("id"),
                max(col(RfmCalculator.FREQUENCY)).as("most"),
                sum(col(RfmCalculator.FREQUENCY)).as("all"))
            .first();
    Number most = top.getAs("most");
    Number all = top.getAs("all");
    if (most == null || all == null || all.equals(0L)) {
      return Optional.empty();
    }
    double share = most.doubleValue() / all.doubleValue();
    if (share <= maxIdShare) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "customer_id '%s' holds %.1f %% of the purchases (%,d of %,d), above"
                + " transactions.max-id-share = %s: if it stands for an unknown customer, add it"
                + " to transactions.input.placeholder-ids",
            top.<Object>getAs("id"),
            100 * share,
            most.longValue(),
            all.longValue(),
            maxIdShare));
  }
}
