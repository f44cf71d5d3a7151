package com.creditseg.profile;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.when;

import com.creditseg.config.ProfileSettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One row per segment, riskiest first: {@code segment_rank}, {@code segment}, {@code cluster},
 * {@code customers}, {@code share}; {@code credit_score_mean|min|p25|p50|p75|max}; for each
 * clustering feature {@code <feature>_mean|p25|p50|p75} in original units; {@code default_rate}
 * when {@code defaulted} is present (else null); and {@code description}, generated from the
 * features whose segment mean lies furthest from the population mean, in population standard
 * deviations ("high annual income, low credit utilization ratio").
 *
 * <p>The statistics are global aggregates, one set per segment of the model ({@link #statistics}),
 * so they can be computed by the pass that writes the segments ({@code Dataset.observe}) as well as
 * by an aggregation over written segments ({@link #profile}); either way only one row of statistics
 * reaches the driver, and {@link #profiles} reads it by name. A segment of the model that no
 * customer falls in has no profile row.
 */
public final class SegmentProfiler {
  private static final String CUSTOMERS = "customers";
  private static final String DEFAULT_RATE = "default_rate";
  private static final String[] QUARTILES = {"p25", "p50", "p75"};

  private final SparkSession spark;
  private final List<String> features;
  private final List<ClusterLabel> labels;
  private final ProfileSettings settings;

  /**
   * @param features the clustering features (the score among them is profiled with its range)
   * @param labels the model's segments
   */
  public SegmentProfiler(
      SparkSession spark,
      List<String> features,
      List<ClusterLabel> labels,
      ProfileSettings settings) {
    this.spark = spark;
    this.features = features.stream().filter(f -> !f.equals(CreditScorer.SCORE)).toList();
    this.labels = labels.stream().sorted(Comparator.comparingInt(ClusterLabel::rank)).toList();
    this.settings = settings;
  }

  /** Profiles segmented customers with one aggregation. */
  public Dataset<Row> profile(Dataset<Row> segmented) {
    List<Column> statistics = statistics(segmented);
    Row row =
        segmented
            .agg(statistics.get(0), statistics.subList(1, statistics.size()).toArray(Column[]::new))
            .first();
    return profiles(row);
  }

  /**
   * Every statistic of every segment as a named global aggregate over segmented customers (for
   * {@code agg} or {@code observe}); fails first if a column is missing.
   */
  public List<Column> statistics(Dataset<Row> segmented) {
    List<String> needed = new ArrayList<>(features);
    needed.addAll(List.of(CreditScorer.SCORE, SegmentModel.SEGMENT_RANK));
    CustomerSchema.require(segmented, needed, "profile segments");
    boolean hasLabel = List.of(segmented.columns()).contains(CustomerSchema.DEFAULTED);

    List<Column> aggregates = new ArrayList<>();
    for (ClusterLabel segment : labels) {
      Column in = col(SegmentModel.SEGMENT_RANK).equalTo(segment.rank());
      aggregates.add(count(when(in, lit(1))).as(name(segment, CUSTOMERS)));
      aggregates.addAll(stats(segment, in, CreditScorer.SCORE, true));
      for (String f : features) {
        aggregates.addAll(stats(segment, in, f, false));
        Column x = when(in, col(f).cast("double"));
        aggregates.add(avg(x.multiply(x)).as(name(segment, f + "_sq")));
      }
      aggregates.add(
          (hasLabel
                  ? avg(when(in, col(CustomerSchema.DEFAULTED).cast("double")))
                  : lit(null).cast("double"))
              .as(name(segment, DEFAULT_RATE)));
    }
    return aggregates;
  }

  /** The profile table from a row of {@link #statistics}. */
  public Dataset<Row> profiles(Row statistics) {
    List<ClusterLabel> present =
        labels.stream().filter(s -> statistics.<Long>getAs(name(s, CUSTOMERS)) > 0).toList();
    long total = present.stream().mapToLong(s -> statistics.<Long>getAs(name(s, CUSTOMERS))).sum();
    int nf = features.size();
    double[] popMean = new double[nf];
    double[] popSq = new double[nf];
    for (ClusterLabel s : present) {
      double w = (double) statistics.<Long>getAs(name(s, CUSTOMERS)) / total;
      for (int f = 0; f < nf; f++) {
        popMean[f] += w * statistics.<Double>getAs(name(s, features.get(f) + "_mean"));
        popSq[f] += w * statistics.<Double>getAs(name(s, features.get(f) + "_sq"));
      }
    }
    List<Row> rows = new ArrayList<>();
    for (ClusterLabel s : present) {
      long customers = statistics.getAs(name(s, CUSTOMERS));
      List<Object> values = new ArrayList<>();
      values.addAll(
          List.of(s.rank(), s.label(), s.cluster(), customers, (double) customers / total));
      String score = CreditScorer.SCORE;
      values.add(statistics.getAs(name(s, score + "_mean")));
      values.add(statistics.getAs(name(s, score + "_min")));
      values.addAll(statistics.getList(statistics.fieldIndex(name(s, score + "_q"))));
      values.add(statistics.getAs(name(s, score + "_max")));
      double[] deviation = new double[nf];
      for (int f = 0; f < nf; f++) {
        String feature = features.get(f);
        double mean = statistics.<Double>getAs(name(s, feature + "_mean"));
        values.add(mean);
        values.addAll(statistics.getList(statistics.fieldIndex(name(s, feature + "_q"))));
        double sd = Math.sqrt(Math.max(0, popSq[f] - popMean[f] * popMean[f]));
        deviation[f] = sd > 0 ? (mean - popMean[f]) / sd : 0;
      }
      values.add(statistics.getAs(name(s, DEFAULT_RATE)));
      values.add(SegmentDescriber.describe(features, deviation, settings));
      rows.add(RowFactory.create(values.toArray()));
    }
    return spark.createDataFrame(rows, schema());
  }

  /** mean, (min and max when withRange), and the quartiles of a column within one segment. */
  private static List<Column> stats(
      ClusterLabel segment, Column in, String column, boolean withRange) {
    Column x = when(in, col(column).cast("double"));
    Column[] quartiles = new Column[QUARTILES.length];
    for (int q = 0; q < QUARTILES.length; q++) {
      quartiles[q] = lit((q + 1) * 0.25);
    }
    List<Column> out = new ArrayList<>(List.of(avg(x).as(name(segment, column + "_mean"))));
    if (withRange) {
      out.add(min(x).as(name(segment, column + "_min")));
      out.add(max(x).as(name(segment, column + "_max")));
    }
    out.add(percentile_approx(x, array(quartiles), lit(10_000)).as(name(segment, column + "_q")));
    return out;
  }

  /** The name of one segment's statistic: {@code s<rank>_<statistic>}. */
  private static String name(ClusterLabel segment, String statistic) {
    return "s" + segment.rank() + "_" + statistic;
  }

  private StructType schema() {
    List<StructField> fields = new ArrayList<>();
    fields.add(field(SegmentModel.SEGMENT_RANK, DataTypes.IntegerType));
    fields.add(field(SegmentModel.SEGMENT, DataTypes.StringType));
    fields.add(field(SegmentModel.CLUSTER, DataTypes.IntegerType));
    fields.add(field(CUSTOMERS, DataTypes.LongType));
    fields.add(field("share", DataTypes.DoubleType));
    for (String s : List.of("mean", "min", "p25", "p50", "p75", "max")) {
      fields.add(field(CreditScorer.SCORE + "_" + s, DataTypes.DoubleType));
    }
    for (String f : features) {
      fields.add(field(f + "_mean", DataTypes.DoubleType));
      for (String q : QUARTILES) {
        fields.add(field(f + "_" + q, DataTypes.DoubleType));
      }
    }
    fields.add(field(DEFAULT_RATE, DataTypes.DoubleType));
    fields.add(field("description", DataTypes.StringType));
    return DataTypes.createStructType(fields);
  }

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
