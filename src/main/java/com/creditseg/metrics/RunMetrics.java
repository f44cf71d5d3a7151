package com.creditseg.metrics;

import com.creditseg.config.ScoreSettings;
import com.creditseg.quality.QualityReport;
import com.creditseg.score.ScoreCard;
import com.creditseg.segment.KSelection;
import com.creditseg.segment.RiskOrder;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.creditseg.stability.RunComparison;
import com.creditseg.supervised.RiskModels;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a run did, written as metrics.json and read back by the report as this record: inputs, the
 * row reconciliation, quality counts, the score factors used, how k was chosen, the segments, and
 * each stage's wall time and rows/s, and the comparison with the previous run. {@code score} and
 * {@code segments} are null for a run that stopped at the quality gate, {@code stability} for a run
 * without a previous run, {@code supervised} for a run without supervised models, {@code riskOrder}
 * for an input without a label.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunMetrics(
    String runDate,
    Status status,
    String startedAt,
    String finishedAt,
    Input input,
    Rows rows,
    QualityReport quality,
    Score score,
    Segments segments,
    List<StageTimer.Stage> stages,
    String output,
    RunComparison.Report stability,
    RiskModels.Report supervised,
    RiskOrder riskOrder,
    List<String> warnings,
    Platform platform) {

  /** How the run ended. */
  public enum Status {
    @JsonProperty("succeeded")
    SUCCEEDED,
    /** Stopped at the quality gate (exit code 3); quarantine and metrics kept in _failed/. */
    @JsonProperty("failed_quality")
    FAILED_QUALITY
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Input(String path, String format, String mapping, boolean customerIdDerived) {}

  /** {@code in = out + quarantined + deduplicated}; {@code reconciled} says whether it held. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Rows(long in, long out, long quarantined, long deduplicated, boolean reconciled) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Score(
      int min,
      int max,
      Map<String, Double> factorWeights,
      List<String> droppedFactors,
      ScoreSettings.Method method) {
    public static Score of(ScoreCard card, ScoreSettings.Method method) {
      return new Score(card.min(), card.max(), card.weights(), card.droppedFactors(), method);
    }
  }

  /**
   * The segmentation: {@code k} is the number of segments, which is {@code selection.chosenK} less
   * the clusters merged for being below segment.min-size.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Segments(
      List<String> features, int k, KSelection selection, List<ClusterLabel> clusters) {
    public static Segments of(
        List<String> features, List<ClusterLabel> clusters, KSelection selection) {
      return new Segments(features, clusters.size(), selection, clusters);
    }
  }

  /**
   * Starts the metrics of a run of {@code runDate}, started at {@code startedAt}, that read {@code
   * rowsIn} rows from {@code input}.
   */
  public static Builder builder(String runDate, String startedAt, Input input, long rowsIn) {
    return new Builder(runDate, startedAt, input, rowsIn);
  }

  /** A run's metrics, filled in as its steps end; the parts a run did not reach stay null. */
  public static final class Builder {
    private final String runDate;
    private final String startedAt;
    private final Input input;
    private final long rowsIn;
    private QualityReport quality;
    private Score score;
    private Segments segments;
    private RunComparison.Report stability;
    private RiskModels.Report supervised;
    private RiskOrder riskOrder;
    private final List<String> warnings = new ArrayList<>();

    private Builder(String runDate, String startedAt, Input input, long rowsIn) {
      this.runDate = runDate;
      this.startedAt = startedAt;
      this.input = input;
      this.rowsIn = rowsIn;
    }

    public Builder quality(QualityReport quality) {
      this.quality = quality;
      return this;
    }

    public Builder score(Score score) {
      this.score = score;
      return this;
    }

    public Builder segments(Segments segments) {
      this.segments = segments;
      return this;
    }

    public Builder stability(RunComparison.Report stability) {
      this.stability = stability;
      return this;
    }

    public Builder supervised(RiskModels.Report supervised) {
      this.supervised = supervised;
      return this;
    }

    public Builder riskOrder(RiskOrder riskOrder) {
      this.riskOrder = riskOrder;
      return this;
    }

    /** What the run tells its reader beside the results (logged, in metrics.json, the report). */
    public Builder warnings(List<String> warnings) {
      this.warnings.addAll(warnings);
      return this;
    }

    /**
     * The metrics of a run stopped at the quality gate: nothing written but the quarantine; the
     * rows reconcile when validation counted every row read.
     */
    public RunMetrics failedQuality(
        List<StageTimer.Stage> stages, String output, Platform platform) {
      return build(Status.FAILED_QUALITY, 0, quality.rowsIn() == rowsIn, stages, output, platform);
    }

    /**
     * The metrics of a run that wrote {@code rowsOut} customers: {@code in = out + quarantined +
     * deduplicated} must hold.
     */
    public RunMetrics succeeded(
        long rowsOut, List<StageTimer.Stage> stages, String output, Platform platform) {
      boolean reconciled =
          quality.rowsIn() == rowsIn
              && rowsIn == rowsOut + quality.rowsQuarantined() + quality.rowsDeduplicated();
      return build(Status.SUCCEEDED, rowsOut, reconciled, stages, output, platform);
    }

    private RunMetrics build(
        Status status,
        long rowsOut,
        boolean reconciled,
        List<StageTimer.Stage> stages,
        String output,
        Platform platform) {
      return new RunMetrics(
          runDate,
          status,
          startedAt,
          Instant.now().toString(),
          input,
          new Rows(
              rowsIn, rowsOut, quality.rowsQuarantined(), quality.rowsDeduplicated(), reconciled),
          quality,
          score,
          segments,
          stages,
          output,
          stability,
          supervised,
          riskOrder,
          List.copyOf(warnings),
          platform);
    }
  }
}
