package com.creditseg.metrics;

import com.creditseg.config.ScoreSettings;
import com.creditseg.quality.QualityReport;
import com.creditseg.segment.KSelection;
import com.creditseg.segment.RiskOrder;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.creditseg.stability.RunComparison;
import com.creditseg.supervised.RiskModels;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
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
      ScoreSettings.Method method) {}

  /**
   * The segmentation: {@code k} is the number of segments, which is {@code selection.chosenK} less
   * the clusters merged for being below segment.min-size.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Segments(
      List<String> features, int k, KSelection selection, List<ClusterLabel> clusters) {}
}
