package com.creditseg.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A spark-submit driver JVM whose merged stdout and stderr is copied, line by line, to a log file
 * and kept in memory, so a test can wait for a line (the fit starting, say) and act on it. {@link
 * #close()} kills it if it still runs, and so does a shutdown hook should the test JVM be stopped
 * first.
 */
final class DriverProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;
  private final Thread shutdownHook;
  private boolean ended;

  private DriverProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.shutdownHook = new Thread(process::destroyForcibly, "stop-" + log.getFileName());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    this.reader = new Thread(this::copyOutput, "driver-output-" + log.getFileName());
    reader.setDaemon(true);
    reader.start();
  }

  static DriverProcess start(ProcessBuilder builder, Path log) {
    try {
      Files.createDirectories(log.getParent());
      return new DriverProcess(builder.redirectErrorStream(true).start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + builder.command(), e);
    }
  }

  /**
   * Waits for the first line matching {@code pattern} and returns its index in {@link #lines()};
   * fails if the driver's output ends first or {@code timeout} passes.
   */
  int awaitLine(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      for (int i = 0; ; i++) {
        while (i >= lines.size()) {
          long left = deadline - System.nanoTime();
          if (ended || left <= 0) {
            throw new AssertionError(
                "Driver output has no line matching /"
                    + pattern
                    + "/ ("
                    + (ended ? "the driver ended" : "waited " + timeout)
                    + "); see "
                    + log
                    + tail());
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(lines, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for /" + pattern + "/", e);
          }
        }
        if (pattern.matcher(lines.get(i)).find()) {
          return i;
        }
      }
    }
  }

  /** Waits for the driver to exit and returns its exit code; kills it after {@code timeout}. */
  int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("Driver still running after " + timeout + "; see " + log + tail());
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for the driver", e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Every output line so far. */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  Path log() {
    return log;
  }

  /** The last lines of output, for assertion messages. */
  String tail() {
    List<String> all = lines();
    return "\n  ..."
        + String.join("\n  ", all.subList(Math.max(0, all.size() - 15), all.size()))
        + "\n";
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs anyway.
    }
  }

  private void copyOutput() {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.println(line);
        out.flush();
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // The process went away; what was read is kept.
    } finally {
      synchronized (lines) {
        ended = true;
        lines.notifyAll();
      }
    }
  }
}
