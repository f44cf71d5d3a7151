package com.creditseg.metrics;

import com.creditseg.rfm.LoyaltyModel;
import com.creditseg.rfm.RfmSummary;
import com.creditseg.segment.KSelection;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * What an {@code rfm} run did, written as its metrics.json and read back by its report: the input,
 * the row reconciliation ({@code in = used + quarantined}), quarantine reasons, the snapshot and
 * cutoff, the quintile boundaries, the named segments and the R × F grid ({@link RfmSummary}), the
 * KMeans segments, the loyalty model's held-out figures and each stage's wall time and rows/s.
 * {@code segments}, {@code grid}, {@code kmeans} and {@code loyalty} are null for a run that
 * stopped at the quality gate.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RfmMetrics(
    String kind,
    String runDate,
    RunMetrics.Status status,
    String startedAt,
    String finishedAt,
    RunMetrics.Input input,
    Rows rows,
    Map<String, Long> quarantineReasons,
    double maxQuarantinedShare,
    String snapshotDate,
    String lastTransaction,
    long customers,
    Quintiles quintiles,
    List<RfmSummary.NamedSegment> segments,
    List<RfmSummary.GridCell> grid,
    KMeans kmeans,
    LoyaltyModel.Report loyalty,
    List<StageTimer.Stage> stages,
    String output,
    List<String> warnings,
    Platform platform) {

  /**
   * {@code in = used + quarantined}; {@code cancellations} are among the used rows (netted); {@code
   * reconciled} says whether it held.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Rows(long in, long used, long quarantined, long cancellations, boolean reconciled) {
    public double quarantinedShare() {
      return in == 0 ? 0 : (double) quarantined / in;
    }
  }

  /** The 20/40/60/80 % boundaries of recency (days), frequency and monetary. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Quintiles(double[] recency, double[] frequency, double[] monetary) {}

  /** KMeans on the log-scaled R, F and M: how k was chosen and the labelled clusters. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record KMeans(
      List<String> features, int k, KSelection selection, List<ClusterLabel> clusters) {}
}
