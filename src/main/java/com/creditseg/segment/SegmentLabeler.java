package com.creditseg.segment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Orders clusters by risk and names them: the cluster with the lowest mean credit score (or, with a
 * label, the highest observed default rate) gets the first label (riskiest). Ties break so the
 * order is deterministic.
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

  /**
   * Labels every cluster by its observed default rate, the highest first (riskiest); ties break by
   * mean score (the lower riskier), then by cluster index. {@code meanScoreByCluster} is kept in
   * the labels for the profile.
   */
  public static List<ClusterLabel> byDefaultRate(
      Map<Integer, Double> defaultRateByCluster,
      Map<Integer, Double> meanScoreByCluster,
      List<String> labels) {
    if (defaultRateByCluster.size() != labels.size()) {
      throw new IllegalArgumentException(
          "Cannot label segments: "
              + defaultRateByCluster.size()
              + " clusters with a default rate but "
              + labels.size()
              + " labels "
              + labels);
    }
    List<Integer> ordered = new ArrayList<>(defaultRateByCluster.keySet());
    ordered.sort(
        Comparator.<Integer>comparingDouble(c -> -defaultRateByCluster.get(c))
            .thenComparingDouble(c -> meanScoreByCluster.getOrDefault(c, 0.0))
            .thenComparing(Comparator.naturalOrder()));
    List<ClusterLabel> result = new ArrayList<>();
    for (int i = 0; i < ordered.size(); i++) {
      int c = ordered.get(i);
      result.add(
          new ClusterLabel(
              c, i + 1, labels.get(i), meanScoreByCluster.getOrDefault(c, Double.NaN)));
    }
    result.sort(Comparator.comparingInt(ClusterLabel::cluster));
    return List.copyOf(result);
  }
}
