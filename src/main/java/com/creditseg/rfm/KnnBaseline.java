package com.creditseg.rfm;

import java.io.Serializable;

/**
 * Brute-force k nearest neighbours (MLlib has no kNN): a bounded training set of standardised
 * feature vectors and 0/1 labels, held in memory (the job broadcasts it; at most {@code
 * rfm.loyalty.knn.max-train-rows} rows), and for a query the share of positive labels among its k
 * nearest by Euclidean distance. Equal distances are resolved by training row order, so the result
 * does not depend on anything but the inputs. Cost per query: one pass over the training rows.
 */
public final class KnnBaseline implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[][] points;
  private final double[] labels;
  private final double[] mean;
  private final double[] std;
  private final int k;

  /**
   * @param raw training rows (unscaled); standardised here with their own mean and standard
   *     deviation (a constant feature is ignored)
   */
  public KnnBaseline(double[][] raw, double[] labels, int k) {
    if (raw.length == 0 || raw.length != labels.length) {
      throw new IllegalArgumentException(
          "kNN needs training rows and one label each: " + raw.length + ", " + labels.length);
    }
    int d = raw[0].length;
    this.mean = new double[d];
    this.std = new double[d];
    for (double[] row : raw) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j] / raw.length;
      }
    }
    for (double[] row : raw) {
      for (int j = 0; j < d; j++) {
        std[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / Math.max(1, raw.length - 1);
      }
    }
    for (int j = 0; j < d; j++) {
      std[j] = Math.sqrt(std[j]);
    }
    this.points = new double[raw.length][];
    for (int i = 0; i < raw.length; i++) {
      points[i] = scale(raw[i]);
    }
    this.labels = labels.clone();
    this.k = Math.min(k, raw.length);
  }

  /** How many training rows it holds. */
  public int trainRows() {
    return points.length;
  }

  private double[] scale(double[] x) {
    double[] z = new double[x.length];
    for (int j = 0; j < x.length; j++) {
      z[j] = std[j] == 0 ? 0 : (x[j] - mean[j]) / std[j];
    }
    return z;
  }

  /** The share of positives among the k nearest training rows of {@code x} (unscaled). */
  public double probability(double[] x) {
    double[] z = scale(x);
    // The k best so far, sorted by distance; a new row enters only when strictly nearer than the
    // worst kept, so ties keep the earlier training row.
    double[] best = new double[k];
    int[] index = new int[k];
    int kept = 0;
    for (int i = 0; i < points.length; i++) {
      double dist = 0;
      double[] p = points[i];
      for (int j = 0; j < z.length; j++) {
        double diff = p[j] - z[j];
        dist += diff * diff;
      }
      if (kept < k || dist < best[kept - 1]) {
        int pos = kept < k ? kept++ : kept - 1;
        while (pos > 0 && best[pos - 1] > dist) {
          best[pos] = best[pos - 1];
          index[pos] = index[pos - 1];
          pos--;
        }
        best[pos] = dist;
        index[pos] = i;
      }
    }
    double positives = 0;
    for (int i = 0; i < kept; i++) {
      positives += labels[index[i]];
    }
    return positives / kept;
  }
}
