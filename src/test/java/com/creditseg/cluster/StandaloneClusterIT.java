package com.creditseg.cluster;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.creditseg.SharedSpark;
import com.creditseg.cluster.LocalStandaloneCluster.KilledExecutor;
import com.creditseg.cluster.LocalStandaloneCluster.Worker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packaged jar on a real Spark standalone cluster (a Master and two one-core Workers on
 * 127.0.0.1), submitted with spark-submit semantics in client deploy mode: it generates customers,
 * runs on them with executors on both Workers, gives the same segments and scores as local mode on
 * the same input, and still completes with the same result when an executor, or a whole Worker, is
 * killed while KMeans is fitting.
 *
 * <p>Runs in {@code mvn -B verify -Pcluster}, which packages the jar and copies Spark's jars to
 * {@code target/spark-home/jars}. Process logs, event logs and outputs stay under {@code
 * target/cluster-it/} for inspection. {@code -Dcreditseg.it.rows=N} changes the input size.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneClusterIT.class);
  private static final String RUN_DATE = "2026-01-31";
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);
  private static final Pattern FIT_STARTED = Pattern.compile("Segmenter: Fitting segments on ");
  private static final Pattern SEED_FITTED = Pattern.compile("KSearch: k=\\d+ seed=\\d+: cost ");
  private static final Pattern KMEANS_STARTED = Pattern.compile("KSearch: k=\\d+: KMeans from ");

  private static final Path BASEDIR = Path.of(System.getProperty("basedir", "."));
  private static final Path SPARK_HOME =
      Path.of(System.getProperty("creditseg.spark-home", "target/spark-home"));
  private static final Path JAR =
      Path.of(System.getProperty("creditseg.jar", "target/creditseg.jar"));
  private static final Path DIR =
      Path.of(System.getProperty("creditseg.it.dir", "target/cluster-it"));
  private static final long ROWS = Long.getLong("creditseg.it.rows", 500_000L);

  private static LocalStandaloneCluster cluster;
  private static Path input;
  private static Path localRun;

  /** How one submitted run ended: exit code, its committed directory, what its driver said. */
  private record Outcome(int exitCode, Path runDir, List<String> lines, Path log) {}

  @BeforeAll
  static void startClusterGenerateAndRunLocally() throws IOException {
    assertTrue(Files.isRegularFile(JAR), JAR + " missing: run through mvn verify -Pcluster");
    deleteRecursively(DIR);
    cluster = LocalStandaloneCluster.start(SPARK_HOME, DIR.resolve("cluster"), 2, "3g");

    input = DIR.resolve("data/customers");
    long start = System.nanoTime();
    try (DriverProcess generate =
        submission(cluster.masterUrl())
            .start(
                List.of("generate", "--rows", String.valueOf(ROWS), "--output", input.toString()),
                DIR.resolve("logs/generate.log"))) {
      assertEquals(0, generate.waitFor(JOB_TIMEOUT), "generate failed:" + generate.tail());
    }
    assertTrue(Files.exists(input.resolve("_SUCCESS")), "generate left no _SUCCESS in " + input);
    LOG.info("Generated {} customers on the cluster in {}", ROWS, since(start));

    Outcome local;
    try (DriverProcess driver = startRun("local", "local[2]", false)) {
      local = finish("local", driver);
    }
    assertCommitted(local);
    localRun = local.runDir();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void runsOnBothWorkersWithTheResultOfLocalMode() {
    Outcome run;
    try (DriverProcess driver = startRun("cluster", cluster.masterUrl(), true)) {
      run = finish("cluster", driver);
    }
    assertCommitted(run);

    EventLog events = EventLog.read(eventLogDir("cluster"));
    long total = events.successfulTasks();
    for (Worker worker : cluster.workers()) {
      long tasks = events.successfulTasksOnWorker(worker.webUiPort());
      LOG.info("Worker {} ran {} of {} tasks", worker.number(), tasks, total);
      assertTrue(
          tasks >= total / 10,
          "worker "
              + worker.number()
              + " ran "
              + tasks
              + " of "
              + total
              + " tasks; executors: "
              + events.workerWebUiPortByExecutor()
              + ", tasks per executor: "
              + events.successfulTasksByExecutor());
    }
    assertSameResult(localRun, run.runDir());
  }

  @Test
  @Order(2)
  void survivesAnExecutorKilledWhileKMeansFits() {
    Outcome run;
    KilledExecutor killed;
    int linesAtKill;
    try (DriverProcess driver = startRun("executor-killed", cluster.masterUrl(), true)) {
      // The seeds' KMeans fits run side by side and end within a second of each other, so the
      // kill comes as they start (after the fit's sample, clipping and scaling, which the
      // worker's kill below interrupts).
      driver.awaitLine(KMEANS_STARTED, JOB_TIMEOUT);
      assertTrue(driver.isAlive(), "the driver ended before the kill");
      killed = cluster.killExecutor(cluster.workers().get(1));
      linesAtKill = driver.lines().size();
      run = finish("executor-killed", driver);
    }
    assertCommitted(run);
    assertFitWentOn(run, linesAtKill);
    EventLog events = EventLog.read(eventLogDir("executor-killed"));
    assertTrue(
        events.removedExecutors().contains(killed.executorId()),
        "the driver never saw executor " + killed.executorId() + " go: " + events);
    LOG.info(
        "Executor {} killed mid-fit: {} tasks failed, executors removed {}",
        killed.executorId(),
        events.failedTasks(),
        events.removedExecutors());
    assertSameResult(localRun, run.runDir());
  }

  @Test
  @Order(3)
  void survivesAWorkerLostWhileKMeansFits() {
    Worker victim = cluster.workers().get(0);
    Outcome run;
    List<String> lostExecutors;
    int linesAtKill;
    try (DriverProcess driver = startRun("worker-killed", cluster.masterUrl(), true)) {
      driver.awaitLine(FIT_STARTED, JOB_TIMEOUT);
      assertTrue(driver.isAlive(), "the driver ended before the kill");
      lostExecutors = cluster.killWorker(victim);
      linesAtKill = driver.lines().size();
      // A replacement machine joins; the Master gives the application an executor on it.
      cluster.startWorker();
      run = finish("worker-killed", driver);
    }
    assertCommitted(run);
    assertFitWentOn(run, linesAtKill);
    assertFalse(lostExecutors.isEmpty(), "worker " + victim.number() + " had no executor");
    EventLog events = EventLog.read(eventLogDir("worker-killed"));
    assertTrue(
        events.removedExecutors().containsAll(lostExecutors),
        "the driver never saw executors " + lostExecutors + " go: " + events);
    LOG.info(
        "Worker {} killed mid-fit with executors {}: {} tasks failed, executors removed {}",
        victim.number(),
        lostExecutors,
        events.failedTasks(),
        events.removedExecutors());
    assertSameResult(localRun, run.runDir());
    cluster.awaitAliveWorkers(2);
  }

  private static JobSubmission submission(String master) {
    return new JobSubmission(SPARK_HOME, JAR, BASEDIR.resolve("conf/log4j2.properties"), master)
        .conf("spark.executor.memory", "1536m");
  }

  /** Starts {@code creditseg run} on the generated customers, writing to data/{@code name}. */
  private static DriverProcess startRun(String name, String master, boolean eventLog) {
    JobSubmission submission = submission(master);
    if (eventLog) {
      try {
        Files.createDirectories(eventLogDir(name));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      submission.eventLog(eventLogDir(name));
    }
    LOG.info("Submitting run '{}' to {}", name, master);
    return submission.start(
        List.of(
            "run",
            "--set",
            "input.path=" + input,
            "--set",
            "output.path=" + DIR.resolve("data/" + name),
            "--set",
            "run.date=" + RUN_DATE,
            // The kills wait for the fit's log lines: after the first seed, two more fits follow.
            "--set",
            "segment.seeds=3",
            // A lighter fit than the defaults, to keep the stage within CI's budget, still on a
            // sample so that the sample's determinism is part of the comparison.
            "--set",
            "segment.fit-sample-rows=" + Math.min(100_000, ROWS / 5),
            "--set",
            "segment.max-iterations=20",
            // The supervised models (on by the generated label) have their own tests; this stage
            // is about executors and workers dying, and its four runs must fit CI's budget.
            "--set",
            "model.supervised.enabled=false"),
        DIR.resolve("logs/" + name + ".log"));
  }

  private static Outcome finish(String name, DriverProcess driver) {
    long start = System.nanoTime();
    int exitCode = driver.waitFor(JOB_TIMEOUT);
    LOG.info("Run '{}' exited with {} ({} after the wait began)", name, exitCode, since(start));
    return new Outcome(
        exitCode,
        DIR.resolve("data/" + name + "/run_date=" + RUN_DATE),
        driver.lines(),
        driver.log());
  }

  private static Path eventLogDir(String name) {
    return DIR.resolve("events/" + name);
  }

  /**
   * The job's own account of success, not only spark-submit's exit code: {@code _SUCCESS} in the
   * committed directory and reconciled row counts in its metrics.
   */
  private static void assertCommitted(Outcome run) {
    String context = " (driver log " + run.log() + ")";
    assertEquals(0, run.exitCode(), "exit code" + context + tail(run.lines()));
    assertTrue(Files.exists(run.runDir().resolve("_SUCCESS")), "no _SUCCESS" + context);
    try {
      JsonNode metrics = new ObjectMapper().readTree(run.runDir().resolve("metrics.json").toFile());
      assertTrue(metrics.at("/rows/reconciled").asBoolean(false), "rows not reconciled" + context);
      assertEquals(ROWS, metrics.at("/rows/in").asLong(), "rows in" + context);
    } catch (IOException e) {
      throw new AssertionError("Cannot read metrics.json" + context, e);
    }
  }

  /** The kill came while the fit was running: a seed was still fitted after it. */
  private static void assertFitWentOn(Outcome run, int linesAtKill) {
    assertTrue(
        run.lines().subList(linesAtKill, run.lines().size()).stream()
            .anyMatch(l -> SEED_FITTED.matcher(l).find()),
        "no KMeans fit ended after the kill, so it did not land mid-fit; see " + run.log());
  }

  /**
   * Every customer has the same segment, cluster and credit score in both runs: the symmetric
   * difference of the two {@code segments/} tables on those columns is empty.
   */
  private static void assertSameResult(Path expectedRun, Path actualRun) {
    // The test JVM's own local session, started on first use rather than beside the cluster.
    SparkSession spark = SharedSpark.spark();
    Column[] columns = {col("customer_id"), col("segment"), col("cluster"), col("credit_score")};
    Dataset<Row> expected =
        spark.read().parquet(expectedRun.resolve("segments").toString()).select(columns);
    Dataset<Row> actual =
        spark.read().parquet(actualRun.resolve("segments").toString()).select(columns);
    long onlyExpected = expected.exceptAll(actual).count();
    long onlyActual = actual.exceptAll(expected).count();
    LOG.info(
        "{} vs {}: {} rows only in the first, {} only in the second",
        expectedRun,
        actualRun,
        onlyExpected,
        onlyActual);
    if (onlyExpected + onlyActual > 0) {
      List<Row> examples =
          expected
              .as("e")
              .join(actual.as("a"), "customer_id")
              .where(
                  col("e.segment")
                      .notEqual(col("a.segment"))
                      .or(col("e.cluster").notEqual(col("a.cluster")))
                      .or(col("e.credit_score").notEqual(col("a.credit_score"))))
              .limit(5)
              .collectAsList();
      fail(
          String.format(
              "%s and %s differ: %d rows only in the first, %d only in the second (of %d);"
                  + " e.g. (customer_id, segment, cluster, credit_score first, then second): %s",
              expectedRun, actualRun, onlyExpected, onlyActual, expected.count(), examples));
    }
  }

  private static String tail(List<String> lines) {
    return "\n  ..."
        + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  private static String since(long startNanos) {
    return String.format("%.1f s", (System.nanoTime() - startNanos) / 1e9);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
