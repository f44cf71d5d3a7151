package com.creditseg.profile;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;

import com.creditseg.config.ProfileSettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * <p>Counts, shares, means, ranges and default rates are exact: one aggregation grouped by segment
 * over every customer, all of it compiled arithmetic. The quartiles come from a second, given set
 * of segmented customers (the job passes its id-hash fit sample, so above {@code
 * segment.fit-sample-rows} customers they are the sample's and cost no pass over the data; below
 * it, the sample is everyone). Only k rows of each reach the driver, read by name. A segment of the
 * model that no customer falls in has no profile row.
 */
public final class SegmentProfiler {
  private static final String CUSTOMERS = "customers";
  private static final String DEFAULT_RATE = "default_rate";
  private static final String[] QUARTILES = {"p25", "p50", "p75"};

  private final SparkSession spark;
  private final List<String> features;
  private final List<ClusterLabel> labels;
  private final ProfileSettings settings;
  private final String scoreColumn;

  /**
   * @param features the clustering features (the score among them is profiled with its range)
   * @param labels the model's segments
   */
  public SegmentProfiler(
      SparkSession spark,
      List<String> features,
      List<ClusterLabel> labels,
      ProfileSettings settings) {
    this(spark, features, labels, settings, CreditScorer.SCORE);
  }

  /**
   * @param scoreColumn the value the segments are ordered by, profiled with its range (the credit
   *     score for customers; the RFM score for the rfm subcommand)
   */
  public SegmentProfiler(
      SparkSession spark,
      List<String> features,
      List<ClusterLabel> labels,
      ProfileSettings settings,
      String scoreColumn) {
    this.spark = spark;
    this.scoreColumn = scoreColumn;
    this.features = features.stream().filter(f -> !f.equals(scoreColumn)).toList();
    this.labels = labels.stream().sorted(Comparator.comparingInt(ClusterLabel::rank)).toList();
    this.settings = settings;
  }

  /** Profiles segmented customers, quartiles included, from the customers themselves. */
  public Dataset<Row> profile(Dataset<Row> segmented) {
    return profile(segmented, segmented);
  }

  /**
   * Profiles {@code segmented}, with quartiles computed over {@code quartileSample}, segmented
   * customers of the same model (all of them, or a uniform sample).
   */
  public Dataset<Row> profile(Dataset<Row> segmented, Dataset<Row> quartileSample) {
    List<String> needed = new ArrayList<>(features);
    needed.addAll(List.of(scoreColumn, SegmentModel.SEGMENT_RANK));
    CustomerSchema.require(segmented, needed, "profile segments");
    CustomerSchema.require(quartileSample, needed, "profile segments");
    boolean hasLabel = List.of(segmented.columns()).contains(CustomerSchema.DEFAULTED);

    List<Column> exact = new ArrayList<>();
    exact.add(count(lit(1)).as(CUSTOMERS));
    Column score = col(scoreColumn).cast("double");
    exact.add(avg(score).as(scoreColumn + "_mean"));
    exact.add(min(score).as(scoreColumn + "_min"));
    exact.add(max(score).as(scoreColumn + "_max"));
    for (String f : features) {
      Column x = col(f).cast("double");
      exact.add(avg(x).as(f + "_mean"));
      exact.add(avg(x.multiply(x)).as(f + "_sq"));
    }
    exact.add(
        (hasLabel ? avg(col(CustomerSchema.DEFAULTED).cast("double")) : lit(null).cast("double"))
            .as(DEFAULT_RATE));
    List<Column> quartiles = new ArrayList<>();
    quartiles.add(quartiles(scoreColumn));
    features.forEach(f -> quartiles.add(quartiles(f)));

    Map<Integer, Row> stats = bySegment(segmented, exact);
    Map<Integer, Row> quarts = bySegment(quartileSample, quartiles);
    return profiles(stats, quarts);
  }

