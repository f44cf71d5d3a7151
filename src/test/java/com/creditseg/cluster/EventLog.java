package com.creditseg.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one application's Spark event log says about its executors: where each ran and how many
 * tasks it finished. On a standalone cluster an executor's log URLs point at the web UI of the
 * Worker that launched it, which is how an executor is traced to its Worker (every Worker shares
 * the host 127.0.0.1 here).
 *
 * @param workerWebUiPortByExecutor executor id to the web UI port of its Worker
 * @param successfulTasksByExecutor executor id to the number of tasks that ended in success
 * @param failedTasks tasks that ended in anything but success (lost with an executor, say)
 * @param removedExecutors ids of the executors the driver saw go
 */
record EventLog(
    Map<String, Integer> workerWebUiPortByExecutor,
    Map<String, Long> successfulTasksByExecutor,
    long failedTasks,
    Set<String> removedExecutors) {

  private static final Pattern WORKER_PORT = Pattern.compile("^https?://[^:/]+:(\\d+)/");

  /** Successful tasks of the executors launched by the Worker with this web UI port. */
  long successfulTasksOnWorker(int webUiPort) {
    return successfulTasksByExecutor.entrySet().stream()
        .filter(e -> Integer.valueOf(webUiPort).equals(workerWebUiPortByExecutor.get(e.getKey())))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  long successfulTasks() {
    return successfulTasksByExecutor.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Reads the single event log file Spark wrote into {@code dir}. */
  static EventLog read(Path dir) {
    Path file;
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> logs =
          files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
      if (logs.size() != 1) {
        throw new IllegalStateException("Expected one event log in " + dir + ", found " + logs);
      }
      file = logs.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, Integer> ports = new TreeMap<>();
    Map<String, Long> tasks = new TreeMap<>();
    Set<String> removed = new TreeSet<>();
    long failed = 0;
    try (BufferedReader in = Files.newBufferedReader(file)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        // Most of the log is task metrics; only three kinds of event matter here.
        if (line.startsWith("{\"Event\":\"SparkListenerTaskEnd\"")) {
          JsonNode event = json.readTree(line);
          if (event.at("/Task End Reason/Reason").asText().equals("Success")) {
            tasks.merge(event.at("/Task Info/Executor ID").asText(), 1L, Long::sum);
          } else {
            failed++;
          }
        } else if (line.startsWith("{\"Event\":\"SparkListenerExecutorAdded\"")) {
          JsonNode event = json.readTree(line);
          Matcher m = WORKER_PORT.matcher(event.at("/Executor Info/Log Urls/stderr").asText(""));
          if (m.find()) {
            ports.put(event.get("Executor ID").asText(), Integer.parseInt(m.group(1)));
          }
        } else if (line.startsWith("{\"Event\":\"SparkListenerExecutorRemoved\"")) {
          removed.add(json.readTree(line).get("Executor ID").asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read event log " + file, e);
    }
    return new EventLog(ports, tasks, failed, removed);
  }
}
