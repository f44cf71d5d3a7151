package com.creditseg.supervised;

import static org.apache.spark.sql.functions.*;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * How well a probability of default (PD) separates and calibrates: discrimination (ROC AUC, Gini,
 * KS, PR AUC), accuracy (Brier score), the curves to plot them, calibration and gains tables by
 * decile, and the refusal decision at the cutoff that minimises the expected cost of errors.
 *
 * <p>Reads a numeric label column (1 = defaulted, 0 = not) and a numeric PD column in [0, 1]; adds
 * no columns. A customer with {@code pd >= cutoff} is refused. Tied PDs form one threshold, so the
 * AUC gives ties half credit (the Mann–Whitney statistic). ROC, PR and the per-threshold counts
 * come from MLlib's {@link BinaryClassificationMetrics} without binning (exact; a distributed sort
 * of the distinct PDs); KS and the cost-minimising cutoff are one aggregation over those
 * thresholds, and only the downsampled curves (at most {@value #CURVE_POINTS} points and the
 * origin), ten decile rows and totals reach the driver. PR AUC is MLlib's: trapezoids under
 * (recall, precision), the curve starting at recall 0 with the precision of the highest threshold.
 *
 * <p>Deciles are equal-frequency bins of the PD from {@code approxQuantile} (relative error {@value
 * #DECILE_ERROR}): decile k holds the PDs above the (k-1)th and up to the kth tenth quantile, so
 * ten distinct-PD groups of ten rows each make ten deciles of ten. Tied PDs are never split, so
 * heavily tied scores give fewer than ten deciles.
 *
 * <p>Throws {@link IllegalArgumentException} naming the column for a missing or non-numeric column
 * (before any job), no rows, a label other than 0/1, a PD null, NaN or outside [0, 1], or a single
 * class.
 */
public final class ModelValidation {
  /** At most this many points of each curve, besides the origin, are returned for plotting. */
  public static final int CURVE_POINTS = 200;

  /** Relative error of the decile edges. */
  public static final double DECILE_ERROR = 1.0e-4;

  private static final String ACTION = "validate model";
  private static final double[] TENTHS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
  private static final StructType CURVE =
      new StructType()
          .add("idx", DataTypes.LongType, false)
          .add("threshold", DataTypes.DoubleType, false)
          .add("tp", DataTypes.LongType, false)
          .add("fp", DataTypes.LongType, false);

  private final String label;
  private final String probability;
  private final Costs costs;

  /** Validation with the {@linkplain Costs#DEFAULT default costs}. */
  public ModelValidation(String label, String probability) {
    this(label, probability, Costs.DEFAULT);
  }

  public ModelValidation(String label, String probability, Costs costs) {
    this.label = Objects.requireNonNull(label, "label");
    this.probability = Objects.requireNonNull(probability, "probability");
    this.costs = Objects.requireNonNull(costs, "costs");
    if (label.equals(probability)) {
      throw new IllegalArgumentException(
          "Cannot validate model: label and probability are the same column '" + label + "'");
    }
  }

  /**
   * What an error costs, in any one unit: {@code missedDefault} for approving a customer who
   * defaults (a false negative; default 5), {@code refusedGood} for refusing one who would have
   * repaid (a false positive; default 1). Finite, non-negative, not both zero.
   */
  public record Costs(double missedDefault, double refusedGood) {
    public static final Costs DEFAULT = new Costs(5, 1);

    public Costs {
      if (!Double.isFinite(missedDefault)
          || !Double.isFinite(refusedGood)
          || missedDefault < 0
          || refusedGood < 0
          || missedDefault + refusedGood == 0) {
        throw new IllegalArgumentException(
            String.format(
                "Costs must be finite, non-negative and not both zero: missedDefault=%s,"
                    + " refusedGood=%s",
                missedDefault, refusedGood));
      }
    }
  }

  /**
   * The validation of one model on one dataset. {@code ksThreshold} is the PD cutoff at which KS
   * occurs (the highest, if several); {@code roc} and {@code ksCurve} run from the highest
   * threshold down, starting at the origin (nobody refused).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Result(
      long rows,
      long events,
      double eventRate,
      double rocAuc,
      double gini,
      double ks,
      double ksThreshold,
      double prAuc,
      double brier,
      List<RocPoint> roc,
      List<KsPoint> ksCurve,
      List<CalibrationBin> calibration,
      List<GainsBin> gains,
      Decision decision) {}

  /** Refusing {@code pd >= threshold} gives these false and true positive rates. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RocPoint(double threshold, double fpr, double tpr) {}

  /**
   * Refusing {@code pd >= threshold}: the share of all customers refused and the cumulative shares
   * of events (defaults) and non-events refused; {@code separation} is their difference.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record KsPoint(
      double threshold,
      double refusedShare,
      double eventShare,
      double nonEventShare,
      double separation) {}

  /** Decile 1 holds the lowest PDs: mean PD against the observed default rate. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CalibrationBin(
      int decile,
      long rows,
      double minPredicted,
      double maxPredicted,
      double meanPredicted,
      double observedRate) {}

  /**
   * Decile 1 holds the highest PDs. {@code cumulativeEventShare} is the share of all events in
   * deciles 1..this; {@code lift} the decile's event rate over the overall one, {@code
   * cumulativeLift} that of deciles 1..this.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record GainsBin(
      int decile,
      long rows,
      long events,
      double eventRate,
      double cumulativeEventShare,
      double lift,
      double cumulativeLift) {}

  /**
   * Refusing {@code pd >= cutoff} at the least total cost {@code missedDefaultCost * fn +
   * refusedGoodCost * fp} (the highest such cutoff on a tie, so the most approvals); {@code
   * expectedCost} is that per customer. Positive = refused. Precision is 0 when nobody is refused.
   * A cutoff above every PD (refuse nobody) is {@code Math.nextUp} of the highest PD.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Decision(
      double cutoff,
      double missedDefaultCost,
      double refusedGoodCost,
      double totalCost,
      double expectedCost,
      long tp,
      long fp,
      long tn,
      long fn,
      double precision,
      double recall,
      double f1,
      double approvalRate) {}

  /** Validates the PDs of {@code scored} against its labels. */
  public Result validate(Dataset<Row> scored) {
    ScoredColumns.requireSchema(scored, label, probability, ACTION);
    Dataset<Row> xy =
        scored
            .select(
                col(probability).cast("double").as(probability),
                col(label).cast("double").as(label))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Column p = col(probability);
      Row totals =
          ScoredColumns.totals(
              xy,
              label,
              probability,
              ACTION,
              true,
              avg(pow(p.minus(col(label)), 2)).as("brier"),
              max(p).as("max_probability"));
      long rows = totals.<Long>getAs("rows");
      long events = totals.<Long>getAs("events");
      double brier = totals.<Double>getAs("brier");
      double maxProbability = totals.<Double>getAs("max_probability");
      Curves curves = curves(xy, events, rows - events, Math.nextUp(maxProbability));
      List<Row> deciles = deciles(xy);
      return new Result(
          rows,
          events,
          (double) events / rows,
          curves.auc,
          2 * curves.auc - 1,
          curves.ks,
          curves.ksThreshold,
          curves.prAuc,
          brier,
          curves.roc,
          curves.ksCurve,
          calibration(deciles),
          gains(deciles, rows, events),
          curves.decision);
    } finally {
      xy.unpersist();
    }
  }

  private record Curves(
      double auc,
      double prAuc,
      double ks,
      double ksThreshold,
      List<RocPoint> roc,
      List<KsPoint> ksCurve,
      Decision decision) {}

  /**
   * One pass over the curve: its {@code size}, the threshold of greatest separation ({@code ks})
   * and the cheapest cutoff ({@code cheapest}) at the configured costs.
   */
  private Row best(Dataset<Row> curve, long events, long nonEvents) {
    // (tpr - fpr) * events * nonEvents, exact in longs, so equal KS values tie exactly.
    Column separation = col("tp").multiply(nonEvents).minus(col("fp").multiply(events));
    Column cost =
        lit(events)
            .minus(col("tp"))
            .multiply(costs.missedDefault())
            .plus(col("fp").multiply(costs.refusedGood()));
    return curve
        .agg(
            count(lit(1)).as("size"),
            max(struct(separation.as("separation"), col("threshold"), col("tp"), col("fp")))
                .as("ks"),
            min(struct(
                    cost.as("cost"),
                    negate(col("threshold")).as("negated_threshold"),
                    col("tp"),
                    col("fp")))
                .as("cheapest"))
        .first();
  }

  /** Every step-th threshold counted back from the lowest, so the curve always ends at (1, 1). */
  private static List<Row> sampledCurve(Dataset<Row> curve, long size) {
    long step = Math.max(1, (size + CURVE_POINTS - 1) / CURVE_POINTS);
    return curve
        .filter(lit(size).minus(col("idx")).mod(step).equalTo(0))
        .orderBy("idx")
        .collectAsList();
  }

  /** The ROC curve's points, from refusing nobody to the lowest threshold. */
  private static List<RocPoint> rocPoints(
      List<Row> sampled, long events, long nonEvents, double refuseNobody) {
    List<RocPoint> points = new ArrayList<>();
    points.add(new RocPoint(refuseNobody, 0, 0));
    for (Row r : sampled) {
      double tpr = (double) r.<Long>getAs("tp") / events;
      double fpr = (double) r.<Long>getAs("fp") / nonEvents;
      points.add(new RocPoint(r.<Double>getAs("threshold"), fpr, tpr));
    }
    return points;
  }

  /** The KS curve's points: the share refused, both rates and their separation. */
  private static List<KsPoint> ksPoints(
      List<Row> sampled, long events, long nonEvents, double refuseNobody) {
    List<KsPoint> points = new ArrayList<>();
    points.add(new KsPoint(refuseNobody, 0, 0, 0, 0));
    for (Row r : sampled) {
      double tpr = (double) r.<Long>getAs("tp") / events;
      double fpr = (double) r.<Long>getAs("fp") / nonEvents;
      points.add(
          new KsPoint(
              r.<Double>getAs("threshold"),
              (double) (r.<Long>getAs("tp") + r.<Long>getAs("fp")) / (events + nonEvents),
              tpr,
              fpr,
              tpr - fpr));
    }
    return points;
  }

  /**
   * The exact ROC of every distinct PD, as (index, threshold, tp, fp) rows kept on the executors:
   * {@code thresholds()[i]} belongs to {@code roc()[i + 1]}, roc() starting with (0, 0) and ending
   * with a repeated (1, 1); the counts are the rates times the class sizes.
   */
  private Curves curves(Dataset<Row> xy, long events, long nonEvents, double refuseNobody) {
    // Local copies, so the closure shipped to the executors does not capture this.
    String score = probability;
    String outcome = label;
    JavaRDD<Tuple2<Object, Object>> scoreAndLabels =
        xy.javaRDD()
            .map(r -> new Tuple2<Object, Object>(r.<Double>getAs(score), r.<Double>getAs(outcome)));
    BinaryClassificationMetrics metrics = new BinaryClassificationMetrics(scoreAndLabels.rdd(), 0);
    Dataset<Row> curve = null;
    try {
      double auc = metrics.areaUnderROC();
      double prAuc = metrics.areaUnderPR();
      JavaPairRDD<Long, Double> thresholds =
          metrics
              .thresholds()
              .toJavaRDD()
              .zipWithIndex()
              .mapToPair(t -> new Tuple2<>(t._2() + 1, (Double) t._1()));
      JavaPairRDD<Long, Tuple2<Object, Object>> roc =
          metrics.roc().toJavaRDD().zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()));
      JavaRDD<Row> points =
          thresholds
              .join(roc)
              .map(
                  e ->
                      RowFactory.create(
                          e._1(),
                          e._2()._1(),
                          Math.round((Double) e._2()._2()._2() * events),
                          Math.round((Double) e._2()._2()._1() * nonEvents)));
      curve =
          xy.sparkSession().createDataFrame(points, CURVE).persist(StorageLevel.MEMORY_AND_DISK());

      Row best = best(curve, events, nonEvents);
      long size = best.<Long>getAs("size");
      Row ksRow = best.<Row>getAs("ks");
      Row costRow = best.<Row>getAs("cheapest");

      List<Row> sampled = sampledCurve(curve, size);
      List<RocPoint> rocPoints = rocPoints(sampled, events, nonEvents, refuseNobody);
      List<KsPoint> ksPoints = ksPoints(sampled, events, nonEvents, refuseNobody);

      double ks = (double) ksRow.<Long>getAs("separation") / ((double) events * nonEvents);
      // Refusing nobody costs every missed default; it wins a tie, being the highest cutoff.
      double nobodyCost = costs.missedDefault() * events;
      Decision decision =
          costRow.<Double>getAs("cost") < nobodyCost
              ? decision(
                  -costRow.<Double>getAs("negated_threshold"),
                  costRow.<Long>getAs("tp"),
                  costRow.<Long>getAs("fp"),
                  events,
                  nonEvents)
              : decision(refuseNobody, 0, 0, events, nonEvents);
      return new Curves(
          auc,
          prAuc,
          ks,
          ksRow.<Double>getAs("threshold"),
          List.copyOf(rocPoints),
          List.copyOf(ksPoints),
          decision);
    } finally {
      metrics.unpersist();
      if (curve != null) {
        curve.unpersist();
      }
    }
  }

  private Decision decision(double cutoff, long tp, long fp, long events, long nonEvents) {
    long fn = events - tp;
    long tn = nonEvents - fp;
    long rows = events + nonEvents;
    double total = costs.missedDefault() * fn + costs.refusedGood() * fp;
    double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    double recall = (double) tp / events;
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    return new Decision(
        cutoff,
        costs.missedDefault(),
        costs.refusedGood(),
        total,
        total / rows,
        tp,
        fp,
        tn,
        fn,
        precision,
        recall,
        f1,
        (double) (fn + tn) / rows);
  }

  /**
   * Rows, events, mean/min/max PD per decile of PD, lowest first, in one group-by. A row's decile
   * is the number of distinct tenth-quantile edges below its PD.
   */
  private List<Row> deciles(Dataset<Row> xy) {
    double[] edges =
        Arrays.stream(xy.stat().approxQuantile(probability, TENTHS, DECILE_ERROR))
            .distinct()
            .sorted()
            .toArray();
    Column p = col(probability);
    Column decile = lit(0);
    for (double e : edges) {
      decile = decile.plus(when(p.gt(e), 1).otherwise(0));
    }
    return xy.groupBy(decile.as("decile"))
        .agg(
            count(lit(1)).as("rows"),
            count_if(col(label).equalTo(1.0)).as("events"),
            avg(p).as("mean_pd"),
            min(p).as("min_pd"),
            max(p).as("max_pd"))
        .orderBy("decile")
        .collectAsList();
  }

  private static List<CalibrationBin> calibration(List<Row> deciles) {
    List<CalibrationBin> bins = new ArrayList<>();
    for (Row r : deciles) {
      long n = r.<Long>getAs("rows");
      bins.add(
          new CalibrationBin(
              bins.size() + 1,
              n,
              r.<Double>getAs("min_pd"),
              r.<Double>getAs("max_pd"),
              r.<Double>getAs("mean_pd"),
              (double) r.<Long>getAs("events") / n));
    }
    return List.copyOf(bins);
  }

  private static List<GainsBin> gains(List<Row> deciles, long rows, long events) {
    double overall = (double) events / rows;
    List<GainsBin> bins = new ArrayList<>();
    long cumulativeRows = 0;
    long cumulativeEvents = 0;
    for (int i = deciles.size() - 1; i >= 0; i--) {
      Row r = deciles.get(i);
      long n = r.<Long>getAs("rows");
      long e = r.<Long>getAs("events");
      cumulativeRows += n;
      cumulativeEvents += e;
      double rate = (double) e / n;
      bins.add(
          new GainsBin(
              bins.size() + 1,
              n,
              e,
              rate,
              (double) cumulativeEvents / events,
              rate / overall,
              ((double) cumulativeEvents / cumulativeRows) / overall));
    }
    return List.copyOf(bins);
  }
}
