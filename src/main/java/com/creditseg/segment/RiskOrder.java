package com.creditseg.segment;

import java.util.ArrayList;
import java.util.List;

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
