package com.creditseg.concurrent;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.SparkSession;

/**
 * Independent steps, each a few Spark jobs, run side by side from a bounded pool of driver threads
 * (the KMeans seeds; the supervised models' steps, in their own cancellable pool, are joined with
 * {@link #joined}). A step on a bounded sample is mostly driver work and Spark's fixed cost per
 * job, which leave the cores idle between jobs; steps side by side fill them. (Steps that are full
 * scans gain nothing: the report's five reads of the customers took about as long side by side as
 * one after the other, and the profile's two aggregations the same as before.) Results never depend
 * on the order the jobs run in.
 *
 * <p>Closing stops waiting threads; Spark jobs already submitted finish on their own.
 */
public final class SideBySide implements AutoCloseable {
  private final ExecutorService pool;
  private final String what;

  /**
   * @param steps how many steps will be submitted (the pool never has more threads)
   * @param perCore the most steps at once per core of the session's default parallelism
   * @param what what the steps compute, for the message of a failure
   */
  public SideBySide(SparkSession spark, int steps, int perCore, String what) {
    int cores = Math.max(1, spark.sparkContext().defaultParallelism());
    this.pool = Executors.newFixedThreadPool(Math.max(1, Math.min(steps, perCore * cores)));
    this.what = what;
  }

  public <T> Future<T> submit(Callable<T> step) {
    return pool.submit(step);
  }

  /** The step's result once it is done; its own exception if it failed with one. */
  public <T> T join(Future<T> step) {
    return joined(step, what);
  }

  /**
   * The result of {@code step} once it is done; a step's unchecked exception is rethrown as it is,
   * anything else is wrapped with {@code what} in the message.
   */
  public static <T> T joined(Future<T> step, String what) {
    try {
      return step.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while computing " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("Computing " + what + " failed", e.getCause());
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
