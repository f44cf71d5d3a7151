package com.creditseg.job;

import com.creditseg.config.RunSettings;
import com.creditseg.io.RunOutput;
import com.creditseg.metrics.StageTimer;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;

/**
 * The frame every job that writes a run date ({@code run}, {@code score}, {@code rfm}) fills with
 * its steps: the start time, the stage timer, the staged output of the date (opened first, so that
 * an output that cannot be written fails at once), what the steps persisted ({@link Held}, released
 * however the run ends), and the two endings: {@link #stopAtGate} keeps a run stopped at its
 * quality gate under {@code _failed/}, {@link #commit} writes metrics.json and the report and swaps
 * the result in. A run that throws abandons its staging.
 */
final class RunFrame {
  final String startedAt = Instant.now().toString();
  final StageTimer timer = new StageTimer();
  final RunOutput output;
  final Held held = new Held();

  private RunFrame(RunOutput output) {
    this.output = output;
  }

  /** Runs {@code steps} in a new frame for {@code run}'s date under {@code outputPath}. */
  static <O extends JobOutcome> O run(
      SparkSession spark, RunSettings run, String outputPath, Function<RunFrame, O> steps) {
    RunFrame frame = new RunFrame(new RunOutput(spark, outputPath, run.date(), run.lockTimeout()));
    try (Held held = frame.held) {
      return steps.apply(frame);
    } catch (Exception e) {
      // Exception, not RuntimeException: Spark throws its SparkException (checked in Java) from
      // a failed job undeclared, and a run that failed reading a file left its staging behind.
      frame.output.abandon();
      throw e;
    }
  }

  /**
   * Ends a run stopped at its quality gate: {@code metrics} beside the quarantine, both kept under
   * {@code _failed/} (the committed result of the date untouched). Returns where they are.
   */
  String stopAtGate(Object metrics) {
    output.writeJson("metrics.json", metrics);
    return output.keepAsFailed();
  }

  /**
   * Ends a finished run: {@code metrics} as metrics.json, then the report (stage {@code report},
   * {@code rows} for its rate), which reads the staged files, then the commit.
   *
   * @param report writes the report of the run directory it is given and returns the page's path
   */
  void commit(Object metrics, UnaryOperator<String> report, long rows) {
    output.writeJson("metrics.json", metrics);
    timer.time("report", () -> report.apply(output.stagingLocation()), page -> rows);
    output.commit();
  }
}
