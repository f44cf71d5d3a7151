package com.creditseg.job;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Times the job's stages and logs one line per stage with its rows per second. */
final class StageTimer {
  private static final Logger LOG = LoggerFactory.getLogger("com.creditseg.stage");

  /** One stage's wall time and throughput; rowsPerSecond is 0 for a stage under a millisecond. */
  record Stage(String name, double seconds, long rows, double rowsPerSecond) {}

  private final List<Stage> stages = new ArrayList<>();

  /** Runs {@code work}, which must force its own Spark actions, and records it. */
  <T> T time(String name, Supplier<T> work, java.util.function.ToLongFunction<T> rows) {
    LOG.info("{} ...", name);
    long start = System.nanoTime();
    T result = work.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    long n = rows.applyAsLong(result);
    double rate = seconds > 0.001 ? n / seconds : 0;
    stages.add(new Stage(name, seconds, n, rate));
    LOG.info(String.format("%-10s %,d rows in %.1f s (%,.0f rows/s)", name, n, seconds, rate));
    return result;
  }

  List<Stage> stages() {
    return List.copyOf(stages);
  }
}
