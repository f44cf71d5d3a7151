package com.creditseg.segment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Orders clusters by risk and names them: the cluster with the lowest mean credit score gets the
 * first label (riskiest), the highest the last. Ties break by cluster index so the order is
 * deterministic.
 */
public final class SegmentLabeler {
  private SegmentLabeler() {}

  /** One cluster's place in the risk order; rank 1 is the riskiest. */
  public record ClusterLabel(int cluster, int rank, String label, double meanScore) {}

  /**
   * Labels every cluster in {@code meanScoreByCluster}; {@code labels} runs riskiest first and must
   * have one label per cluster.
   */
  public static List<ClusterLabel> label(
      Map<Integer, Double> meanScoreByCluster, List<String> labels) {
    if (meanScoreByCluster.size() != labels.size()) {
      throw new IllegalArgumentException(
          "Cannot label segments: "
              + meanScoreByCluster.size()
              + " non-empty clusters but "
              + labels.size()
              + " labels "
              + labels);
    }
    List<Map.Entry<Integer, Double>> ordered = new ArrayList<>(meanScoreByCluster.entrySet());
    ordered.sort(
        Map.Entry.<Integer, Double>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
    List<ClusterLabel> result = new ArrayList<>();
    for (int i = 0; i < ordered.size(); i++) {
      Map.Entry<Integer, Double> e = ordered.get(i);
      result.add(new ClusterLabel(e.getKey(), i + 1, labels.get(i), e.getValue()));
    }
    result.sort(Comparator.comparingInt(ClusterLabel::cluster));
    return List.copyOf(result);
  }
}
