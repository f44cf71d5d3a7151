package com.creditseg.job;

import com.creditseg.config.Settings;
import com.creditseg.io.RunOutput;
import com.creditseg.metrics.StageTimer;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: generates N customers (or takes an input path) and runs the job on them with the
 * given settings, then prints each stage's seconds and rows/s and the driver's peak heap, as a
 * table and as one JSON line. Nothing here is asserted: the figures are for reading and comparing.
 *
 * <p>Peak heap is the sum of the heap memory pools' peak usage since the benchmark started (an
 * upper bound of the true peak, as the pools peak at different times); in local mode the executors
 * run in the driver's JVM, so it covers them too.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark: generate N customers (or use --input), run the job, print per-stage seconds,",
      "rows/s and peak heap as a table and as JSON. Outputs go under --work."
    })
final class BenchCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--rows",
      paramLabel = "N",
      description = "Customers to generate (default 1000000).")
  long rows = 1_000_000;

  @Option(
      names = "--input",
      paramLabel = "PATH",
      description = "Use this input instead of generating.")
  String input;

  @Option(
      names = "--csv",
      description = {
        "Run on a CSV extract of the customers instead: a lender's export with spaces in names,",
        "codes, units, expressions and 20 extra numeric columns (written under --work, read",
        "with the mapping in bench-csv-mapping.conf)."
      })
  boolean csv;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      description = "Where inputs and outputs go (default target/bench).")
  String work = "target/bench";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String generated = work + "/customers-" + rows;
    List<String> extra = new ArrayList<>();
    extra.add("input.path=" + (input != null ? input : generated));
    extra.add("output.path=" + work + "/output");
    extra.add("generate.rows=" + rows);
    extra.add("generate.output=" + generated);
    Settings settings = common.settings(extra);
    SparkSession spark = Sessions.get("creditseg bench");
    List<MemoryPoolMXBean> heap =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long start = System.nanoTime();
    double generateSeconds = 0;
    double extractSeconds = 0;
    if (input == null) {
      long g = System.nanoTime();
      new GenerateJob(spark, settings.generate()).run();
      generateSeconds = (System.nanoTime() - g) / 1e9;
    }
    if (csv) {
      String extract = work + "/extract-csv";
      long e = System.nanoTime();
      BenchExtract.write(spark, input != null ? input : generated, extract);
      extractSeconds = (System.nanoTime() - e) / 1e9;
      extra.addAll(BenchExtract.settings(extract));
      settings = common.settings(extra);
    }
    long run = System.nanoTime();
    RunOutcome outcome = new SegmentationJob(spark, settings).run();
    double runSeconds = (System.nanoTime() - run) / 1e9;
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    print(
        outcome,
        generateSeconds,
        extractSeconds,
        runSeconds,
        (System.nanoTime() - start) / 1e9,
        peak);
    return outcome.reportTo(spec.commandLine().getErr());
  }

  private void print(
      RunOutcome outcome,
      double generateSeconds,
      double extractSeconds,
      double runSeconds,
      double total,
      long peak) {
    PrintWriter out = spec.commandLine().getOut();
    long rowsIn = outcome.metrics().rows().in();
    out.printf("%n%-12s %10s %14s %14s%n", "stage", "seconds", "rows", "rows/s");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("rows", rowsIn);
    json.put("status", outcome.metrics().status());
    if (generateSeconds > 0) {
      out.printf(
          "%-12s %10.1f %,14d %,14.0f%n",
          "generate", generateSeconds, rows, rows / generateSeconds);
      json.put("generateSeconds", generateSeconds);
    }
    if (extractSeconds > 0) {
      out.printf(
          "%-12s %10.1f %,14d %,14.0f%n",
          "csv extract", extractSeconds, rowsIn, rowsIn / extractSeconds);
      json.put("extractSeconds", extractSeconds);
    }
    List<Map<String, Object>> stages = new ArrayList<>();
    for (StageTimer.Stage s : outcome.stages()) {
      out.printf(
          "%-12s %10.1f %,14d %,14.0f%n", s.name(), s.seconds(), s.rows(), s.rowsPerSecond());
      stages.add(
          Map.of("name", s.name(), "seconds", s.seconds(), "rowsPerSecond", s.rowsPerSecond()));
    }
    out.printf("%-12s %10.1f %,14d %,14.0f%n", "run", runSeconds, rowsIn, rowsIn / runSeconds);
    out.printf(
        "peak heap %,d MB of %,d MB max%n", peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
    json.put("runSeconds", runSeconds);
    json.put("runRowsPerSecond", rowsIn / runSeconds);
    json.put("totalSeconds", total);
    json.put("peakHeapBytes", peak);
    json.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    json.put("stages", stages);
    try {
      out.println(
          RunOutput.JSON
              .writer()
              .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(json));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }
}
