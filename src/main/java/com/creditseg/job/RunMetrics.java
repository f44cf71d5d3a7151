package com.creditseg.job;

import com.creditseg.quality.QualityReport;
import com.creditseg.segment.KSelection;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import java.util.List;
import java.util.Map;

/**
 * What a run did, written as metrics.json: inputs, the row reconciliation, quality counts, the
 * score factors used, how k was chosen, the segments, and each stage's wall time and rows/s.
 */
public record RunMetrics(
    String runDate,
    String status,
    String startedAt,
    String finishedAt,
    Input input,
    Rows rows,
    QualityReport quality,
    Score score,
    Segments segments,
    List<StageTimer.Stage> stages,
    String output) {

  public record Input(String path, String format, String mapping, boolean customerIdDerived) {}

  /** {@code in = out + quarantined + deduplicated}; {@code reconciled} says whether it held. */
  public record Rows(long in, long out, long quarantined, long deduplicated, boolean reconciled) {}

  public record Score(
      int min, int max, Map<String, Double> factorWeights, List<String> droppedFactors) {}

  public record Segments(
      List<String> features, int k, KSelection selection, List<ClusterLabel> clusters) {}
}
