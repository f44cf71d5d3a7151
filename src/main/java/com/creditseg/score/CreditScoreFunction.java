package com.creditseg.score;

import com.creditseg.config.ScoreSettings.FactorInput;
import com.creditseg.config.ScoreSettings.ScoreFactor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The FICO-inspired credit score as a pure function. Each factor's inputs become a goodness in [0,
 * 1] (linear from worst to best, clamped); a factor's goodness is the mean over its inputs present
 * in the row. The score is {@code min + (max - min) * sum(w * g) / sum(w)} over the factors present
 * in the row, rounded to a whole number; null when no factor is present. A factor's lost points are
 * {@code (max - min) * w / sum(w) * (1 - g)}; the reason codes are the names of the factors that
 * lost the most, most first, ties by name, at most {@code maxReasonCodes}, none for lost points
 * under half a point.
 */
public final class CreditScoreFunction {

  /** A score with its reason codes; {@code score} is null when the row had no usable value. */
  public record Result(Integer score, List<String> reasonCodes) {}

  private static final Result NO_SCORE = new Result(null, List.of());

  private CreditScoreFunction() {}

  /**
   * Scores one customer. {@code valueOf} returns a column's value (a number, or a category's text),
   * or null when it is missing; NaN and infinite values, and categories the input does not list,
   * count as missing.
   */
  public static Result score(ScoreCard card, Function<String, ?> valueOf) {
    // Called once per customer by the batch job's UDF: plain loops and arrays, no streams.
    List<ScoreFactor> factors = card.factors();
    int count = factors.size();
    double[] goodness = new double[count];
    boolean[] present = new boolean[count];
    double presentWeight = 0;
    for (int f = 0; f < count; f++) {
      double sum = 0;
      int n = 0;
      for (FactorInput input : factors.get(f).inputs()) {
        double g = goodnessOrNaN(input, valueOf.apply(input.column()));
        if (!Double.isNaN(g)) {
          sum += g;
          n++;
        }
      }
      if (n > 0) {
        present[f] = true;
        goodness[f] = sum / n;
        presentWeight += factors.get(f).weight();
      }
    }
    if (presentWeight == 0) {
      return NO_SCORE;
    }
    double range = card.max() - card.min();
    double weighted = 0;
    double[] lost = new double[count];
    Integer[] reasons = new Integer[count]; // factors that lost at least half a point
    int losing = 0;
    for (int f = 0; f < count; f++) {
      if (present[f]) {
        double share = factors.get(f).weight() / presentWeight;
        weighted += share * goodness[f];
        lost[f] = range * share * (1 - goodness[f]);
        if (lost[f] >= 0.5) {
          reasons[losing++] = f;
        }
      }
    }
    int score = (int) Math.round(card.min() + range * weighted);
    // Most points lost first, ties by name.
    Arrays.sort(
        reasons,
        0,
        losing,
        (a, b) -> {
          int byLoss = Double.compare(-lost[a], -lost[b]);
          return byLoss != 0 ? byLoss : factors.get(a).name().compareTo(factors.get(b).name());
        });
    String[] names = new String[Math.min(losing, card.maxReasonCodes())];
    for (int i = 0; i < names.length; i++) {
      names[i] = factors.get(reasons[i]).name();
    }
    return new Result(score, List.of(names));
  }

  /**
   * A category's listed goodness, or a number's; NaN for a missing value, a non-finite number or a
   * category not listed (a goodness itself is in [0, 1]).
   */
  private static double goodnessOrNaN(FactorInput input, Object value) {
    if (value == null) {
      return Double.NaN;
    }
    if (input.isCategorical()) {
      String text = value.toString().trim();
      for (Map.Entry<String, Double> e : input.values().entrySet()) {
        if (e.getKey().trim().equalsIgnoreCase(text)) {
          return e.getValue();
        }
      }
      return Double.NaN;
    }
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      return Double.NaN;
    }
    return goodness(input, number.doubleValue());
  }

  /** Linear from worst (0) to best (1), clamped to [0, 1]. */
  static double goodness(FactorInput input, double value) {
    double g = (value - input.worst()) / (input.best() - input.worst());
    return Math.max(0, Math.min(1, g));
  }
}
