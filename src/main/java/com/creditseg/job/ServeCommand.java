package com.creditseg.job;

import com.creditseg.model.PortableModel;
import com.creditseg.model.RunModel;
import com.creditseg.schema.InputContractException;
import com.creditseg.serve.CustomerScorer;
import com.creditseg.serve.ScoringServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: answers one customer (or a few) over HTTP from a committed run's {@code
 * model/model.json}, with no Spark at all: the model is read with java.nio and every request is
 * plain Java arithmetic (see {@link ScoringServer} for the endpoints). Prints one line when it
 * listens; stops on SIGTERM or Ctrl-C, letting requests in progress finish.
 *
 * <p>It takes no {@code --config}: the model carries the quality rules, medians, score card and
 * segmentation it was fitted with.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Score customers over HTTP with a run's model.json, without Spark:",
      "POST /score (a JSON customer or an array), GET /health, GET /model.",
      "--model is a run directory (output/run_date=2026-01-31), its model/ directory or model.json."
    })
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "A committed run directory, its model/ directory, or model.json (local path).")
  String model;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port to listen on; 0 for any free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--threads",
      defaultValue = "4",
      description = "Threads answering requests (default: ${DEFAULT-VALUE}).")
  int threads;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    long started = System.nanoTime();
    Path file = modelFile(model);
    CustomerScorer scorer = new CustomerScorer(read(file));
    ScoringServer server;
    try {
      server = new ScoringServer(scorer, new InetSocketAddress(host, port), threads);
    } catch (IOException e) {
      throw new InputContractException("Cannot listen on " + host + ":" + port + ": " + e, e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    PrintWriter out = spec.commandLine().getOut();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  out.println("creditseg serve: stopped");
                  out.flush();
                  stopped.countDown();
                },
                "serve-shutdown"));
    server.start();
    PortableModel m = scorer.model();
    out.printf(
        "creditseg serve: listening on http://%s:%d/ with %s (run %s, mapping %s, %d segments,"
            + " score method %s); ready in %d ms%n",
        server.address().getHostString(),
        server.address().getPort(),
        file,
        m.runDate(),
        m.mapping(),
        m.segmentation().clusters().size(),
        m.score().method(),
        (System.nanoTime() - started) / 1_000_000);
    out.flush();
    stopped.await();
    return ExitCode.SUCCESS;
  }

  /**
   * {@code dir} itself when it is a model.json, else {@code dir/model.json} or {@code
   * dir/model/model.json}.
   */
  static Path modelFile(String dir) {
    Path path = dir.startsWith("file:") ? Path.of(URI.create(dir)) : Path.of(dir);
    for (Path candidate :
        new Path[] {
          path, path.resolve(RunModel.PORTABLE), path.resolve("model").resolve(RunModel.PORTABLE)
        }) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new InputContractException(
        "--model "
            + dir
            + " is neither a committed run directory (with model/"
            + RunModel.PORTABLE
            + "), a model directory nor a "
            + RunModel.PORTABLE);
  }

  /** The model; a file that is not a model.json of this schema version is a usage error. */
  static PortableModel read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    try {
      return PortableModel.read(new ByteArrayInputStream(bytes), file.toString());
    } catch (IOException e) {
      throw new InputContractException("Cannot read the model " + file + ": " + e.getMessage(), e);
    }
  }
}
