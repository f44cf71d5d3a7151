package com.creditseg.stability;

import com.creditseg.config.StabilitySettings;
import com.creditseg.metrics.StageTimer;
import com.creditseg.model.RunModel;
import com.creditseg.segment.SegmentModel;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's stability steps: before segmenting, a refit's segments continue the previous run's ids
 * ({@link #continueSegments}); after, the timed stage {@code stability} compares the written
 * segments with the previous run or with the applied model's training population, and hands the two
 * tables of {@code stability/} to the caller's sink.
 */
public final class StabilityStep {
  private static final Logger LOG = LoggerFactory.getLogger(StabilityStep.class);

  private final SparkSession spark;
  private final StabilitySettings settings;

  public StabilityStep(SparkSession spark, StabilitySettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  /**
   * What a run is compared with: the previous run ({@code stability.previous-run}), or the
   * population the applied model was fitted on.
   */
  public sealed interface Baseline permits Baseline.Run, Baseline.Training {
    /** The previous run of the output (or the one stability.previous-run names). */
    record Run(PreviousRun previous) implements Baseline {}

    /** The applied model's training population (its bundle's population.json). */
    record Training(RunModel model) implements Baseline {}
  }

  /**
   * The baseline of a run of {@code runDate} writing under {@code outputPath}: a run that applies a
   * model with a recorded population and stability.previous-run = auto compares with that
   * population; any other compares with the previous run, when there is one.
   */
  public Optional<Baseline> baseline(
      Optional<RunModel> applied, String outputPath, LocalDate runDate) {
    if (applied.isPresent()
        && applied.get().population() != null
        && settings.previousRun().equals(StabilitySettings.AUTO)) {
      return Optional.of(new Baseline.Training(applied.get()));
    }
    return PreviousRun.find(spark, settings, outputPath, runDate).map(Baseline.Run::new);
  }

  /**
   * stability: the written {@code segments} against the baseline ({@code continuity} null unless a
   * refit continued the previous run's segments); the tables go to {@code sink}.
   */
  public RunComparison.Report compare(
      StageTimer timer,
      Baseline baseline,
      RunComparison.Continuity continuity,
      Dataset<Row> segments,
      int scoreMin,
      int scoreMax,
      List<String> features,
      Consumer<RunComparison.Tables> sink) {
    if (baseline instanceof Baseline.Run run) {
      PreviousRun previous = run.previous();
      return stage(
          timer,
          "the run of " + previous.runDate(),
          c -> c.compare(previous, continuity, segments, scoreMin, scoreMax, features),
          r -> r.migration().stream().mapToLong(f -> f.customers()).sum(),
          sink);
    }
    return againstTraining(timer, ((Baseline.Training) baseline).model(), segments, sink);
  }

  /**
   * The new fit with the ids of the previous run's segments it continues, and the continuity the
   * report shows. A previous model that cannot be read (another schema version, say) leaves the fit
   * as it is, with a warning.
   */
  public record Continued(SegmentModel model, RunComparison.Continuity continuity) {}

  public Continued continueSegments(PreviousRun previous, SegmentModel fitted) {
    SegmentContinuity.Result matched;
    RunModel before = null;
    try {
      before = RunModel.load(spark, previous.model());
    } catch (RuntimeException e) {
      LOG.warn("Segments not matched to the run of {}: {}", previous.runDate(), e.getMessage());
    }
    if (before == null) {
      matched = new SegmentContinuity.Result(fitted, false, List.of(), List.of());
    } else {
      matched = SegmentContinuity.of(before.segments(), fitted);
      LOG.info(
          "Segments matched to the run of {}: {}; retired {}",
          previous.runDate(),
          matched.segments(),
          matched.retired());
    }
    return new Continued(
        matched.model(),
        new RunComparison.Continuity(
            matched.comparable(),
            matched.segments(),
            matched.retired(),
            matched.comparable()
                ? null
                : "the previous run clustered on other features or could not be read"));
  }

  /**
   * stability of a {@code score} run with no previous run: the written segments against the
   * population the applied model was fitted on (its bundle's population.json).
   */
  private RunComparison.Report againstTraining(
      StageTimer timer,
      RunModel applied,
      Dataset<Row> segments,
      Consumer<RunComparison.Tables> sink) {
    String runDate = applied.manifest().runDate();
    return stage(
        timer,
        "the model's training population (run of " + runDate + ")",
        c ->
            c.compare(
                applied.population(),
                "the model's training population (model/population.json)",
                runDate,
                segments),
        r -> applied.population().customers(),
        sink);
  }

  private RunComparison.Report stage(
      StageTimer timer,
      String against,
      Function<RunComparison, RunComparison.Report> compare,
      ToLongFunction<RunComparison.Report> rows,
      Consumer<RunComparison.Tables> sink) {
    RunComparison comparison = new RunComparison(spark, settings);
    RunComparison.Report report =
        timer.time(
            "stability",
            () -> {
              RunComparison.Report r = compare.apply(comparison);
              sink.accept(comparison.tables(r));
              return r;
            },
            rows);
    LOG.info(
        "Stability against {}: {} (credit_score PSI {})",
        against,
        report.verdict(),
        String.format(Locale.ROOT, "%.4f", report.score().psi()));
    return report;
  }
}
