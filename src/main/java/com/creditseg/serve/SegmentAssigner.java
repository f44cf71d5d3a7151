package com.creditseg.serve;

import com.creditseg.model.PortableModel;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.creditseg.segment.SegmentModel.FeatureRange;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The segmentation of one customer in plain Java, from a {@link PortableModel}: the arithmetic of
 * {@code SegmentModel.assign} and {@code SegmentDistanceScore.apply}, which the batch job runs as
 * Spark column expressions. Each step is computed in the same order of double operations, so the
 * results are the same to the last bit.
 *
 * <ul>
 *   <li>each feature clipped to its range (NaN to the top, as Spark orders NaN above every number),
 *       then {@code z = (x - mean) * (1 / std or 0) * weight};
 *   <li>the nearest centre by squared Euclidean distance, the lowest index on a tie; then the
 *       merged clusters; then the segment id the index carries ({@code ids}, kept from a previous
 *       run's segment); then the label and rank of that id;
 *   <li>for {@code score.method = segment-distance}, the score inside the segment's band.
 * </ul>
 */
final class SegmentAssigner {
  /**
   * A customer's cluster id (after merges), its KMeans index, its label and rank, and the distance
   * to each centre (by KMeans index).
   */
  record Assignment(int cluster, int index, String segment, int rank, double[] squaredDistances) {}

  private final List<String> features;
  private final double[] shift;
  private final double[] scale;
  private final double[] weights;
  private final double[][] low;
  private final double[][] high;
  private final double[][] centres;
  private final Map<Integer, Integer> merged;
  private final Map<Integer, Integer> ids;
  private final Map<Integer, Integer> indexById = new HashMap<>();
  private final Map<Integer, ClusterLabel> byCluster = new HashMap<>();
  private final Map<Integer, Integer> clusterByRank = new HashMap<>();

  SegmentAssigner(PortableModel.Segmentation s) {
    features = List.copyOf(s.features());
    int n = features.size();
    shift = new double[n];
    scale = new double[n];
    low = new double[n][];
    high = new double[n][];
    for (int f = 0; f < n; f++) {
      shift[f] = s.withMean() ? s.mean()[f] : 0;
      scale[f] = s.std()[f] == 0 ? 0 : 1 / s.std()[f];
      String feature = features.get(f);
      List<FeatureRange> ranges =
          s.clip().stream().filter(r -> r.feature().equals(feature)).toList();
      low[f] = ranges.stream().mapToDouble(FeatureRange::low).toArray();
      high[f] = ranges.stream().mapToDouble(FeatureRange::high).toArray();
    }
    weights = s.weights().clone();
    centres = s.centres();
    merged = Map.copyOf(s.merged());
    ids = s.ids() == null ? Map.of() : Map.copyOf(s.ids());
    ids.forEach((index, id) -> indexById.put(id, index));
    for (ClusterLabel l : s.clusters()) {
      byCluster.put(l.cluster(), l);
      clusterByRank.put(l.rank(), l.cluster());
    }
  }

  /** The clustering features, in the order the model reads them. */
  List<String> features() {
    return features;
  }

  /** The number of segments (clusters after merges). */
  int segments() {
    return byCluster.size();
  }

  /**
   * Segments a customer whose feature values {@code valueOf} gives; null when a feature is null
   * (the batch job's cluster, segment and rank are null then).
   */
  Assignment assign(Function<String, Double> valueOf) {
    double[] z = new double[features.size()];
    for (int f = 0; f < z.length; f++) {
      Double value = valueOf.apply(features.get(f));
      if (value == null) {
        return null;
      }
      double x = value;
      for (int r = 0; r < low[f].length; r++) {
        x = x < low[f][r] ? low[f][r] : (x > high[f][r] || Double.isNaN(x)) ? high[f][r] : x;
      }
      z[f] = (x - shift[f]) * scale[f] * weights[f];
    }
    double[] distances = new double[centres.length];
    int nearest = 0;
    for (int c = 0; c < centres.length; c++) {
      double d = 0;
      for (int f = 0; f < z.length; f++) {
        double diff = z[f] - centres[c][f];
        d = f == 0 ? diff * diff : d + diff * diff;
      }
      distances[c] = d;
      if (c > 0 && compare(d, distances[nearest]) < 0) {
        nearest = c;
      }
    }
    int index = merged.getOrDefault(nearest, nearest);
    int cluster = ids.getOrDefault(index, index);
    ClusterLabel label = byCluster.get(cluster);
    return new Assignment(cluster, index, label.label(), label.rank(), distances);
  }

  /**
   * {@code score.method = segment-distance}: the score in the band of the customer's segment, from
   * the distances to its own centre and to the centres of the next safer and next riskier segments
   * (see {@code SegmentDistanceScore}).
   */
  int distanceScore(Assignment a, int min, int max) {
    double width = (double) (max - min) / byCluster.size();
    double own = Math.sqrt(a.squaredDistances()[a.index()]);
    double up = share(own, neighbour(a, a.rank() + 1));
    double down = share(own, neighbour(a, a.rank() - 1));
    double bottom = (a.rank() - 1) * width + min;
    double score = bottom + (0.5 + up - down) * width;
    double banded = Math.min(Math.max(score, bottom), bottom + width);
    // Spark's round(): half up on the double's decimal form.
    return BigDecimal.valueOf(banded).setScale(0, RoundingMode.HALF_UP).intValue();
  }

  /** The distance to the centre of the segment of {@code rank}; null when there is none. */
  private Double neighbour(Assignment a, int rank) {
    Integer cluster = clusterByRank.get(rank);
    return cluster == null
        ? null
        : Math.sqrt(a.squaredDistances()[indexById.getOrDefault(cluster, cluster)]);
  }

  /** {@code own / (own + other)}, 0 without a neighbour or when both distances are 0. */
  private static double share(double own, Double other) {
    if (other == null || own + other == 0.0) {
      return 0.0;
    }
    return own / (own + other);
  }

  /** Spark's ordering of doubles: NaN above every number, -0.0 equal to 0.0. */
  private static int compare(double x, double y) {
    return x == y ? 0 : Double.compare(x, y);
  }
}
