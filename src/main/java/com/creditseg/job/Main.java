package com.creditseg.job;

import com.creditseg.config.InvalidSettingsException;
import com.creditseg.io.ParquetFiles;
import com.creditseg.schema.InputContractException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: parses and dispatches to one class per subcommand. Exit codes are those of
 * {@link ExitCode}; on failure the last line on stderr says why.
 */
@Command(
    name = "creditseg",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Customer credit scoring and risk segmentation on Apache Spark.",
    subcommands = {
      GenerateCommand.class,
      RunCommand.class,
      ScoreCommand.class,
      ServeCommand.class,
      ReportCommand.class,
      BenchCommand.class,
      RfmCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:failure (I/O, Spark, a bug)",
      "2:bad usage, configuration or input contract",
      "3:data-quality threshold breached",
      "4:significant population shift (stability.fail-on = significant); run committed"
    })
public final class Main implements Runnable {

  /** {@code --version}: the version the build stamped. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"creditseg " + com.creditseg.model.Versions.creditseg()};
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this),
        "Missing subcommand: generate, run, score, serve, report, bench or rfm");
  }

  /** Runs the command line and returns the exit code, without exiting. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    boolean verbose = List.of(args).contains("--verbose");
    cli.setExecutionExceptionHandler(
        (thrown, commandLine, parseResult) -> {
          // A failure Spark met in an input file's contents is the input's, not ours.
          Exception e = ParquetFiles.explain(thrown).<Exception>map(x -> x).orElse(thrown);
          int code = exitCode(e);
          PrintWriter err = commandLine.getErr();
          if (verbose || code == ExitCode.FAILURE) {
            e.printStackTrace(err);
          }
          err.println(
              "creditseg: "
                  + JobOutcome.oneLine(
                      e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
          err.flush();
          return code;
        });
    return cli.execute(args);
  }

  static int exitCode(Throwable e) {
    if (e instanceof InvalidSettingsException || e instanceof InputContractException) {
      return ExitCode.USAGE;
    }
    return ExitCode.FAILURE;
  }

  public static void main(String[] args) {
    int code = execute(args);
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              s.stop();
              return null;
            });
    // Success returns normally: in YARN cluster mode the ApplicationMaster reports an application
    // whose main calls System.exit before returning as failed. Failures exit with their code,
    // which spark-submit in client and local mode (and so Airflow) passes on.
    if (code != ExitCode.SUCCESS) {
      System.exit(code);
    }
  }
}
