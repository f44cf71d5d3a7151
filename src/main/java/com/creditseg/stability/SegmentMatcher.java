package com.creditseg.stability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Matches a new fit's segment centres to the previous run's, one to one, so that a segment that has
 * not really changed keeps its id. Both sets of centres are given in the same space (the new fit's
 * clustering space: the previous centres are carried back to feature values and scaled by the new
 * scaler and weights).
 *
 * <p>The assignment is optimal, not greedy: among the one-to-one assignments that match as many new
 * centres as there are previous ones (or all new ones, when there are fewer), the one with the
 * least total distance (exact, by dynamic programming over subsets of previous centres; k is
 * small). A matched pair is kept only when the previous centre lies nearer to its new centre than
 * half the distance from that new centre to its nearest other new centre (it falls in the new
 * segment's own region of the space); a new centre without a kept pair is a new segment and gets an
 * id no previous segment had.
 */
public final class SegmentMatcher {
  private SegmentMatcher() {}

  /** One new segment: its new index, the previous index it continues (or -1), and the distance. */
  public record Match(int index, int previous, double distance) {
    public boolean isNew() {
      return previous < 0;
    }
  }

  /**
   * The match of every new centre, in new-index order. {@code previous[j]} and {@code current[i]}
   * are centres in one space.
   */
  public static List<Match> match(double[][] previous, double[][] current) {
    int n = current.length;
    int m = previous.length;
    if (m > 20) {
      throw new IllegalArgumentException("Cannot match more than 20 previous segments, got " + m);
    }
    double[][] d = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        d[i][j] = distance(current[i], previous[j]);
      }
    }
    int[] assigned = optimalAssignment(d, n, m);
    List<Match> matches = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int j = assigned[i];
      double nearestOther = Double.POSITIVE_INFINITY;
      for (int o = 0; o < n; o++) {
        if (o != i) {
          nearestOther = Math.min(nearestOther, distance(current[i], current[o]));
        }
      }
      boolean kept = j >= 0 && d[i][j] < nearestOther / 2;
      matches.add(new Match(i, kept ? j : -1, j >= 0 ? d[i][j] : Double.NaN));
    }
    return List.copyOf(matches);
  }

  /**
   * For each row, the column it is assigned (or -1): as many pairs as possible, then the least
   * total cost. {@code best[i][mask]}: the least cost of rows i.. given the columns in mask are
   * taken.
   */
  static int[] optimalAssignment(double[][] cost, int n, int m) {
    int pairs = Math.min(n, m);
    int full = 1 << m;
    // Rows left unmatched cost more than any pairing can, so the most pairs always win.
    double skip = 1 + Arrays.stream(cost).flatMapToDouble(Arrays::stream).map(Math::abs).sum();
    double[][] best = new double[n + 1][full];
    for (int i = n - 1; i >= 0; i--) {
      for (int mask = 0; mask < full; mask++) {
        double b = skip + best[i + 1][mask];
        for (int j = 0; j < m; j++) {
          if ((mask & (1 << j)) == 0) {
            b = Math.min(b, cost[i][j] + best[i + 1][mask | (1 << j)]);
          }
        }
        best[i][mask] = b;
      }
    }
    int[] assigned = new int[n];
    int mask = 0;
    for (int i = 0; i < n; i++) {
      assigned[i] = -1;
      double target = best[i][mask];
      for (int j = 0; j < m; j++) {
        if ((mask & (1 << j)) == 0 && cost[i][j] + best[i + 1][mask | (1 << j)] == target) {
          assigned[i] = j;
          mask |= 1 << j;
          break;
        }
      }
    }
    assert Integer.bitCount(mask) == pairs;
    return assigned;
  }

  static double distance(double[] a, double[] b) {
    double s = 0;
    for (int f = 0; f < a.length; f++) {
      double diff = a[f] - b[f];
      s += diff * diff;
    }
    return Math.sqrt(s);
  }
}
