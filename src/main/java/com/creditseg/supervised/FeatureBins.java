package com.creditseg.supervised;

import java.util.Comparator;
import java.util.List;

/**
 * One feature's weight-of-evidence table.
 *
 * @param feature the input column
 * @param numeric whether its bins are ranges (else categories)
 * @param trend for a numeric feature, the direction its default rate takes as the value grows
 *     ("ascending" or "descending"); null for a categorical one
 * @param bins the bins; ranges in increasing order, then special values, then missing
 * @param iv the feature's information value (the sum of its bins')
 */
public record FeatureBins(
    String feature, boolean numeric, String trend, List<WoeBin> bins, double iv) {

  public FeatureBins {
    bins = List.copyOf(bins);
  }

  /** The output column holding a customer's weight of evidence for this feature. */
  public String woeColumn() {
    return "woe_" + feature;
  }

  /** The bin with the highest weight of evidence (the least risky). */
  public WoeBin safest() {
    return bins.stream().max(Comparator.comparingDouble(WoeBin::woe)).orElseThrow();
  }
}
