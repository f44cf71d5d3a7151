package com.creditseg.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentMatcherTest {

  @Test
  void permutedCentresAreMatchedBackToTheirPredecessors() {
    double[][] previous = {{0, 0}, {10, 0}, {0, 10}};
    double[][] current = {{0.2, 9.9}, {0.1, -0.1}, {10.3, 0.2}};
    List<SegmentMatcher.Match> matches = SegmentMatcher.match(previous, current);
    assertEquals(List.of(2, 0, 1), matches.stream().map(SegmentMatcher.Match::previous).toList());
    assertEquals(Math.hypot(0.2, 0.1), matches.get(0).distance(), 1e-12);
  }

  @Test
  void aCentreFarFromEveryPredecessorIsNew() {
    double[][] previous = {{0, 0}, {10, 0}};
    double[][] current = {{0, 0.1}, {10, -0.1}, {30, 30}};
    List<SegmentMatcher.Match> matches = SegmentMatcher.match(previous, current);
    assertEquals(0, matches.get(0).previous());
    assertEquals(1, matches.get(1).previous());
    assertTrue(matches.get(2).isNew());
  }

  @Test
  void aPredecessorOutsideTheNewSegmentsRegionDoesNotCountAsContinued() {
    // One previous centre, two new ones: the previous sits midway, in neither's own region.
    double[][] previous = {{5, 0}};
    double[][] current = {{0, 0}, {10, 0}};
    List<SegmentMatcher.Match> matches = SegmentMatcher.match(previous, current);
    assertTrue(matches.get(0).isNew() && matches.get(1).isNew(), matches.toString());
  }

  @Test
  void theAssignmentIsOptimalNotGreedy() {
    // Greedy (row by row, nearest free column) pairs 0-0 (1) then 1-1 (10): 11 in all.
    // The optimum pairs 0-1 (2) and 1-0 (2): 4.
    double[][] cost = {{1, 2}, {2, 10}};
    assertArrayEquals(new int[] {1, 0}, SegmentMatcher.optimalAssignment(cost, 2, 2));
    // More new than previous: as many pairs as there are previous centres, the cheapest.
    double[][] wide = {{5}, {1}, {3}};
    assertArrayEquals(new int[] {-1, 0, -1}, SegmentMatcher.optimalAssignment(wide, 3, 1));
  }
}
