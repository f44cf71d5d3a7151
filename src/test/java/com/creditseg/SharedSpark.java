package com.creditseg;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One local SparkSession for the whole test JVM (STYLE.md 9): {@code local[2]}, UI off, two shuffle
 * partitions, bound to 127.0.0.1. Register with {@code @ExtendWith(SharedSpark.class)} and call
 * {@link #spark()}.
 */
public final class SharedSpark implements BeforeAllCallback {
  private static SparkSession session;

  @Override
  public void beforeAll(ExtensionContext context) {
    spark();
  }

  public static synchronized SparkSession spark() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("creditseg-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.session.timeZone", "UTC")
              // Compiled code, as large inputs run: left alone, a job would interpret the tests'
              // small inputs (Sessions.interpretedBelow). SegmentationJobTest runs the
              // interpreted way once and compares.
              .config("spark.sql.codegen.wholeStage", "true")
              .config("spark.sql.codegen.factoryMode", "FALLBACK")
              // Generated code that does not compile fails the test instead of being logged as an
              // error and run another way (as a 10M-customer CSV's segment pass was).
              .config("spark.sql.codegen.fallback", "false")
              .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }
}
