package com.creditseg.stability;

import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Carries segment ids from a previous run's model to a new fit of the same features: each new
 * segment that continues a previous one ({@link SegmentMatcher}) takes that segment's id; a new
 * segment without a predecessor gets the next id no previous segment had. Labels always follow the
 * new fit's risk order; a continued segment whose label changed is reported as such.
 *
 * <p>The previous centres are carried into the new clustering space through feature values: {@code
 * x = z / (weight / std) + mean} with the previous scaler and weights (a feature without spread
 * sits at its mean), then scaled by the new ones.
 */
public final class SegmentContinuity {
  private SegmentContinuity() {}

  /** One segment of the new run and the previous segment it continues, if any. */
  public record Continued(
      int cluster,
      String label,
      Integer previousCluster,
      String previousLabel,
      Double distance,
      boolean newSegment,
      boolean labelChanged) {}

  /**
   * The new model renumbered, each new segment's line and the previous segments nothing continues;
   * {@code comparable} is false (and the model unchanged) when the features differ.
   */
  public record Result(
      SegmentModel model, boolean comparable, List<Continued> segments, List<Integer> retired) {}

  public static Result of(SegmentModel previous, SegmentModel current) {
    if (!previous.features().equals(current.features())) {
      return new Result(current, false, List.of(), List.of());
    }
    List<ClusterLabel> before = previous.labels();
    List<ClusterLabel> after = current.labels();
    SegmentModel.Arithmetic previousSpace = previous.arithmetic();
    SegmentModel.Arithmetic currentSpace = current.arithmetic();
    double[][] from = new double[before.size()][];
    for (int j = 0; j < before.size(); j++) {
      double[] centre = previous.centers()[previous.index(before.get(j).cluster())].toArray();
      from[j] = currentSpace.coordinates(previousSpace.featureValues(centre));
    }
    double[][] to = new double[after.size()][];
    for (int i = 0; i < after.size(); i++) {
      to[i] = current.centers()[current.index(after.get(i).cluster())].toArray();
    }
    List<SegmentMatcher.Match> matches = SegmentMatcher.match(from, to);
    int next = before.stream().mapToInt(ClusterLabel::cluster).max().orElse(-1) + 1;
    Map<Integer, Integer> ids = new HashMap<>();
    Set<Integer> continued = new TreeSet<>();
    List<Continued> lines = new ArrayList<>();
    for (SegmentMatcher.Match m : matches) {
      ClusterLabel now = after.get(m.index());
      int id;
      if (m.isNew()) {
        id = next++;
        lines.add(new Continued(id, now.label(), null, null, null, true, false));
      } else {
        ClusterLabel was = before.get(m.previous());
        id = was.cluster();
        continued.add(id);
        lines.add(
            new Continued(
                id,
                now.label(),
                was.cluster(),
                was.label(),
                m.distance(),
                false,
                !was.label().equals(now.label())));
      }
      ids.put(current.index(now.cluster()), id);
    }
    List<Integer> retired =
        before.stream().map(ClusterLabel::cluster).filter(c -> !continued.contains(c)).toList();
    lines.sort(Comparator.comparingInt(Continued::cluster));
    return new Result(current.withIds(ids), true, List.copyOf(lines), retired);
  }
}
