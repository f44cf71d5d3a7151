package com.creditseg.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Times a job's stages and logs one line per stage with its rows per second. */
public final class StageTimer {
  private static final Logger LOG = LoggerFactory.getLogger("com.creditseg.stage");

  /** One stage's wall time and throughput; rowsPerSecond is 0 for a stage under a millisecond. */
  public record Stage(String name, double seconds, long rows, double rowsPerSecond) {}

  private final List<Stage> stages = new ArrayList<>();

  /** Runs {@code work}, which must force its own Spark actions, and records it. */
  public <T> T time(String name, Supplier<T> work, ToLongFunction<T> rows) {
    LOG.info("{} ...", name);
    long start = System.nanoTime();
    T result = work.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    long n = rows.applyAsLong(result);
    double rate = seconds > 0.001 ? n / seconds : 0;
    stages.add(new Stage(name, seconds, n, rate));
    LOG.info(
        "{} {} rows in {} s ({} rows/s)",
        pad(name),
        group(n),
        String.format("%.1f", seconds),
        group(Math.round(rate)));
    return result;
  }

  public List<Stage> stages() {
    return List.copyOf(stages);
  }

  private static String pad(String name) {
    return String.format("%-10s", name);
  }

  private static String group(long n) {
    return String.format("%,d", n);
  }
}
