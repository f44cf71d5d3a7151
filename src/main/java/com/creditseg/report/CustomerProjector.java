package com.creditseg.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Customers in two dimensions: a PCA ({@code k = 2}) fitted on the features KMeans clustered on
 * (scaled and weighted) of a sample of at most {@code bound} customers, those customers projected
 * on it, and every KMeans centre projected through the same components.
 *
 * <p>The sample is the {@code bound} customers with the smallest {@code xxhash64(customer_id)} of
 * those it is given (the report gives it everyone, or its id-hash sample of a million customers in
 * larger runs): a uniform sample that is the same on every rebuild whatever the partitioning, taken
 * with a top-k per partition, so only {@code bound} rows ever reach the driver. Reads {@code
 * customer_id}, {@code segment_rank} and the model's feature columns; the run's own stages before
 * KMeans produce the features, so the projection sees what KMeans saw.
 */
final class CustomerProjector {
  private static final String PCA_COLUMN = "_pca";
  private static final int DIGITS = 3;

  private final int bound;

  CustomerProjector(int bound) {
    if (bound < 1) {
      throw new IllegalArgumentException("Projection sample bound must be >= 1, got " + bound);
    }
    this.bound = bound;
  }

  /**
   * @param segments the customers, or an {@link com.creditseg.sample.IdHashSample} of them
   * @param rankByCluster each KMeans cluster index's segment rank, from the profile table
   * @param rows customers in {@code segments}
   * @param population customers the report is about (more than {@code rows} when {@code segments}
   *     is a sample)
   */
  ReportData.Projection project(
      Dataset<Row> segments,
      PipelineModel model,
      Map<Integer, Integer> rankByCluster,
      long rows,
      long population) {
    VectorAssembler assembler = stage(model, VectorAssembler.class);
    KMeansModel kmeans = stage(model, KMeansModel.class);
    List<String> features = List.of(assembler.getInputCols());
    List<String> needed = new ArrayList<>(features);
    needed.add(CustomerSchema.CUSTOMER_ID);
    needed.add(SegmentModel.SEGMENT_RANK);
    CustomerSchema.require(segments, needed, "project customers for the report");

    Dataset<Row> columns = segments.select(needed.stream().map(c -> col(c)).toArray(Column[]::new));
    Dataset<Row> sample = smallestHashes(columns, rows);
    // Every stage before KMeans (assembler, scaler, feature weights): the space KMeans clustered
    // in, which is also the space of its centres.
    Dataset<Row> scaled = sample;
    for (Transformer t : model.stages()) {
      if (t == kmeans) {
        break;
      }
      scaled = t.transform(scaled);
    }
    PCAModel pca =
        new PCA()
            .setK(Math.min(2, features.size()))
            .setInputCol(kmeans.getFeaturesCol())
            .setOutputCol(PCA_COLUMN)
            .fit(scaled);
    List<Row> projected =
        pca.transform(scaled).select(SegmentModel.SEGMENT_RANK, PCA_COLUMN).collectAsList();
    sample.unpersist();

    Map<Integer, List<Double>> xs = new TreeMap<>();
    Map<Integer, List<Double>> ys = new TreeMap<>();
    for (Row r : projected) {
      int rank = r.getAs(SegmentModel.SEGMENT_RANK);
      Vector v = r.getAs(PCA_COLUMN);
      xs.computeIfAbsent(rank, k -> new ArrayList<>()).add(Numbers.round(v.apply(0), DIGITS));
      ys.computeIfAbsent(rank, k -> new ArrayList<>()).add(coordinate(v, 1));
    }
    List<ReportData.SegmentPoints> points = new ArrayList<>();
    xs.forEach((rank, x) -> points.add(new ReportData.SegmentPoints(rank, x, ys.get(rank))));

    DenseMatrix components = pca.pc().transpose();
    List<ReportData.Point> centroids = new ArrayList<>();
    Vector[] centers = kmeans.clusterCenters();
    for (int cluster = 0; cluster < centers.length; cluster++) {
      Integer rank = rankByCluster.get(cluster);
      if (rank != null) {
        Vector p = components.multiply(centers[cluster]);
        centroids.add(
            new ReportData.Point(rank, Numbers.round(p.apply(0), DIGITS), coordinate(p, 1)));
      }
    }
    List<Double> variance = new ArrayList<>();
    for (double v : pca.explainedVariance().toArray()) {
      variance.add(Numbers.round(v, 4));
    }
    return new ReportData.Projection(
        bound, projected.size(), population, features, variance, points, centroids);
  }

  /**
   * The {@code bound} customers with the smallest id hashes, taken from those whose hash is in the
   * lowest {@code 4 * bound / population} of its range: the top-k then sorts about 4 * bound rows
   * instead of all of them. Should fewer than {@code bound} pass that filter (a chance far below
   * one in a million), the top-k is taken over everyone, so the sample is always the same. Cached:
   * the PCA reads it more than once.
   */
  private Dataset<Row> smallestHashes(Dataset<Row> customers, long population) {
    Column hash = xxhash64(col(CustomerSchema.CUSTOMER_ID));
    double fraction = 4.0 * bound / Math.max(1, population);
    if (fraction < 1) {
      long below = (long) (Long.MIN_VALUE + fraction * Math.pow(2, 64));
      Dataset<Row> sample = customers.filter(hash.lt(below)).orderBy(hash).limit(bound).cache();
      if (sample.count() >= Math.min(bound, population)) {
        return sample;
      }
      sample.unpersist();
    }
    return customers.orderBy(hash).limit(bound).cache();
  }

  /** Component {@code i}, or 0 when the PCA has fewer components (a single feature). */
  private static Double coordinate(Vector v, int i) {
    return i < v.size() ? Numbers.round(v.apply(i), DIGITS) : 0.0;
  }

  private static <T extends Transformer> T stage(PipelineModel model, Class<T> type) {
    for (Transformer t : model.stages()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new IllegalStateException(
        "The run's model has no "
            + type.getSimpleName()
            + " stage (stages: "
            + List.of(model.stages())
            + ")");
  }
}
