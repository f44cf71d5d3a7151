package com.creditseg.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.launcher.JavaModuleOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Spark standalone cluster on this machine, started from the Maven jars alone: one Master and
 * Workers, each a JVM bound to 127.0.0.1 with explicit free ports, and a directory of Spark's jars
 * standing in as {@code SPARK_HOME/jars} so the Workers can launch executor JVMs.
 *
 * <p>It stops exactly the processes it started, and their descendants (the executors), on {@link
 * #close()} and, should the test JVM be stopped first, from a shutdown hook. Nothing is ever killed
 * by name.
 */
final class LocalStandaloneCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStandaloneCluster.class);
  private static final String LOOPBACK = "127.0.0.1";
  private static final String EXECUTOR_CLASS =
      "org.apache.spark.executor.CoarseGrainedExecutorBackend";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** One Worker JVM: its ports, work directory (executor logs) and process. */
  record Worker(int number, int port, int webUiPort, Path workDir, Process process) {
    /** Live executor JVMs this Worker launched. */
    List<ProcessHandle> executors() {
      return process.descendants().filter(LocalStandaloneCluster::isExecutor).toList();
    }
  }

  /** An executor JVM that was killed, and the executor id Spark knew it by. */
  record KilledExecutor(Worker worker, long pid, String executorId) {}

  private final Path sparkHome;
  private final Path dir;
  private final String memoryPerWorker;
  private final int masterPort;
  private final int masterWebUiPort;
  private final Process master;
  private final List<Worker> workers = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::stopAll, "stop-local-standalone-cluster");
  private final HttpClient http = HttpClient.newHttpClient();
  private int workersStarted;

  private LocalStandaloneCluster(Path sparkHome, Path dir, String memoryPerWorker) {
    this.sparkHome = sparkHome;
    this.dir = dir;
    this.memoryPerWorker = memoryPerWorker;
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    this.masterPort = freePort();
    this.masterWebUiPort = freePort();
    this.master =
        start(
            "master",
            List.of(
                // The REST submission server would take the fixed port 6066; nothing here uses it.
                "-Dspark.master.rest.enabled=false",
                "org.apache.spark.deploy.master.Master",
                "--host",
                LOOPBACK,
                "--port",
                String.valueOf(masterPort),
                "--webui-port",
                String.valueOf(masterWebUiPort)));
  }

  /**
   * Starts a Master and {@code workers} Workers of one core and {@code memoryPerWorker} each, and
   * waits until every Worker has registered with the Master.
   *
   * @param sparkHome a directory whose {@code jars/} holds Spark and its dependencies
   * @param dir where process logs and the Workers' work directories go
   */
  static LocalStandaloneCluster start(
      Path sparkHome, Path dir, int workers, String memoryPerWorker) {
    if (!Files.isDirectory(sparkHome.resolve("jars"))) {
      throw new IllegalArgumentException(
          "No Spark jars in " + sparkHome.resolve("jars") + ": run through mvn verify -Pcluster");
    }
    LocalStandaloneCluster cluster = new LocalStandaloneCluster(sparkHome, dir, memoryPerWorker);
    try {
      for (int i = 0; i < workers; i++) {
        cluster.startWorker();
      }
      cluster.awaitAliveWorkers(workers);
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  String masterUrl() {
    return "spark://" + LOOPBACK + ":" + masterPort;
  }

  /** The Workers started and not killed, in start order. */
  synchronized List<Worker> workers() {
    return List.copyOf(workers);
  }

  /** Starts one more Worker (one core) and returns without waiting for its registration. */
  synchronized Worker startWorker() {
    int number = ++workersStarted;
    int port = freePort();
    int webUiPort = freePort();
    Path workDir = dir.resolve("worker-" + number);
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Process process =
        start(
            "worker-" + number,
            List.of(
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                LOOPBACK,
                "--port",
                String.valueOf(port),
                "--webui-port",
                String.valueOf(webUiPort),
                "--cores",
                "1",
                "--memory",
                memoryPerWorker,
                "--work-dir",
                workDir.toString(),
                masterUrl()));
    Worker worker = new Worker(number, port, webUiPort, workDir, process);
    workers.add(worker);
    return worker;
  }

  /** Waits until the Master's JSON status shows exactly {@code expected} workers ALIVE. */
  void awaitAliveWorkers(int expected) {
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      if (!master.isAlive()) {
        throw new IllegalStateException("The Master exited: see " + log("master"));
      }
      Optional<JsonNode> status = status();
      if (status.isPresent()) {
        int alive = status.get().path("aliveworkers").asInt(-1);
        last = "aliveworkers = " + alive;
        if (alive == expected) {
          LOG.info("Standalone cluster {} has {} workers alive", masterUrl(), alive);
          return;
        }
      }
      pause(Duration.ofMillis(250));
    }
    throw new IllegalStateException(
        "Waited "
            + STARTUP_TIMEOUT
            + " for "
            + expected
            + " alive workers at "
            + masterUrl()
            + " ("
            + last
            + "); logs in "
            + dir);
  }

  /** The Master's status page as JSON ({@code /json/}), empty while it does not answer. */
  Optional<JsonNode> status() {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + masterWebUiPort + "/json/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(new ObjectMapper().readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while asking the Master for its status", e);
    }
  }

  /**
   * Kills (SIGKILL) one executor JVM, preferring one launched by {@code preferred}, as a crashed
   * executor would die; the Worker stays up and the Master may start a replacement executor.
   */
  KilledExecutor killExecutor(Worker preferred) {
    List<Worker> candidates = new ArrayList<>(workers());
    candidates.remove(preferred);
    candidates.add(0, preferred);
    for (Worker worker : candidates) {
      for (ProcessHandle executor : worker.executors()) {
        String id = executorId(executor);
        executor.destroyForcibly();
        awaitExit(executor);
        LOG.info("Killed executor {} (pid {}) of worker {}", id, executor.pid(), worker.number());
        return new KilledExecutor(worker, executor.pid(), id);
      }
    }
    throw new IllegalStateException("No executor JVM is running under any worker");
  }

  /**
   * Kills (SIGKILL) a Worker JVM and every process it launched, as when a machine is lost; returns
   * the ids of the executors that died with it.
   */
  synchronized List<String> killWorker(Worker worker) {
    if (!workers.remove(worker)) {
      throw new IllegalArgumentException("Not a live worker of this cluster: " + worker);
    }
    List<ProcessHandle> descendants = worker.process().descendants().toList();
    List<String> executorIds =
        descendants.stream()
            .filter(LocalStandaloneCluster::isExecutor)
            .map(LocalStandaloneCluster::executorId)
            .toList();
    worker.process().destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    awaitExit(worker.process().toHandle());
    descendants.forEach(LocalStandaloneCluster::awaitExit);
    LOG.info("Killed worker {} with executors {}", worker.number(), executorIds);
    return executorIds;
  }

  Path log(String name) {
    return dir.resolve(name + ".log");
  }

  /** Stops every Worker and then the Master, with all their descendants. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is what called us, or is about to.
    }
  }

  private synchronized void stopAll() {
    List<Process> processes = new ArrayList<>();
    workers.forEach(w -> processes.add(w.process()));
    workers.clear();
    if (master != null) {
      processes.add(master);
    }
    // Descendants are listed before their parent goes: an orphan is no longer a descendant.
    List<ProcessHandle> all = new ArrayList<>();
    for (Process p : processes) {
      all.addAll(p.descendants().toList());
      all.add(p.toHandle());
    }
    all.forEach(ProcessHandle::destroy);
    Instant deadline = Instant.now().plus(STOP_TIMEOUT);
    for (ProcessHandle handle : all) {
      try {
        long left = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        handle.onExit().get(left, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        handle.destroyForcibly();
      }
    }
    all.forEach(LocalStandaloneCluster::awaitExit);
  }

  private Process start(String name, List<String> mainAndArgs) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(sparkHome.resolve("jars") + "/*");
    command.addAll(mainAndArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log(name).toFile());
    sparkEnvironment(builder.environment(), sparkHome);
    try {
      Files.createDirectories(dir);
      Process process = builder.start();
      LOG.info("Started {} (pid {}), log {}", name, process.pid(), log(name));
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name, e);
    }
  }

  /**
   * What Spark's scripts would set: the Worker builds executor command lines through Spark's
   * launcher, which finds {@code $SPARK_HOME/jars} and needs the Scala version to do so.
   */
  static void sparkEnvironment(Map<String, String> env, Path sparkHome) {
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", LOOPBACK);
    env.remove("SPARK_CONF_DIR");
    env.remove("SPARK_DIST_CLASSPATH");
  }

  /** A port free on 127.0.0.1 right now. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + LOOPBACK, e);
    }
  }

  private static boolean isExecutor(ProcessHandle handle) {
    return handle.info().commandLine().map(c -> c.contains(EXECUTOR_CLASS)).orElse(false);
  }

  /** The value after {@code --executor-id} on the executor's command line. */
  private static String executorId(ProcessHandle executor) {
    String[] args = executor.info().arguments().orElse(new String[0]);
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--executor-id")) {
        return args[i + 1];
      }
    }
    throw new IllegalStateException("No --executor-id on executor pid " + executor.pid());
  }

  private static void awaitExit(ProcessHandle handle) {
    try {
      handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Process " + handle.pid() + " did not exit", e);
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }
}
