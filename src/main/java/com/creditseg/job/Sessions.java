package com.creditseg.job;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The SparkSession a subcommand runs in. */
final class Sessions {
  private Sessions() {}

  /** The session spark-submit configured; local mode on 127.0.0.1 when started without a master. */
  static SparkSession get(String name) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(name)
            // Let adaptive execution coalesce the shuffle partitions of persisted stages too.
            .config("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "true");
    if (!new SparkConf().contains("spark.master")) {
      builder
          .master("local[*]")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1");
    }
    SparkSession spark = builder.getOrCreate();
    // Unless the user set them: each concurrent writer keeps one segment's file open, so the
    // segments are written as they come instead of sorted by segment first (the sort took about a
    // fifth of the segment pass at 10M); a task with more segments than writers falls back to the
    // sort. And an input of few large files is read in at least four splits per core, so that the
    // last split does not leave cores idle (10M generated customers came in 2 files, 5 splits).
    setUnlessSet(spark, "spark.sql.maxConcurrentOutputFileWriters", "16");
    // pandas writes Parquet timestamps in nanoseconds, which Spark cannot read as timestamps and
    // otherwise refuses: read as longs, they are turned into times by the transaction reader.
    setUnlessSet(spark, "spark.sql.legacy.parquet.nanosAsLong", "true");
    setUnlessSet(
        spark,
        "spark.sql.files.minPartitionNum",
        String.valueOf(4 * spark.sparkContext().defaultParallelism()));
    return spark;
  }

  /**
   * Whether the user set {@code key} (spark-submit, --conf, spark-defaults or a system property).
   */
  static boolean userSet(SparkSession spark, String key) {
    return spark.sparkContext().getConf().contains(key);
  }

  private static void setUnlessSet(SparkSession spark, String key, String value) {
    if (!userSet(spark, key)) {
      spark.conf().set(key, value);
    }
  }
}
