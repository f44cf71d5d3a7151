package com.creditseg.concurrent;

import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps run side by side, as {@link SideBySide} runs them, that can also be stopped half-way: every
 * Spark job they start belongs to one job group of their own, so that {@link #cancel} stops the
 * jobs that run and those they would start next (a caller that gives up early frees the cores at
 * once, rather than waiting for steps whose results nobody reads). One thread per core of the
 * session's default parallelism.
 */
public final class CancellableSteps implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CancellableSteps.class);

  private final SparkContext spark;
  private final ExecutorService pool;
  private final String jobGroup;
  private final String what;
  private final AtomicLong lastDone = new AtomicLong();

  /**
   * @param group the prefix of the steps' Spark job group (a random suffix keeps it unique)
   * @param what what the steps compute, for the Spark UI and the message of a failure
   */
  public CancellableSteps(SparkSession spark, String group, String what) {
    this.spark = spark.sparkContext();
    this.pool = Executors.newFixedThreadPool(Math.max(1, this.spark.defaultParallelism()));
    this.jobGroup = group + "-" + UUID.randomUUID();
    this.what = what;
  }

  /** Runs {@code step} on the pool, its Spark jobs in the steps' job group. */
  public <T> Future<T> submit(Callable<T> step) {
    return pool.submit(
        () -> {
          spark.setJobGroup(jobGroup, what, true);
          try {
            return step.call();
          } finally {
            lastDone.accumulateAndGet(System.nanoTime(), Math::max);
          }
        });
  }

  /** The step's result once it is done; its own exception if it failed with one. */
  public <T> T join(Future<T> step) {
    return SideBySide.joined(step, what);
  }

  /** {@link System#nanoTime()} when the last step to end ended (0 before any did). */
  public long lastDoneNanos() {
    return lastDone.get();
  }

  /** Cancels the steps' running Spark jobs and those they would submit next. */
  public void cancel(String reason) {
    spark.cancelJobGroupAndFutureJobs(jobGroup, reason);
  }

  /** Interrupts the steps that still run and waits for their threads to end. */
  @Override
  public void close() {
    pool.shutdownNow();
    try {
      if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
        LOG.warn("Computing {}: a step still runs two minutes after its cancellation", what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
