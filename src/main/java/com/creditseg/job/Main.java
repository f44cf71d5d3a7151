package com.creditseg.job;

import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.Settings;
import com.creditseg.config.SettingsLoader;
import com.creditseg.io.InputContractException;
import com.creditseg.quality.QualityThresholdException;
import java.io.File;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The command line: {@code creditseg generate|run [--config FILE]... [--set key=value]...}. Exit
 * codes are those of {@link ExitCode}; on failure the last line on stderr says why.
 */
@Command(
    name = "creditseg",
    mixinStandardHelpOptions = true,
    version = "creditseg 0.1.0",
    description = "Customer credit scoring and risk segmentation on Apache Spark.",
    subcommands = {Main.Generate.class, Main.Run.class, ReportCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:failure (I/O, Spark, a bug)",
      "2:bad usage, configuration or input contract",
      "3:data-quality threshold breached"
    })
public final class Main implements Runnable {

  /** Options every subcommand takes. */
  static final class Common {
    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "HOCON config file over reference.conf; repeatable, later files win.")
    List<File> configs = new ArrayList<>();

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description =
            "Override one setting, e.g. --set segment.k=auto; repeatable, wins over files.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--verbose", description = "Print stack traces and Spark's own logging.")
    boolean verbose;

    Settings settings(List<String> extra) {
      List<String> all = new ArrayList<>(overrides);
      all.addAll(extra);
      return new SettingsLoader().load(configs, all, LocalDate.now());
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = "Write synthetic customers in the canonical schema as partitioned Parquet.")
  static final class Generate implements Runnable {
    @Mixin Common common;

    @Option(names = "--rows", paramLabel = "N", description = "Customers (generate.rows).")
    Long rows;

    @Option(names = "--output", paramLabel = "PATH", description = "Where (generate.output).")
    String output;

    @Option(names = "--seed", description = "Random seed (generate.seed).")
    Long seed;

    @Option(names = "--partitions", paramLabel = "N", description = "Files (generate.partitions).")
    Integer partitions;

    @Override
    public void run() {
      List<String> extra = new ArrayList<>();
      if (rows != null) {
        extra.add("generate.rows=" + rows);
      }
      if (output != null) {
        extra.add("generate.output=" + output);
      }
      if (seed != null) {
        extra.add("generate.seed=" + seed);
      }
      if (partitions != null) {
        extra.add("generate.partitions=" + partitions);
      }
      Settings settings = common.settings(extra);
      if (settings.generate().output().isEmpty()) {
        throw new InvalidSettingsException(
            "generate.output is required: where to write customers (--output PATH)");
      }
      new GenerateJob(session("creditseg generate"), settings.generate()).run();
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Read, validate, score and segment customers; write <output.path>/run_date=<run.date>/.",
        "Main keys: input.path, input.format (parquet|csv), output.path, run.date, segment.k"
            + " (number or auto)."
      })
  static final class Run implements Runnable {
    @Mixin Common common;

    @Override
    public void run() {
      Settings settings = common.settings(List.of()).requireInputAndOutput();
      new SegmentationJob(session("creditseg run " + settings.run().date()), settings).run();
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "Missing subcommand: generate, run or report");
  }

  /** The session spark-submit configured; local mode when started without a master. */
  static SparkSession session(String name) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(name)
            // Let adaptive execution coalesce the shuffle partitions of persisted stages too.
            .config("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "true");
    if (!new SparkConf().contains("spark.master")) {
      builder
          .master("local[*]")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1");
    }
    return builder.getOrCreate();
  }

  /** Runs the command line and returns the exit code, without exiting. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    boolean verbose = List.of(args).contains("--verbose");
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          int code = exitCode(e);
          PrintWriter err = commandLine.getErr();
          if (verbose || code == ExitCode.FAILURE) {
            e.printStackTrace(err);
          }
          err.println("creditseg: " + oneLine(e));
          err.flush();
          return code;
        });
    return cli.execute(args);
  }

  static int exitCode(Throwable e) {
    if (e instanceof InvalidSettingsException || e instanceof InputContractException) {
      return ExitCode.USAGE;
    }
    if (e instanceof QualityThresholdException) {
      return ExitCode.QUALITY;
    }
    return ExitCode.FAILURE;
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ");
  }

  public static void main(String[] args) {
    int code = execute(args);
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              s.stop();
              return null;
            });
    System.exit(code);
  }
}
