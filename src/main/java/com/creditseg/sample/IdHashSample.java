package com.creditseg.sample;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import com.creditseg.schema.CustomerSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A sample of about {@code target} of {@code rows} customers chosen by a hash of their id: the same
 * customers on every run, whatever the input's partitioning or order, and every copy of an id in or
 * out together. Samples of different sizes from one population are nested (a smaller one is a
 * subset of a larger one), so one materialised sample can serve several uses.
 *
 * <p>Every customer falls in one of {@value #BUCKETS} buckets by {@code xxhash64(customer_id)}; a
 * sample keeps the buckets below {@code BUCKETS * target / rows} (at least one). With {@code rows
 * <= target} it keeps everything.
 */
public record IdHashSample(long rows, long target) {
  public static final long BUCKETS = 1_000_000;

  public IdHashSample {
    if (rows < 0 || target < 1) {
      throw new IllegalArgumentException(
          "Cannot sample " + target + " of " + rows + " customers: need rows >= 0, target >= 1");
    }
  }

  /** True when the sample is the whole population. */
  public boolean isEverything() {
    return rows <= target;
  }

  /** The buckets kept: customers whose bucket is below this. */
  public long bucketsKept() {
    return isEverything() ? BUCKETS : Math.max(1, BUCKETS * target / rows);
  }

  /** The customer's bucket, in [0, BUCKETS). */
  public static Column bucket() {
    return pmod(xxhash64(col(CustomerSchema.CUSTOMER_ID)), lit(BUCKETS));
  }

  /** True for the customers in the sample. */
  public Column contains() {
    return isEverything() ? lit(true) : bucket().lt(bucketsKept());
  }

  /** The sampled customers of {@code customers}, lazily. */
  public Dataset<Row> of(Dataset<Row> customers) {
    return isEverything() ? customers : customers.filter(contains());
  }

  /** Customers per partition of {@link #stableLayout}. */
  public static final long ROWS_PER_PARTITION = 100_000;

  /**
   * {@code sample} (about {@code rows} customers, bounded) repartitioned by a hash of the id into
   * one partition per {@value #ROWS_PER_PARTITION} customers (1 to 64) and sorted by id within
   * each: the same rows in the same partitions and order on every run, whatever the input's
   * partitioning and however many cores run it. What is fitted on a bounded sample reads it this
   * way: KMeans' initialisation and the random forest's bootstrap draw per partition, so this is
   * what makes reruns identical (with one caveat: a fit whose floating-point sums are merged on the
   * driver as tasks finish, as MLlib's regressions do, must read one partition for that). Few
   * partitions also keep down what every task of an iterative fit pays (its closure deserialised,
   * its cached block sized), which for hundreds of small jobs is most of their cost.
   */
  public static Dataset<Row> stableLayout(Dataset<Row> sample, long rows) {
    Column id = col(CustomerSchema.CUSTOMER_ID);
    int partitions = (int) Math.max(1, Math.min(64, rows / ROWS_PER_PARTITION));
    return sample.repartition(partitions, id).sortWithinPartitions(id);
  }

  /** Whichever of two samples of the same population is larger. */
  public IdHashSample union(IdHashSample other) {
    return bucketsKept() >= other.bucketsKept() ? this : other;
  }
}
