package com.creditseg.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmentLabelerTest {
  static final List<String> FIVE = List.of("Very Poor", "Poor", "Fair", "Good", "Excellent");

  @Test
  void lowestMeanScoreGetsTheRiskiestLabel() {
    List<ClusterLabel> labels =
        SegmentLabeler.label(Map.of(0, 700.0, 1, 520.0, 2, 810.0, 3, 640.0, 4, 580.0), FIVE);
    assertEquals(
        List.of(
            new ClusterLabel(0, 4, "Good", 700.0),
            new ClusterLabel(1, 1, "Very Poor", 520.0),
            new ClusterLabel(2, 5, "Excellent", 810.0),
            new ClusterLabel(3, 3, "Fair", 640.0),
            new ClusterLabel(4, 2, "Poor", 580.0)),
        labels);
  }

  @Test
  void tiesBreakByClusterIndex() {
    List<ClusterLabel> labels =
        SegmentLabeler.label(Map.of(1, 600.0, 0, 600.0), List.of("High Risk", "Low Risk"));
    assertEquals("High Risk", labels.get(0).label());
    assertEquals("Low Risk", labels.get(1).label());
  }

  @Test
  void labelCountMustMatch() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SegmentLabeler.label(Map.of(0, 1.0, 1, 2.0), FIVE));
    assertEquals(
        "Cannot label segments: 2 non-empty clusters but 5 labels "
            + "[Very Poor, Poor, Fair, Good, Excellent]",
        e.getMessage());
  }

  @Test
  void elbowIsThePointFarthestBelowTheChord() {
    List<KSelection.Candidate> curve =
        List.of(cand(2, 100), cand(3, 40), cand(4, 30), cand(5, 25), cand(6, 22));
    assertEquals(3, KSelection.elbow(curve));
    assertEquals(null, KSelection.elbow(curve.subList(0, 2)));
  }

  private static KSelection.Candidate cand(int k, double wcss) {
    return new KSelection.Candidate(k, wcss, 0.5, 1, List.of());
  }
}
