package com.creditseg.supervised;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.when;

import com.creditseg.config.SupervisedSettings;
import com.creditseg.schema.OrderedColumns;
import com.creditseg.schema.ReasonCodeColumns;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * A points scorecard: the logistic regression on weight-of-evidence columns, rescaled so that
 * {@code points} stand for {@code odds} good:bad and {@code pdo} more points double the odds.
 *
 * <p>With factor = pdo / ln 2 and offset = points - factor * ln(odds), a customer's points are
 * offset + factor * ln(odds of not defaulting) = offset - factor * (b0 + sum b_f * woe_f). Each
 * feature's bin is worth -factor * b_f * woe + (offset - factor * b0) / n (n features), so a
 * customer's points are the sum of their bins' points, and the probability of default is exactly
 * the regression's: 1 / (1 + exp((points - offset) / factor)).
 *
 * <p>Adds {@code scorecard_points} (rounded to a whole point), {@code probability_of_default} and
 * {@code scorecard_reason_code_1 … scorecard_reason_code_N} (N = {@code maxReasonCodes}; see {@link
 * ReasonCodeColumns}): the features whose bin cost the most points against that feature's best bin,
 * most costly first, none that cost nothing, null past a customer's last. Reads the {@code
 * woe_<feature>} columns of the binning.
 *
 * @param factor points per unit of log-odds
 * @param offset points at log-odds 0 (even odds)
 * @param intercept the regression's intercept b0
 * @param features the features with their coefficient and their bins' points
 */
public record Scorecard(double factor, double offset, double intercept, List<Feature> features) {
  public static final String POINTS = "scorecard_points";
  public static final String PROBABILITY = "probability_of_default";

  /** The reason-code columns' prefix: scorecard_reason_code_1 … scorecard_reason_code_N. */
  public static final String REASON_CODE = "scorecard_reason_code";

  public Scorecard {
    features = List.copyOf(features);
  }

  /**
   * One feature of the scorecard.
   *
   * @param coefficient b_f, on the feature's WoE (negative: a higher WoE is safer)
   * @param bins each bin's WoE and points
   */
  public record Feature(String feature, double coefficient, List<BinPoints> bins) {
    public Feature {
      bins = List.copyOf(bins);
    }

    /** The points of the feature's best bin. */
    public double bestPoints() {
      return bins.stream().mapToDouble(BinPoints::points).max().orElse(0);
    }
  }

  /** One bin's points. {@code bin} is the description ("(1, 3]", "Employed", "missing"). */
  public record BinPoints(int index, String bin, long count, double woe, double points) {}

  /** factor = pdo / ln 2. */
  public static double factor(SupervisedSettings.Points scaling) {
    return scaling.pdo() / Math.log(2);
  }

  /** offset = points - factor * ln(odds). */
  public static double offset(SupervisedSettings.Points scaling) {
    return scaling.points() - factor(scaling) * Math.log(scaling.odds());
  }

  /**
   * The scorecard of a regression fitted on the WoE columns of {@code binned}'s kept features, in
   * that order.
   */
  public static Scorecard of(
      List<FeatureBins> binned,
      double[] coefficients,
      double intercept,
      SupervisedSettings.Points scaling) {
    if (binned.size() != coefficients.length) {
      throw new IllegalArgumentException(
          binned.size() + " features but " + coefficients.length + " coefficients");
    }
    double factor = factor(scaling);
    double offset = offset(scaling);
    double share = binned.isEmpty() ? 0 : (offset - factor * intercept) / binned.size();
    List<Feature> features = new ArrayList<>();
    for (int i = 0; i < binned.size(); i++) {
      double b = coefficients[i];
      List<BinPoints> bins = new ArrayList<>();
      for (WoeBin bin : binned.get(i).bins()) {
        bins.add(
            new BinPoints(
                bin.index(),
                bin.describe(),
                bin.count(),
                bin.woe(),
                -factor * b * bin.woe() + share));
      }
      features.add(new Feature(binned.get(i).feature(), b, bins));
    }
    return new Scorecard(factor, offset, intercept, features);
  }

  /** A feature's points for a customer, from the WoE column. */
  private Column points(Feature f) {
    double share = (offset - factor * intercept) / features.size();
    return col("woe_" + f.feature()).multiply(-factor * f.coefficient()).plus(share);
  }

