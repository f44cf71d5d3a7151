package com.creditseg.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;

import com.creditseg.config.RfmSettings;
import com.creditseg.config.SegmentSettings;
import com.creditseg.sample.IdHashSample;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.segment.Segmenter;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * KMeans on the log-scaled recency, frequency and spend ({@code rfm.kmeans}): the segment stage's
 * {@link Segmenter} (several seeds, k fixed or chosen by silhouette, clusters ordered by {@code
 * rfm_score}), fitted on an id-hash sample of at most {@code fit-sample-rows} customers.
 *
 * <p>{@link #logScaled} reads {@code recency_days}, {@code frequency} and {@code monetary} and adds
 * {@link RfmSettings#KMEANS_FEATURES}: log(1 + x) of each, spend floored at 0.
 */
public final class RfmClustering {
  private final SegmentSettings settings;

  /**
   * @param settings {@code rfm.kmeans}
   */
  public RfmClustering(SegmentSettings settings) {
    this.settings = settings;
  }

  /** The clustering features: log(1 + x) of recency, frequency and spend (floored at 0). */
  public static Dataset<Row> logScaled(Dataset<Row> rfm) {
    CustomerSchema.require(
        rfm,
        List.of(RfmCalculator.RECENCY, RfmCalculator.FREQUENCY, RfmCalculator.MONETARY),
        "log-scale RFM");
    List<String> f = RfmSettings.KMEANS_FEATURES;
    return rfm.withColumn(f.get(0), log1p(col(RfmCalculator.RECENCY).cast("double")))
        .withColumn(f.get(1), log1p(col(RfmCalculator.FREQUENCY).cast("double")))
        .withColumn(f.get(2), log1p(greatest(col(RfmCalculator.MONETARY), lit(0.0))));
  }

  /** Fits the segments of {@code logged} ({@link #logScaled}'s, {@code customers} rows). */
  public Segmenter.Fit fit(Dataset<Row> logged, long customers) {
    return new Segmenter(settings, RfmScorer.SCORE).fit(sample(logged, customers));
  }

  /** How many customers the fit sees, about. */
  public long sampleRows(long customers) {
    return Math.min(customers, settings.fitSampleRows());
  }

  /**
   * Every customer up to {@code fit-sample-rows}; above, those whose id-hash bucket ({@link
   * IdHashSample#bucket}) is below that share of the buckets, rounded to the nearest bucket. {@link
   * IdHashSample}'s own threshold rounds down, which for most sizes keeps one bucket fewer: the
   * rounding stays so that a rerun fits on the customers earlier runs of the same input did.
   */
  private Dataset<Row> sample(Dataset<Row> logged, long customers) {
    int fitRows = settings.fitSampleRows();
    return customers <= fitRows
        ? logged
        : logged.filter(
            IdHashSample.bucket()
                .lt(Math.round((double) IdHashSample.BUCKETS * fitRows / customers)));
  }
}
