package com.creditseg.supervised;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What scores customers with a fitted scorecard, as the model bundle keeps it: the kept features'
 * bin tables and the points. Adds {@code scorecard_points}, {@code probability_of_default} and
 * {@code scorecard_reason_code_1 … scorecard_reason_code_N} (see {@link Scorecard}); the WoE
 * columns it computes on the way are dropped again.
 *
 * @param label the label the scorecard was fitted on
 * @param bins the kept features' bin tables, in the scorecard's order
 * @param maxReasonCodes reason codes per customer at most: N, the number of reason-code columns
 */
public record ScorecardModel(
    String label, List<FeatureBins> bins, Scorecard scorecard, int maxReasonCodes) {
  public ScorecardModel {
    bins = List.copyOf(bins);
  }

  /** The columns a scored customer needs. */
  public List<String> inputColumns() {
    return bins.stream().map(FeatureBins::feature).toList();
  }

  /**
   * One customer's scorecard columns, as {@link #score} computes them; {@code reasonCodes} holds
   * the codes the reason-code columns have, in order, without the nulls after them.
   */
  public record One(int points, double probabilityOfDefault, List<String> reasonCodes) {}

  /** The reason-code columns {@link #score} adds. */
  public List<String> reasonCodeColumns() {
    return Scorecard.reasonCodeColumns(maxReasonCodes);
  }

  /**
   * One customer, without Spark (for {@code serve}): the same arithmetic as {@link #score}, in the
   * same order, with {@link StrictMath#exp} and half-up rounding as Spark's {@code exp} and {@code
   * round}, so the results are identical to the batch job's. {@code value} gives a column's value
   * (a Number, a String or null).
   */
  public One scoreOne(Function<String, Object> value) {
    double factor = scorecard.factor();
    double share =
        (scorecard.offset() - factor * scorecard.intercept()) / scorecard.features().size();
    double logit = scorecard.intercept();
    List<Object[]> losses = new ArrayList<>();
    for (int i = 0; i < bins.size(); i++) {
      Scorecard.Feature f = scorecard.features().get(i);
      double woe = woe(bins.get(i), value.apply(f.feature()));
      logit = logit + woe * f.coefficient();
      double points = woe * (-factor * f.coefficient()) + share;
      long lost = Scorecard.microPoints(f.bestPoints() - points);
      if (lost > 0) {
        losses.add(new Object[] {lost, f.feature()});
      }
    }
    // sort_array(..., false) on (lost, feature) structs: the largest loss first, then the name.
    losses.sort(
        Comparator.comparing((Object[] l) -> (Long) l[0])
            .thenComparing(l -> (String) l[1])
            .reversed());
    List<String> reasons = losses.stream().limit(maxReasonCodes).map(l -> (String) l[1]).toList();
    double probability = 1.0 / (1.0 + StrictMath.exp(logit * -1));
    int points = (int) halfUp(scorecard.offset() - logit * factor, 0);
    return new One(points, probability, reasons);
  }

  private static double halfUp(double x, int scale) {
    return BigDecimal.valueOf(x).setScale(scale, RoundingMode.HALF_UP).doubleValue();
  }

  /** The WoE of {@code v} in {@code t}, as {@link WoeBinningModel} assigns it. */
  static double woe(FeatureBins t, Object v) {
    Double x = t.numeric() && v != null ? ((Number) v).doubleValue() : null;
    boolean missing = v == null || (x != null && x.isNaN());
    for (WoeBin b : t.bins()) {
      boolean in =
          switch (b.kind()) {
            case MISSING -> missing;
            case SPECIAL -> !missing && x != null && x.doubleValue() == b.special();
            case CATEGORY -> !missing && b.categories().contains(String.valueOf(v));
            case RANGE -> false;
          };
      if (in) {
        return b.woe();
      }
    }
    if (missing) {
      return 0;
    }
    if (!t.numeric()) {
      return 0;
    }
    for (WoeBin b : t.bins()) {
      if (b.kind() == WoeBin.Kind.RANGE && b.upper() != null && x <= b.upper()) {
        return b.woe();
      }
    }
    return t.bins().stream()
        .filter(b -> b.kind() == WoeBin.Kind.RANGE && b.upper() == null)
        .mapToDouble(WoeBin::woe)
        .findFirst()
        .orElse(0);
  }

  /** Adds the scorecard's columns to {@code customers}. */
  public Dataset<Row> score(Dataset<Row> customers) {
    WoeBinningModel binning =
        new WoeBinningModel(
            "woeBinning_bundle", bins, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    return scorecard
        .apply(binning.transform(customers), maxReasonCodes)
        .drop(bins.stream().map(FeatureBins::woeColumn).toArray(String[]::new));
  }
}
