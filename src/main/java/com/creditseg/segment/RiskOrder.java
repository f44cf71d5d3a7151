package com.creditseg.segment;

import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the segments' labels follow their observed default rates: with a label, the riskiest
 * label (rank 1) must have the highest default rate, and each safer label a rate no higher than the
 * one before. Checked on every labelled customer written (the profile's default rates), not only on
 * the training customers the order was taken from. {@code scoreAgrees} says whether the mean credit
 * score rises with the rank too; when the rule score orders segments otherwise, the score is not
 * measuring the risk the label sees.
 *
 * @param orderedBy what the labels were ordered by
 * @param segments rank 1 (riskiest) first
 * @param monotone whether default rates never rise from one rank to the next
 * @param scoreAgrees whether mean credit scores never fall from one rank to the next
 * @param advice what to change when the order is broken (null when it holds)
 */
public record RiskOrder(
    String orderedBy,
    List<SegmentRisk> segments,
    boolean monotone,
    boolean scoreAgrees,
    String advice) {
  private static final Logger LOG = LoggerFactory.getLogger(RiskOrder.class);

  private static final String ADVICE =
      "the segments' default rates do not follow their labels: cluster on the scorecard's"
          + " probability (segment.features = [credit_score, probability_of_default, ...]),"
          + " weigh the risk features more (segment.feature-weights), or use fewer segments"
          + " (segment.k)";

  public static final String BY_DEFAULT_RATE = "observed default rate of training customers";
  public static final String BY_SCORE = "mean credit score";

  /**
   * One segment: its observed default rate over every labelled customer written, and over the
   * training customers (null when the order was not taken from them).
   */
  public record SegmentRisk(
      int rank,
      String segment,
      double defaultRate,
      Double trainingDefaultRate,
      double meanCreditScore) {}

  /**
   * The segments' observed default rates by rank, from the profile table of everyone written
   * (columns {@code segment_rank}, {@code segment}, {@code default_rate}, {@code
   * credit_score_mean}), beside the training customers' rates the labels were ordered by; logs a
   * warning when they are not monotone.
   */
  public static RiskOrder of(
      String orderedBy,
      List<ClusterLabel> labels,
      Map<Integer, Double> trainingDefaultRates,
      Dataset<Row> profiles) {
    Map<String, Double> training = new HashMap<>();
    for (ClusterLabel l : labels) {
      Double rate = trainingDefaultRates.get(l.cluster());
      if (rate != null) {
        training.put(l.label(), rate);
      }
    }
    List<SegmentRisk> byRank = new ArrayList<>();
    for (Row r : profiles.orderBy("segment_rank").collectAsList()) {
      String segment = r.getAs("segment");
      byRank.add(
          new SegmentRisk(
              r.<Integer>getAs("segment_rank"),
              segment,
              orNaN(r.getAs("default_rate")),
              training.get(segment),
              orNaN(r.getAs("credit_score_mean"))));
    }
    RiskOrder order = check(orderedBy, byRank, ADVICE);
    if (!order.monotone()) {
      LOG.warn(
          "Segment default rates are not monotone across the labels: {}. Fix: {}",
          byRank.stream()
              .map(
                  x ->
                      x.segment()
                          + " "
                          + String.format(Locale.ROOT, "%.1f %%", 100 * x.defaultRate()))
              .toList(),
          order.advice());
    }
    return order;
  }

  private static double orNaN(Double value) {
    return value == null ? Double.NaN : value;
  }

  /** Checks segments given rank 1 first. */
  public static RiskOrder check(String orderedBy, List<SegmentRisk> byRank, String advice) {
    boolean monotone = true;
    boolean scoreAgrees = true;
    for (int i = 1; i < byRank.size(); i++) {
      SegmentRisk before = byRank.get(i - 1);
      SegmentRisk here = byRank.get(i);
      monotone &= here.defaultRate() <= before.defaultRate();
      scoreAgrees &= here.meanCreditScore() >= before.meanCreditScore();
    }
    return new RiskOrder(
        orderedBy, new ArrayList<>(byRank), monotone, scoreAgrees, monotone ? null : advice);
  }
}
