package com.creditseg.segment;

import static org.apache.spark.sql.functions.*;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.feature.ElementwiseProduct;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A fitted segmentation: the MLlib PipelineModel (VectorAssembler, StandardScaler,
 * ElementwiseProduct, KMeans), each segment cluster's risk rank and label, the range each feature
 * is clipped to before scaling, and the clusters too small to be segments with the cluster each
 * joined. Saved as {@code <dir>/pipeline/} (MLlib's own format) and {@code <dir>/segments.json}
 * (clusters, ranges, merged). The pipeline alone does not clip: {@link #assign} does.
 *
 * <p>{@link #assign} applies it to every customer with native Spark column arithmetic read off the
 * fitted stages, not through the pipeline's vector UDFs: {@code z = (x - mean) * (1 / std) *
 * weight} per feature (0 for a feature without spread, as StandardScaler does), the squared
 * Euclidean distance to each KMeans centre, and the nearest centre, the lowest index on a tie (as
 * KMeans does). The same arithmetic in plain Java scores one customer without Spark.
 */
public record SegmentModel(
    PipelineModel pipeline,
    List<ClusterLabel> labels,
    List<FeatureRange> ranges,
    Map<Integer, Integer> merged,
    Map<Integer, Integer> ids) {
  public static final String CLUSTER = "cluster";
  public static final String SEGMENT = CustomerSchema.SEGMENT;
  public static final String SEGMENT_RANK = "segment_rank";
  private static final String PIPELINE = "pipeline";
  private static final String LABELS = "segments.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public SegmentModel {
    labels = List.copyOf(labels);
    ranges = List.copyOf(ranges);
    merged = Map.copyOf(merged);
    ids = ids == null ? Map.of() : Map.copyOf(ids);
  }

  public SegmentModel(
      PipelineModel pipeline,
      List<ClusterLabel> labels,
      List<FeatureRange> ranges,
      Map<Integer, Integer> merged) {
    this(pipeline, labels, ranges, merged, Map.of());
  }

  /**
   * This model with its segments renumbered: {@code ids} maps each segment's KMeans index to the id
   * it carries in {@code cluster} and in {@link #labels()} (kept from a previous run's segment it
   * continues). Without ids a segment's id is its KMeans index.
   */
  public SegmentModel withIds(Map<Integer, Integer> ids) {
    List<ClusterLabel> renumbered =
        labels.stream()
            .map(
                l ->
                    new ClusterLabel(
                        ids.getOrDefault(index(l.cluster()), l.cluster()),
                        l.rank(),
                        l.label(),
                        l.meanScore()))
            .sorted(Comparator.comparingInt(ClusterLabel::cluster))
            .toList();
    return new SegmentModel(pipeline, renumbered, ranges, merged, ids);
  }

  /** A segment id's KMeans index (the index itself when the model has no ids). */
  public int index(int id) {
    for (Map.Entry<Integer, Integer> e : ids.entrySet()) {
      if (e.getValue() == id) {
        return e.getKey();
      }
    }
    return id;
  }

  /** A KMeans index's segment id (after merges are applied, the index of a segment). */
  public int id(int index) {
    return ids.getOrDefault(index, index);
  }

  /**
   * The range a feature is clipped to before scaling (segment.clip-quantiles of the fit sample), so
   * that a handful of extreme values neither stretch the scale nor pull a centre of their own.
   */
  public record FeatureRange(String feature, double low, double high) {
    /** The value clipped to the range; null stays null. */
    Column clip(Column x) {
      return when(x.lt(low), lit(low)).when(x.gt(high), lit(high)).otherwise(x);
    }

    /** The data with each ranged feature clipped, under its own name. */
    static Dataset<Row> clip(Dataset<Row> data, List<FeatureRange> ranges) {
      for (FeatureRange r : ranges) {
        data = data.withColumn(r.feature(), r.clip(col(r.feature()).cast("double")));
      }
      return data;
    }
  }

  /** What segments.json holds beside the pipeline. */
  private record Saved(
      List<ClusterLabel> clusters,
      List<FeatureRange> ranges,
      Map<Integer, Integer> merged,
      Map<Integer, Integer> ids) {}

  /** The clustering features, in the order the model reads them. */
  public List<String> features() {
    return List.of(stage(VectorAssembler.class).getInputCols());
  }

  /** The KMeans centres in the clustering space (scaled and weighted features). */
  public Vector[] centers() {
    return stage(KMeansModel.class).clusterCenters();
  }

  /**
   * Adds {@code cluster} (the segment's id: its KMeans index, or the id {@link #withIds} gave it),
   * {@code segment} (label) and {@code segment_rank} (1 = riskiest) to every customer. A customer
   * with a null feature gets null in all three.
   *
   * <p>The clustering coordinates are projected first, as columns of their own, and the distances
   * read those: each coordinate is used once per centre, and inlined into every distance the
   * generated code grew past what Janino compiles (whole-stage codegen was then disabled).
   */
  public Dataset<Row> assign(Dataset<Row> customers) {
    List<Column> labelPairs = new ArrayList<>();
    List<Column> rankPairs = new ArrayList<>();
    for (ClusterLabel l : labels) {
      labelPairs.add(lit(l.cluster()));
      labelPairs.add(lit(l.label()));
      rankPairs.add(lit(l.cluster()));
      rankPairs.add(lit(l.rank()));
    }
    Map<String, Column> coordinates = coordinates();
    Column nearest = nearestCenter(coordinates.keySet().stream().map(c -> col(c)).toList());
    if (!merged.isEmpty()) {
      List<Column> pairs = new ArrayList<>();
      merged.forEach(
          (from, into) -> {
            pairs.add(lit(from));
            pairs.add(lit(into));
          });
      nearest = coalesce(try_element_at(map(pairs.toArray(Column[]::new)), nearest), nearest);
    }
    if (!ids.isEmpty()) {
      List<Column> pairs = new ArrayList<>();
      ids.forEach(
          (index, id) -> {
            pairs.add(lit(index));
            pairs.add(lit(id));
          });
      nearest = try_element_at(map(pairs.toArray(Column[]::new)), nearest);
    }
    return customers
        .withColumns(coordinates)
        .withColumn(CLUSTER, nearest)
        .withColumn(SEGMENT, try_element_at(map(labelPairs.toArray(Column[]::new)), col(CLUSTER)))
        .withColumn(
            SEGMENT_RANK, try_element_at(map(rankPairs.toArray(Column[]::new)), col(CLUSTER)))
        .drop(coordinates.keySet().toArray(String[]::new));
  }

  /**
   * Each feature's coordinate in the clustering space, by internal column name: the value clipped
   * to its range, then {@code (x - mean) / std * weight} (0 for a feature without spread, as
   * StandardScaler does).
   */
  Map<String, Column> coordinates() {
    List<String> features = features();
    Arithmetic a = arithmetic();
    Map<String, Column> z = new LinkedHashMap<>();
    for (int f = 0; f < features.size(); f++) {
      double scale = a.std()[f] == 0 ? 0 : 1 / a.std()[f];
      Column x = col(features.get(f)).cast("double");
      for (FeatureRange r : ranges) {
        if (r.feature().equals(features.get(f))) {
          x = r.clip(x);
        }
      }
      z.put(
          "_z_" + f,
          x.minus(a.withMean() ? a.mean()[f] : 0).multiply(scale).multiply(a.weights()[f]));
    }
    return z;
  }

  /** The fitted scaler and feature weights, per feature in {@link #features()} order. */
  public record Arithmetic(boolean withMean, double[] mean, double[] std, double[] weights) {
    /** Feature values (unclipped) in the clustering space, as {@link #coordinates()} computes. */
    public double[] coordinates(double[] x) {
      double[] z = new double[x.length];
      for (int f = 0; f < x.length; f++) {
        z[f] = (x[f] - (withMean ? mean[f] : 0)) * (std[f] == 0 ? 0 : 1 / std[f]) * weights[f];
      }
      return z;
    }

    /**
     * The feature values of a point of the clustering space; a feature without spread or weight
     * (which every point shares) is put at its mean.
     */
    public double[] featureValues(double[] z) {
      double[] x = new double[z.length];
      for (int f = 0; f < z.length; f++) {
        double scale = std[f] == 0 ? 0 : weights[f] / std[f];
        x[f] = scale == 0 ? mean[f] : z[f] / scale + (withMean ? mean[f] : 0);
      }
      return x;
    }
  }

  /** The numbers {@link #coordinates()} applies, read off the fitted stages. */
  public Arithmetic arithmetic() {
    StandardScalerModel scaler = stage(StandardScalerModel.class);
    return new Arithmetic(
        scaler.getWithMean(),
        scaler.mean().toArray(),
        scaler.std().toArray(),
        stage(ElementwiseProduct.class).getScalingVec().toArray());
  }

  /**
   * The index of the nearest KMeans centre to the coordinates {@code z}: squared Euclidean
   * distances, the lowest index on a tie (as KMeans does); null when a coordinate is null.
   */
  private Column nearestCenter(List<Column> z) {
    Column[] distances = squaredDistances(z);
    // Every distance reads every feature, so one null feature makes them all null.
    Column all = array(distances);
    return when(distances[0].isNotNull(), array_position(all, array_min(all)).minus(1).cast("int"));
  }

  /** The squared Euclidean distance from the coordinates {@code z} to each KMeans centre. */
  Column[] squaredDistances(List<Column> z) {
    Vector[] centers = centers();
    Column[] distances = new Column[centers.length];
    for (int c = 0; c < centers.length; c++) {
      Column d = null;
      for (int f = 0; f < z.size(); f++) {
        Column diff = z.get(f).minus(centers[c].apply(f));
        d = d == null ? diff.multiply(diff) : d.plus(diff.multiply(diff));
      }
      distances[c] = d;
    }
    return distances;
  }

  /** Saves the pipeline and the labels under {@code directory}. */
  public void save(SparkSession spark, String directory) {
    try {
      pipeline.write().overwrite().save(new Path(directory, PIPELINE).toString());
      Path labelsPath = new Path(directory, LABELS);
      FileSystem fs = labelsPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(labelsPath, true)) {
        JSON.writerWithDefaultPrettyPrinter()
            .writeValue(out, new Saved(labels, ranges, merged, ids));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save the segment model under " + directory, e);
    }
  }

  /** Loads what {@link #save} wrote. */
  public static SegmentModel load(SparkSession spark, String directory) {
    Path labelsPath = new Path(directory, LABELS);
    try {
      FileSystem fs = labelsPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(labelsPath)) {
        throw new InputContractException("Not a segment model: " + directory + " has no " + LABELS);
      }
      Saved saved;
      try (InputStream in = fs.open(labelsPath)) {
        saved = JSON.readValue(in, Saved.class);
      }
      return new SegmentModel(
          PipelineModel.load(new Path(directory, PIPELINE).toString()),
          saved.clusters(),
          saved.ranges(),
          saved.merged(),
          saved.ids());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot load the segment model from " + directory, e);
    }
  }

  private <T extends Transformer> T stage(Class<T> type) {
    for (Transformer stage : pipeline.stages()) {
      if (type.isInstance(stage)) {
        return type.cast(stage);
      }
    }
    throw new IllegalStateException("The segment model has no " + type.getSimpleName() + " stage");
  }
}
