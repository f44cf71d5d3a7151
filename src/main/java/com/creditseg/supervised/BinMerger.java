package com.creditseg.supervised;

import com.creditseg.config.SupervisedSettings.Trend;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges a numeric feature's quantile pre-bins into its final ranges, on the driver (a feature has
 * at most a hundred pre-bins): first adjacent bins whose default rates go against the trend are
 * pooled until the rates are monotone (pool-adjacent-violators), then the smallest bin below the
 * minimum count is merged into the neighbour with the closer default rate until none is left.
 * Merging two neighbours of a monotone sequence keeps it monotone, so both properties hold at the
 * end.
 */
final class BinMerger {
  private BinMerger() {}

  /** A range (lower, upper] with its training counts. Null bounds are unbounded. */
  record Range(Double lower, Double upper, long count, long events) {
    double rate() {
      return count == 0 ? 0 : (double) events / count;
    }

    Range merge(Range next) {
      return new Range(lower, next.upper, count + next.count, events + next.events);
    }
  }

  /** The merged ranges and the trend they follow. */
  record Merged(List<Range> ranges, boolean ascending) {}

  static Merged merge(List<Range> prebins, Trend trend, long minCount) {
    boolean ascending =
        switch (trend) {
          case ASCENDING -> true;
          case DESCENDING -> false;
          case AUTO -> correlation(prebins) >= 0;
        };
    List<Range> bins = monotone(prebins, ascending);
    return new Merged(largeEnough(bins, minCount), ascending);
  }

  /**
   * The count-weighted correlation of the pre-bins' order with their default rate: its sign is the
   * trend {@code auto} chooses. Zero (no events, or one bin) counts as ascending.
   */
  static double correlation(List<Range> bins) {
    double n = 0;
    double meanX = 0;
    double meanY = 0;
    for (int i = 0; i < bins.size(); i++) {
      n += bins.get(i).count();
      meanX += i * (double) bins.get(i).count();
      meanY += bins.get(i).events();
    }
    if (n == 0) {
      return 0;
    }
    meanX /= n;
    meanY /= n;
    double cov = 0;
    for (int i = 0; i < bins.size(); i++) {
      Range r = bins.get(i);
      cov += r.count() * (i - meanX) * (r.rate() - meanY);
    }
    return cov;
  }

  /** Pools adjacent violators until the default rate never goes against the trend. */
  static List<Range> monotone(List<Range> prebins, boolean ascending) {
    List<Range> bins = new ArrayList<>(prebins);
    int i = 0;
    while (i < bins.size() - 1) {
      double here = bins.get(i).rate();
      double next = bins.get(i + 1).rate();
      boolean violates = ascending ? here > next : here < next;
      if (violates) {
        bins.set(i, bins.get(i).merge(bins.remove(i + 1)));
        i = Math.max(0, i - 1);
      } else {
        i++;
      }
    }
    return bins;
  }

  /**
   * Merges the smallest bin below {@code minCount} into the neighbour with the closer default rate
   * (the smaller neighbour on a tie) until every bin holds at least {@code minCount}, or one bin is
   * left.
   */
  static List<Range> largeEnough(List<Range> merged, long minCount) {
    List<Range> bins = new ArrayList<>(merged);
    while (bins.size() > 1) {
      int smallest = 0;
      for (int i = 1; i < bins.size(); i++) {
        if (bins.get(i).count() < bins.get(smallest).count()) {
          smallest = i;
        }
      }
      Range small = bins.get(smallest);
      if (small.count() >= minCount) {
        break;
      }
      int into;
      if (smallest == 0) {
        into = 1;
      } else if (smallest == bins.size() - 1) {
        into = smallest - 1;
      } else {
        Range left = bins.get(smallest - 1);
        Range right = bins.get(smallest + 1);
        double dl = Math.abs(left.rate() - small.rate());
        double dr = Math.abs(right.rate() - small.rate());
        into = dl < dr || (dl == dr && left.count() <= right.count()) ? smallest - 1 : smallest + 1;
      }
      int first = Math.min(smallest, into);
      bins.set(first, bins.get(first).merge(bins.remove(first + 1)));
    }
    return bins;
  }
}
