package com.creditseg.profile;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.ProfileSettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
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
 * <p>Computed in one aggregation over the segmented customers; only k rows reach the driver.
 */
public final class SegmentProfiler {
  private final SparkSession spark;
  private final List<String> features;
  private final ProfileSettings settings;

  public SegmentProfiler(SparkSession spark, List<String> features, ProfileSettings settings) {
    this.spark = spark;
    this.features = features.stream().filter(f -> !f.equals(CreditScorer.SCORE)).toList();
    this.settings = settings;
  }

  public Dataset<Row> profile(Dataset<Row> segmented) {
    List<String> needed = new ArrayList<>(features);
    needed.addAll(List.of(CreditScorer.SCORE, SegmentModel.SEGMENT, SegmentModel.SEGMENT_RANK));
    CustomerSchema.require(segmented, needed, "profile segments");
    boolean hasLabel = Arrays.asList(segmented.columns()).contains(CustomerSchema.DEFAULTED);

    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(lit(1)).as("customers"));
    aggregates.addAll(stats(CreditScorer.SCORE, true));
    for (String f : features) {
      aggregates.addAll(stats(f, false));
      aggregates.add(avg(col(f).cast("double").multiply(col(f).cast("double"))).as(f + "_sq"));
    }
    aggregates.add(
        hasLabel ? avg(col(CustomerSchema.DEFAULTED).cast("double")) : lit(null).cast("double"));
    List<Row> rows =
        segmented
            .groupBy(SegmentModel.SEGMENT_RANK, SegmentModel.SEGMENT, SegmentModel.CLUSTER)
            .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
            .collectAsList()
            .stream()
            .sorted(Comparator.comparingInt(r -> r.getInt(0)))
            .toList();
    return spark.createDataFrame(toProfiles(rows), schema());
  }

  /** mean, (min, max when withRange), p25, p50, p75 of a column. */
  private static List<Column> stats(String column, boolean withRange) {
    Column c = col(column).cast("double");
    Column q = percentile_approx(c, array(lit(0.25), lit(0.5), lit(0.75)), lit(10_000));
    List<Column> out = new ArrayList<>(List.of(avg(c).as(column + "_mean")));
    if (withRange) {
      out.add(min(c).as(column + "_min"));
      out.add(max(c).as(column + "_max"));
    }
    out.add(q.as(column + "_q"));
    return out;
  }

  private List<Row> toProfiles(List<Row> rows) {
    long total = rows.stream().mapToLong(r -> r.getLong(3)).sum();
    int nf = features.size();
    double[] popMean = new double[nf];
    double[] popSq = new double[nf];
    for (Row r : rows) {
      double w = (double) r.getLong(3) / total;
      for (int f = 0; f < nf; f++) {
        int base = featureBase(f);
        popMean[f] += w * r.getDouble(base);
        popSq[f] += w * r.getDouble(base + 2);
      }
    }
    List<Row> profiles = new ArrayList<>();
    for (Row r : rows) {
      List<Object> values = new ArrayList<>();
      long customers = r.getLong(3);
      values.addAll(
          List.of(r.getInt(0), r.getString(1), r.getInt(2), customers, (double) customers / total));
      values.add(r.getDouble(4));
      values.add(r.getDouble(5));
      List<Double> sq = r.getList(7);
      values.addAll(sq);
      values.add(r.getDouble(6));
      double[] deviation = new double[nf];
      for (int f = 0; f < nf; f++) {
        int base = featureBase(f);
        values.add(r.getDouble(base));
        values.addAll(r.<Double>getList(base + 1));
        double sd = Math.sqrt(Math.max(0, popSq[f] - popMean[f] * popMean[f]));
        deviation[f] = sd > 0 ? (r.getDouble(base) - popMean[f]) / sd : 0;
      }
      values.add(r.isNullAt(r.length() - 1) ? null : r.getDouble(r.length() - 1));
      values.add(SegmentDescriber.describe(features, deviation, settings));
      profiles.add(RowFactory.create(values.toArray()));
    }
    return profiles;
  }

  /**
   * Index of a feature's mean in an aggregated row: rank, segment, cluster, count, 4 score stats.
   */
  private static int featureBase(int f) {
    return 8 + 3 * f;
  }

  private StructType schema() {
    List<StructField> fields = new ArrayList<>();
    fields.add(field(SegmentModel.SEGMENT_RANK, DataTypes.IntegerType));
    fields.add(field(SegmentModel.SEGMENT, DataTypes.StringType));
    fields.add(field(SegmentModel.CLUSTER, DataTypes.IntegerType));
    fields.add(field("customers", DataTypes.LongType));
    fields.add(field("share", DataTypes.DoubleType));
    for (String s : List.of("mean", "min", "p25", "p50", "p75", "max")) {
      fields.add(field(CreditScorer.SCORE + "_" + s, DataTypes.DoubleType));
    }
    for (String f : features) {
      for (String s : List.of("mean", "p25", "p50", "p75")) {
        fields.add(field(f + "_" + s, DataTypes.DoubleType));
      }
    }
    fields.add(field("default_rate", DataTypes.DoubleType));
    fields.add(field("description", DataTypes.StringType));
    return DataTypes.createStructType(fields);
  }

  private static StructField field(String name, org.apache.spark.sql.types.DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
