package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.Settings;
import com.creditseg.config.SettingsLoader;
import com.creditseg.metrics.RunMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose driver JVM is killed while it writes leaves the committed result of its date
 * untouched and readable, and the next run of that date succeeds and replaces it.
 */
@ExtendWith(SharedSpark.class)
class KilledRunTest {
  @TempDir Path tmp;

  List<String> overrides() {
    return List.of(
        "input.path=" + tmp.resolve("customers"),
        "output.path=" + tmp.resolve("out"),
        "run.date=2026-03-01",
        "generate.output=" + tmp.resolve("customers"),
        "generate.rows=20000",
        "segment.seeds=1",
        "segment.fit-sample-rows=5000",
        "segment.max-iterations=10",
        // Supervised models have their own tests (SegmentationJobTest, SupervisedRunTest).
        "model.supervised.enabled=false");
  }

  Settings settings() {
    return new SettingsLoader().load(List.of(), overrides(), LocalDate.of(2026, 3, 1));
  }

  @Test
  void killedDriverLeavesThePreviousResultAndTheNextRunReplacesIt() throws Exception {
    Settings settings = settings();
    new GenerateJob(SharedSpark.spark(), settings.generate()).run();
    RunMetrics first = new SegmentationJob(SharedSpark.spark(), settings).run().metrics();
    Path runDir = tmp.resolve("out/run_date=2026-03-01");

    Process driver = startDriver();
    try {
      Path segments = awaitStagedSegments(tmp.resolve("out"));
      assertNotNull(segments, "the child run never started writing");
      assertTrue(driver.isAlive(), "the child run ended before it could be killed");
    } finally {
      driver.destroyForcibly();
      driver.waitFor();
    }
    assertNotEquals(0, driver.exitValue());

    // The committed result is the first run's, whole and readable.
    String startedAt =
        new ObjectMapper()
            .readTree(runDir.resolve("metrics.json").toFile())
            .at("/startedAt")
            .asText();
    assertEquals(first.startedAt(), startedAt);
    assertTrue(Files.exists(runDir.resolve("_SUCCESS")));
    assertEquals(
        first.rows().out(),
        SharedSpark.spark().read().parquet(runDir.resolve("segments").toString()).count());
    assertTrue(Files.exists(tmp.resolve("out/_staging")), "the killed run's staging is left");

    // The next run cleans up and replaces the result.
    RunMetrics next = new SegmentationJob(SharedSpark.spark(), settings).run().metrics();
    assertNotEquals(first.startedAt(), next.startedAt());
    String committed =
        new ObjectMapper()
            .readTree(runDir.resolve("metrics.json").toFile())
            .at("/startedAt")
            .asText();
    assertEquals(next.startedAt(), committed);
    assertFalse(Files.exists(tmp.resolve("out/_staging")));
    assertEquals(List.of("run_date=2026-03-01"), List.of(tmp.resolve("out").toFile().list()));
  }

  /** The job in a JVM of its own, as spark-submit would start it, logging to a file. */
  private Process startDriver() throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(new File(System.getProperty("java.home"), "bin/java").toString());
    command.addAll(List.of(System.getProperty("creditseg.module.flags", "").trim().split("\\s+")));
    command.addAll(List.of("-Xmx1g", "-cp", classpath, Main.class.getName(), "run"));
    for (String o : overrides()) {
      command.add("--set");
      command.add(o);
    }
    command.removeIf(String::isEmpty);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.redirectErrorStream(true);
    builder.redirectOutput(tmp.resolve("driver.log").toFile());
    return builder.start();
  }

  /**
   * Waits, on file-system events rather than sleeps, until a staging directory of the date has a
   * segments directory: the child is then writing. Gives up after ten minutes.
   */
  private static Path awaitStagedSegments(Path out) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    Path staging = out.resolve("_staging");
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      out.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
      boolean stagingWatched = false;
      List<Path> runsWatched = new ArrayList<>();
      while (System.nanoTime() < deadline) {
        if (!stagingWatched && Files.isDirectory(staging)) {
          staging.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
          stagingWatched = true;
        }
        if (stagingWatched) {
          try (var runs = Files.list(staging)) {
            for (Path run : runs.toList()) {
              if (Files.isDirectory(run.resolve("segments"))) {
                return run.resolve("segments");
              }
              if (!runsWatched.contains(run)) {
                run.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
                runsWatched.add(run);
              }
            }
          }
        }
        WatchKey key = watcher.poll(5, TimeUnit.SECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
      }
      return null;
    }
  }
}
