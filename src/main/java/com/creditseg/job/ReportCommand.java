package com.creditseg.job;

import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.Settings;
import com.creditseg.report.HtmlReport;
import java.util.List;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code report} subcommand: rebuilds the HTML report of an existing run, {@code
 * RUN_DIR/report/index.html} with plotly.js beside it, from the run's own outputs, and prints the
 * page's path on stdout. Without RUN_DIR the run is found from the settings, as {@code
 * <output.path>/run_date=<run.date>/}; it takes {@code --config}, {@code --set} and {@code
 * --verbose} like every subcommand.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuild the HTML report of a run: RUN_DIR/report/index.html, with plotly.js beside it.",
      "Reads the run's metrics.json, profiles/, segments/ and model/; prints the page's path.",
      "Without RUN_DIR, reports on <output.path>/run_date=<run.date>/ from the settings."
    })
public final class ReportCommand implements Runnable {
  @Parameters(
      arity = "0..1",
      paramLabel = "RUN_DIR",
      description = "A run directory, e.g. output/run_date=2026-01-31 (local or any Hadoop path).")
  String runDirectory;

  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    // Loaded even with RUN_DIR, so a mistyped --set fails here as in every subcommand.
    Settings settings = common.settings(List.of());
    String location = runDirectory != null ? runDirectory : fromSettings(settings);
    String page = new HtmlReport(Sessions.get("creditseg report")).write(location);
    spec.commandLine().getOut().println(page);
    spec.commandLine().getOut().flush();
  }

  private static String fromSettings(Settings settings) {
    if (settings.output().path().isEmpty()) {
      throw new InvalidSettingsException(
          "report needs RUN_DIR, or output.path (with run.date) to find the run:"
              + " creditseg report output/run_date=2026-01-31");
    }
    return new Path(settings.output().path(), "run_date=" + settings.run().date()).toString();
  }
}
