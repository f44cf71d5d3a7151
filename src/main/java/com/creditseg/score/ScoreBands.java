package com.creditseg.score;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * The usual FICO score bands (Poor 300–579, Fair 580–669, Good 670–739, Very Good 740–799,
 * Exceptional 800–850), rescaled linearly when the score's range is not 300–850.
 */
public final class ScoreBands {
  private static final List<String> NAMES =
      List.of("Poor", "Fair", "Good", "Very Good", "Exceptional");

  /** Upper ends of the FICO bands but the last, on the 300–850 scale. */
  private static final int[] FICO_UPPER = {579, 669, 739, 799};

  private ScoreBands() {}

  /** A band of whole scores, {@code from} to {@code to} inclusive. */
  public record Band(String name, int from, int to) {}

  /** The bands on the score range {@code [min, max]}, lowest first. */
  public static List<Band> of(int min, int max) {
    List<Band> bands = new ArrayList<>();
    int from = min;
    for (int b = 0; b < NAMES.size(); b++) {
      int to =
          b < FICO_UPPER.length
              ? (int) Math.round(min + (FICO_UPPER[b] + 1 - 300) * (max - min) / 550.0) - 1
              : max;
      bands.add(new Band(NAMES.get(b), from, to));
      from = to + 1;
    }
    return List.copyOf(bands);
  }

  /** The index in {@code bands} of the band {@code score} falls in (null for a null score). */
  public static Column indexOf(Column score, List<Band> bands) {
    Column index = lit(bands.size() - 1);
    for (int b = bands.size() - 2; b >= 0; b--) {
      index = when(score.leq(bands.get(b).to()), b).otherwise(index);
    }
    return when(score.isNotNull(), index);
  }
}
