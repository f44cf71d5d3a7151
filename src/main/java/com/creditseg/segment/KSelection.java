package com.creditseg.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How k was chosen: every k tried with its within-cluster sum of squares (WCSS, of the best seed),
 * silhouette, and each seed's cost; the chosen k, its fit, and the k an elbow rule would pick.
 *
 * @param mode {@code FIXED} (segment.k) or {@code AUTO} (highest silhouette)
 * @param candidates the k curve: with {@code AUTO}, each k fitted once on {@code searchRows}
 *     customers; with {@code FIXED}, the one fit
 * @param fitted the chosen k fitted from every seed on the whole fit sample (its silhouette on the
 *     silhouette sample): the model the segments come from
 * @param searchRows the customers each candidate was fitted on
 * @param merged clusters too small to be segments, each merged into its nearest neighbour
 * @param elbowK the k farthest below the straight line from the first to the last WCSS point, or
 *     null with fewer than three k tried
 */
public record KSelection(
    Mode mode,
    int chosenK,
    Integer elbowK,
    List<Candidate> candidates,
    Candidate fitted,
    long searchRows,
    List<MergedCluster> merged) {

  /**
   * A cluster below segment.min-size that did not become a segment: its customers joined the
   * cluster {@code into}, whose centre is nearest.
   */
  public record MergedCluster(int cluster, long customers, double share, int into) {}

  /** How k was chosen. */
  public enum Mode {
    @JsonProperty("fixed")
    FIXED,
    @JsonProperty("auto")
    AUTO
  }

  /** One KMeans fit: its seed, cost (WCSS on the fit sample) and iterations. */
  public record SeedFit(long seed, double cost, int iterations) {}

  /** One k with the best of its seeds. */
  public record Candidate(
      int k, double wcss, double silhouette, long bestSeed, List<SeedFit> seeds) {}

  /** The elbow of a WCSS curve: the point farthest below the chord from first to last. */
  static Integer elbow(List<Candidate> candidates) {
    if (candidates.size() < 3) {
      return null;
    }
    Candidate first = candidates.get(0);
    Candidate last = candidates.get(candidates.size() - 1);
    double best = Double.NEGATIVE_INFINITY;
    Integer elbow = null;
    for (Candidate c : candidates) {
      double t = (double) (c.k() - first.k()) / (last.k() - first.k());
      double chord = first.wcss() + t * (last.wcss() - first.wcss());
      double below = chord - c.wcss();
      if (below > best) {
        best = below;
        elbow = c.k();
      }
    }
    return elbow;
  }
}
