package com.creditseg.job;

import com.creditseg.metrics.RunMetrics;
import com.creditseg.metrics.StageTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How a {@code run} (or {@code score}) ended, as a value with its exit code. */
public sealed interface RunOutcome extends JobOutcome {
  RunMetrics metrics();

  /**
   * Every stage the run timed. A committed run's report comes after metrics.json (it reads it), so
   * only here does its time appear beside the others.
   */
  default List<StageTimer.Stage> stages() {
    return metrics().stages();
  }

  /** Committed to {@code <output.path>/run_date=<date>/}. */
  record Succeeded(RunMetrics metrics, List<StageTimer.Stage> stages) implements RunOutcome {
    @Override
    public int exitCode() {
      return ExitCode.SUCCESS;
    }

    @Override
    public Optional<String> failure() {
      return Optional.empty();
    }
  }

  /**
   * Committed, but the population moved significantly since the previous run and stability.fail-on
   * = significant.
   */
  record Shifted(RunMetrics metrics, List<StageTimer.Stage> stages) implements RunOutcome {
    @Override
    public int exitCode() {
      return ExitCode.SHIFT;
    }

    @Override
    public Optional<String> failure() {
      return Optional.of(reason());
    }

    /** One line: the verdict, the variables that shifted and where the run is. */
    public String reason() {
      var s = metrics.stability();
      List<String> shifted = new ArrayList<>();
      if (s.score().verdict().equals("significant")) {
        shifted.add(String.format("%s PSI %.3f", s.score().variable(), s.score().psi()));
      }
      s.features().stream()
          .filter(p -> p.verdict().equals("significant"))
          .forEach(p -> shifted.add(String.format("%s PSI %.3f", p.variable(), p.psi())));
      return String.format(
          "significant population shift since the run of %s (%s); stability.fail-on = significant;"
              + " the run is committed at %s",
          s.previousRunDate(), String.join(", ", shifted), metrics.output());
    }
  }

  /**
   * Stopped at the quality gate: too many rows quarantined, or none valid. The quarantine and
   * metrics.json were kept in {@code failedLocation}; the committed result of the date is
   * untouched.
   */
  record FailedQuality(RunMetrics metrics, String failedLocation) implements RunOutcome {
    @Override
    public int exitCode() {
      return ExitCode.QUALITY;
    }

    @Override
    public Optional<String> failure() {
      return Optional.of(reason());
    }

    /** One line for the user: how many rows, the commonest reasons, and where to look. */
    public String reason() {
      var q = metrics.quality();
      List<String> top = q.topReasons(3);
      return String.format(
          "%,d of %,d rows (%.1f%%) quarantined%s%s; quarantine and metrics written to %s",
          q.rowsQuarantined(),
          q.rowsIn(),
          100 * q.quarantinedShare(),
          q.rowsValid() == 0
              ? ", none left to segment"
              : ", above quality.max-quarantined-share = " + q.maxQuarantinedShare(),
          top.isEmpty() ? "" : "; top reasons: " + String.join("; ", top),
          failedLocation);
    }
  }
}
