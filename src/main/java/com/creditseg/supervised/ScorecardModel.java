package com.creditseg.supervised;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What scores customers with a fitted scorecard, as the model bundle keeps it: the kept features'
 * bin tables and the points. Adds {@code scorecard_points}, {@code probability_of_default} and
 * {@code scorecard_reason_codes} (see {@link Scorecard}); the WoE columns it computes on the way
 * are dropped again.
 *
 * @param label the label the scorecard was fitted on
 * @param bins the kept features' bin tables, in the scorecard's order
 * @param maxReasonCodes reason codes per customer
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

  /** Adds the scorecard's columns to {@code customers}. */
  public Dataset<Row> score(Dataset<Row> customers) {
    WoeBinningModel binning =
        new WoeBinningModel("woeBinning_bundle", bins, Double.NEGATIVE_INFINITY);
    return scorecard
        .apply(binning.transform(customers), maxReasonCodes)
        .drop(bins.stream().map(FeatureBins::woeColumn).toArray(String[]::new));
  }
}
