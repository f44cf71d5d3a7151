package com.creditseg.sample;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import com.creditseg.schema.CustomerSchema;
import org.apache.spark.sql.Column;

/**
 * The deterministic train/validation split: a customer is held out when a salted hash of their id
 * falls in the first {@code validationShare} of its range, so a rerun, or another partitioning of
 * the same customers, holds out the same ones. The salt makes the split independent of the id-hash
 * samples (which hash the id unsalted). Cross-validation folds come from the same hash.
 */
public record HoldoutSplit(double validationShare) {
  private static final long BUCKETS = 10_000;

  public HoldoutSplit {
    if (!(validationShare > 0 && validationShare < 1)) {
      throw new IllegalArgumentException(
          "validation share " + validationShare + " is not in (0, 1)");
    }
  }

  private static Column bucket() {
    return pmod(xxhash64(lit("creditseg-holdout"), col(CustomerSchema.CUSTOMER_ID)), lit(BUCKETS));
  }

  /** True for the customers held out for validation. */
  public Column isValidation() {
    return bucket().lt(Math.round(BUCKETS * validationShare));
  }

  /** The customer's cross-validation fold, in [0, folds). */
  public static Column fold(int folds) {
    return pmod(bucket(), lit(folds));
  }
}