  /** The log-odds of defaulting, b0 + sum b_f * woe_f. */
  private Column logit() {
    Column z = lit(intercept);
    for (Feature f : features) {
      z = z.plus(col("woe_" + f.feature()).multiply(f.coefficient()));
    }
    return z;
  }

  /** scorecard_reason_code_1 … scorecard_reason_code_max. */
  public static List<String> reasonCodeColumns(int max) {
    return ReasonCodeColumns.names(REASON_CODE, max);
  }

  /** Adds scorecard_points, probability_of_default and the scorecard's reason-code columns. */
  public Dataset<Row> apply(Dataset<Row> withWoe, int maxReasonCodes) {
    Map<String, Column> added = new LinkedHashMap<>();
    added.put(POINTS, halfUp(lit(offset).minus(logit().multiply(factor))).cast("int"));
    added.put(PROBABILITY, probability());
    added.putAll(reasonCodes(maxReasonCodes));
    return OrderedColumns.appended(withWoe, added);
  }

  /** The probability of default, 1 / (1 + exp(-(b0 + sum b_f * woe_f))). */
  public Column probability() {
    return lit(1.0).divide(lit(1.0).plus(exp(logit().multiply(-1))));
  }

  /**
   * The features whose bin cost the most points against their best bin, most first (ties by name,
   * descending), one column per position up to {@code max}, null past the features that lost.
   * Losses are compared in whole micro-points, {@code floor(lost * 1e6 + 0.5)}, so that float noise
   * cannot reorder equal losses; a feature that lost nothing is no reason. Each loss is one long,
   * {@code micro-points * F + the feature's place among the F names in ascending order} (-1 for no
   * loss), so one sort of longs orders by loss, then name; position i takes the i-th largest key
   * and turns it back into a name, or null when that key is -1. No lambdas, structs, nulls to
   * remove or decimal rounding: they kept the segment pass from compiling (higher-order functions
   * evaluate their arguments interpreted, struct arrays sort with an interpreted ordering, {@code
   * array_except} builds a hash set per row, {@code round} goes through BigDecimal).
   */
  private Map<String, Column> reasonCodes(int max) {
    Map<String, Column> columns = new LinkedHashMap<>();
    List<String> out = reasonCodeColumns(max);
    out.forEach(c -> columns.put(c, lit(null).cast("string")));
    if (features.isEmpty() || max == 0) {
      return columns;
    }
    List<String> names = features.stream().map(Feature::feature).sorted().toList();
    long n = names.size();
    Column[] keys = new Column[features.size()];
    for (int i = 0; i < keys.length; i++) {
      Feature f = features.get(i);
      Column lost = microPoints(lit(f.bestPoints()).minus(points(f)));
      keys[i] = when(lost.gt(0), lost.multiply(n).plus(names.indexOf(f.feature()))).otherwise(-1L);
    }
    // Ascending, read from the end: the features that lost nothing (-1) come first. Spark sorts an
    // array of non-null longs as primitives only in ascending order; descending, it boxes every
    // element and sorts with a comparator.
    Column sorted = sort_array(array(keys), true);
    Column byPlace = array(names.stream().map(functions::lit).toArray(Column[]::new));
    for (int i = 0; i < Math.min(max, n); i++) {
      Column key = element_at(sorted, -(i + 1));
      columns.put(
          out.get(i), when(key.geq(0), element_at(byPlace, pmod(key, lit(n)).plus(1).cast("int"))));
    }
    return columns;
  }

  /**
   * {@code x} rounded to a whole number, halves away from zero: what Spark's {@code round} gives a
   * double, without the BigDecimal it builds from {@code Double.toString} for every row (a
   * noticeable share of the segment pass on a large input). The fraction {@code |x| - floor(|x|)}
   * of a double is exact, and {@code Double.toString} shows a fraction of exactly one half only for
   * a double that has one, so both round the same way.
   */
  static Column halfUp(Column x) {
    Column whole = floor(abs(x));
    Column rounded = whole.plus(when(abs(x).minus(whole).geq(0.5), 1L).otherwise(0L));
    return when(x.lt(0), rounded.multiply(-1)).otherwise(rounded);
  }

  /** {@code floor(points * 1e6 + 0.5)}: points to whole micro-points, half up. */
  static Column microPoints(Column points) {
    return floor(points.multiply(1e6).plus(0.5));
  }

  /** {@link #microPoints(Column)} without Spark, bit for bit. */
  static long microPoints(double points) {
    return (long) Math.floor(points * 1e6 + 0.5);
  }
}