  private static Map<Integer, Row> bySegment(Dataset<Row> segmented, List<Column> aggregates) {
    Map<Integer, Row> rows = new TreeMap<>();
    // Customers without a segment are a group of their own, left out here: a filter on the rank
    // before the grouping would be pushed below the assignment and repeat its whole expression in
    // the predicate (with merged clusters, beyond Java's 64 KB method limit).
    for (Row r :
        segmented
            .groupBy(SegmentModel.SEGMENT_RANK)
            .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
            .collectAsList()) {
      if (!r.isNullAt(r.fieldIndex(SegmentModel.SEGMENT_RANK))) {
        rows.put(r.<Integer>getAs(SegmentModel.SEGMENT_RANK), r);
      }
    }
    return rows;
  }

  private Dataset<Row> profiles(Map<Integer, Row> stats, Map<Integer, Row> quartiles) {
    List<ClusterLabel> present = labels.stream().filter(s -> stats.containsKey(s.rank())).toList();
    long total = present.stream().mapToLong(s -> customers(stats.get(s.rank()))).sum();
    int nf = features.size();
    double[] popMean = new double[nf];
    double[] popSq = new double[nf];
    for (ClusterLabel s : present) {
      Row r = stats.get(s.rank());
      double w = (double) customers(r) / total;
      for (int f = 0; f < nf; f++) {
        popMean[f] += w * r.<Double>getAs(features.get(f) + "_mean");
        popSq[f] += w * r.<Double>getAs(features.get(f) + "_sq");
      }
    }
    List<Row> rows = new ArrayList<>();
    for (ClusterLabel s : present) {
      Row r = stats.get(s.rank());
      Row q = quartiles.get(s.rank());
      long customers = customers(r);
      List<Object> values = new ArrayList<>();
      values.addAll(
          List.of(s.rank(), s.label(), s.cluster(), customers, (double) customers / total));
      String score = scoreColumn;
      values.add(r.getAs(score + "_mean"));
      values.add(r.getAs(score + "_min"));
      values.addAll(quartilesOf(q, score));
      values.add(r.getAs(score + "_max"));
      double[] deviation = new double[nf];
      for (int f = 0; f < nf; f++) {
        String feature = features.get(f);
        double mean = r.<Double>getAs(feature + "_mean");
        values.add(mean);
        values.addAll(quartilesOf(q, feature));
        double sd = Math.sqrt(Math.max(0, popSq[f] - popMean[f] * popMean[f]));
        deviation[f] = sd > 0 ? (mean - popMean[f]) / sd : 0;
      }
      values.add(r.getAs(DEFAULT_RATE));
      values.add(SegmentDescriber.describe(features, deviation, settings));
      rows.add(RowFactory.create(values.toArray()));
    }
    return spark.createDataFrame(rows, schema());
  }

  private static long customers(Row stats) {
    return stats.<Long>getAs(CUSTOMERS);
  }

  /** p25, p50, p75 of a column; nulls when the sample has none of the segment's customers. */
  private static List<Double> quartilesOf(Row quartiles, String column) {
    if (quartiles == null || quartiles.isNullAt(quartiles.fieldIndex(column + "_q"))) {
      return Arrays.asList(null, null, null);
    }
    return quartiles.getList(quartiles.fieldIndex(column + "_q"));
  }

  private static Column quartiles(String column) {
    Column[] at = new Column[QUARTILES.length];
    for (int q = 0; q < QUARTILES.length; q++) {
      at[q] = lit((q + 1) * 0.25);
    }
    return percentile_approx(col(column).cast("double"), array(at), lit(10_000)).as(column + "_q");
  }

  private StructType schema() {
    List<StructField> fields = new ArrayList<>();
    fields.add(field(SegmentModel.SEGMENT_RANK, DataTypes.IntegerType));
    fields.add(field(SegmentModel.SEGMENT, DataTypes.StringType));
    fields.add(field(SegmentModel.CLUSTER, DataTypes.IntegerType));
    fields.add(field(CUSTOMERS, DataTypes.LongType));
    fields.add(field("share", DataTypes.DoubleType));
    for (String s : List.of("mean", "min", "p25", "p50", "p75", "max")) {
      fields.add(field(scoreColumn + "_" + s, DataTypes.DoubleType));
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
