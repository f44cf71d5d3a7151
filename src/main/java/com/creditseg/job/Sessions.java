package com.creditseg.job;

import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SparkSession a subcommand runs in, and every setting a run tunes for its input. Each setting
 * is left alone when the user set it (spark-submit, --conf, spark-defaults or a system property).
 */
final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

  /** Below this many customers, expressions are interpreted instead of compiled. */
  static final long INTERPRET_BELOW_ROWS = 50_000;

  /** What makes a run interpret its expressions. */
  private static final Map<String, String> INTERPRETED =
      Map.of(
          "spark.sql.codegen.wholeStage", "false", "spark.sql.codegen.factoryMode", "NO_CODEGEN");

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

  /** Sizes the shuffle partitions and the code generation of {@code spark} to {@code rows}. */
  static void sizeFor(SparkSession spark, long rows) {
    sizeShufflePartitions(spark, rows);
    interpretSmallInputs(spark, rows);
  }

  /**
   * Sizes spark.sql.shuffle.partitions to the input: one partition per 2 million customers, at
   * least one per core. Spark's default (200) made every shuffle of a few thousand rows pay for 200
   * tasks; adaptive execution still coalesces small partitions.
   */
  private static void sizeShufflePartitions(SparkSession spark, long rows) {
    String key = "spark.sql.shuffle.partitions";
    if (!userSet(spark, key)) {
      long partitions =
          Math.max(spark.sparkContext().defaultParallelism(), (rows + 1_999_999) / 2_000_000);
      spark.conf().set(key, partitions);
      LOG.info("{} = {} for {} customers", key, partitions, rows);
    }
  }

  /**
   * Below {@value #INTERPRET_BELOW_ROWS} customers, turns off whole-stage code generation and
   * evaluates expressions without generated classes. A run issues hundreds of distinct queries,
   * each compiled to Java (Janino) and then to machine code (the JIT) once per run, which on a few
   * thousand rows costs more than evaluating them (docs/performance.md has the measurements). The
   * segments and scores are the same either way; sums may add in another order (SegmentationJobTest
   * compares).
   */
  private static void interpretSmallInputs(SparkSession spark, long rows) {
    Map<String, String> interpreted = interpretedBelow(rows, key -> userSet(spark, key));
    interpreted.forEach(spark.conf()::set);
    if (!interpreted.isEmpty()) {
      LOG.info("{} customers: expressions interpreted, not compiled ({})", rows, interpreted);
    }
  }

  /**
   * The SQL settings that make a run of {@code rows} customers interpret its expressions: none at
   * or above {@value #INTERPRET_BELOW_ROWS} customers or when the user set either key.
   */
  static Map<String, String> interpretedBelow(long rows, Predicate<String> userSet) {
    return rows >= INTERPRET_BELOW_ROWS || INTERPRETED.keySet().stream().anyMatch(userSet)
        ? Map.of()
        : INTERPRETED;
  }

  /**
   * Runs {@code write} without whole-stage code generation, unless the user set {@code
   * spark.sql.codegen.wholeStage}. Whole-stage codegen would compile the segment pass's projection
   * (flags, cleaning, credit score, WoE bins, scorecard, assignment) into one method of tens of
   * kilobytes of bytecode: from a CSV read lazily it outgrew Java's 64 KB limit (Janino failed
   * before Spark fell back), and below that HotSpot's C2 compiler sometimes gave up on it or
   * recompiled it in a loop, which made the pass several times slower from one run to the next.
   * Without it, Spark runs the pass's operators one by one, each with its expressions compiled and
   * split into methods small enough for the JIT. The other passes keep whole-stage codegen, which
   * is faster for them. A small input's interpreted setting is restored afterwards.
   */
  static void withoutWholeStageCodegen(SparkSession spark, Runnable write) {
    String key = "spark.sql.codegen.wholeStage";
    if (userSet(spark, key)) {
      write.run();
      return;
    }
    Optional<String> before = Optional.ofNullable(spark.conf().get(key, null));
    spark.conf().set(key, "false");
    try {
      write.run();
    } finally {
      before.ifPresentOrElse(v -> spark.conf().set(key, v), () -> spark.conf().unset(key));
    }
  }
}
