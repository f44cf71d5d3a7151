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
    return builder.getOrCreate();
  }
}
