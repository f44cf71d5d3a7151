package com.creditseg.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Box plot statistics of each clustering feature per segment. The quartiles and mean are the
 * profile table's ({@code <feature>_p25|p50|p75|mean}); the whiskers (Tukey: the most extreme
 * values within 1.5 interquartile ranges of the box) and each segment's minimum and maximum are
 * computed here, over every customer, in one Spark aggregation grouped by {@code segment_rank}: k
 * rows reach the driver.
 */
final class FeatureWhiskers {
  private static final int DIGITS = 4;
  private static final String MIN = "_min";
  private static final String LOWER_WHISKER = "_lower_whisker";
  private static final String UPPER_WHISKER = "_upper_whisker";
  private static final String MAX = "_max";

  private FeatureWhiskers() {}

  /**
   * @param features the clustering features, each with its quartiles in {@code profiles}
   * @param profiles the profile table's rows, one per segment
   */
  static List<ReportData.FeatureBoxes> boxes(
      Dataset<Row> segments, List<String> features, List<Row> profiles) {
    List<String> needed = new ArrayList<>(features);
    needed.add(SegmentModel.SEGMENT_RANK);
    CustomerSchema.require(segments, needed, "compute feature whiskers");
    Column rank = col(SegmentModel.SEGMENT_RANK);

    List<Column> aggregates = new ArrayList<>();
    for (String f : features) {
      Column lowerFence =
          perSegment(rank, profiles, p -> quartiles(p, f)[0] - 1.5 * iqr(quartiles(p, f)));
      Column upperFence =
          perSegment(rank, profiles, p -> quartiles(p, f)[2] + 1.5 * iqr(quartiles(p, f)));
      Column value = col(f).cast("double");
      aggregates.add(min(value).as(f + MIN));
      aggregates.add(min(when(value.geq(lowerFence), value)).as(f + LOWER_WHISKER));
      aggregates.add(max(when(value.leq(upperFence), value)).as(f + UPPER_WHISKER));
      aggregates.add(max(value).as(f + MAX));
    }
    Map<Integer, Row> byRank = new HashMap<>();
    segments
        .groupBy(rank)
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
        .collectAsList()
        .forEach(r -> byRank.put(r.<Integer>getAs(SegmentModel.SEGMENT_RANK), r));

    List<ReportData.FeatureBoxes> result = new ArrayList<>();
    for (String feature : features) {
      List<ReportData.Box> boxes = new ArrayList<>();
      for (Row p : profiles) {
        int segmentRank = p.<Integer>getAs(SegmentModel.SEGMENT_RANK);
        Row range = byRank.get(segmentRank);
        if (range == null) {
          continue;
        }
        double[] q = quartiles(p, feature);
        boxes.add(
            new ReportData.Box(
                segmentRank,
                value(range, feature + MIN),
                value(range, feature + LOWER_WHISKER),
                Numbers.round(q[0], DIGITS),
                Numbers.round(q[1], DIGITS),
                Numbers.round(q[2], DIGITS),
                value(range, feature + UPPER_WHISKER),
                value(range, feature + MAX),
                Numbers.round(q[3], DIGITS)));
      }
      result.add(new ReportData.FeatureBoxes(feature, boxes));
    }
    return result;
  }

  /** {@code CASE segment_rank WHEN <rank> THEN value(its profile) ... END}. */
  private static Column perSegment(Column rank, List<Row> profiles, ToDoubleFunction<Row> value) {
    Column out = null;
    for (Row p : profiles) {
      Column isRank = rank.equalTo(p.<Integer>getAs(SegmentModel.SEGMENT_RANK));
      double v = value.applyAsDouble(p);
      out = out == null ? when(isRank, v) : out.when(isRank, v);
    }
    return out;
  }

  private static double iqr(double[] quartiles) {
    return quartiles[2] - quartiles[0];
  }

  /** p25, p50, p75 and mean of a feature in a profile row; NaN where missing. */
  private static double[] quartiles(Row profile, String feature) {
    double[] q = new double[4];
    String[] suffixes = {"_p25", "_p50", "_p75", "_mean"};
    for (int i = 0; i < 4; i++) {
      Double v = RunSummary.doubleOrNull(profile, feature + suffixes[i]);
      q[i] = v == null ? Double.NaN : v;
    }
    return q;
  }

  private static Double value(Row row, String column) {
    Double v = row.getAs(column);
    return v == null ? null : Numbers.round(v, DIGITS);
  }
}
