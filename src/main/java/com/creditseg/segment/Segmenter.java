package com.creditseg.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.creditseg.config.SegmentSettings;
import com.creditseg.sample.IdHashSample;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.KSelection.Candidate;
import com.creditseg.segment.KSelection.MergedCluster;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.creditseg.segment.SegmentModel.FeatureRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.feature.ElementwiseProduct;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the segmentation: VectorAssembler over {@code segment.features} → StandardScaler (mean 0,
 * unit variance) → ElementwiseProduct ({@code segment.feature-weights}) → KMeans, on a uniform
 * sample of at most {@code segment.fit-sample-rows} customers. Each candidate k is fitted with
 * {@code segment.seeds} seeds and the lowest cost wins; with {@code segment.k = auto} the k with
 * the highest silhouette is chosen. Clusters are then ordered by risk and labelled from {@code
 * segment.labels}: by the observed default rate of the training customers when the job passes a
 * risk-event column (a label), else by mean {@code credit_score}.
 *
 * <p>Reads the feature columns and {@code credit_score}. The fitted model is applied to every
 * customer with {@link SegmentModel#assign}.
 *
 * <p>It is no MLlib {@code Estimator}, though it fits like one: what it returns is more than a
 * transformer (the k search with its curve, the clusters merged, the training default rates the
 * segments were ordered by), and what it fits, a {@link SegmentModel}, holds an MLlib pipeline
 * beside the labels, clip ranges and segment ids that {@code score}, {@code serve} and the next
 * run's continuity read, saved in a layout of its own. The pipeline inside is MLlib's.
 */
public final class Segmenter {
  static final String FEATURES = "_features";
  static final String SCALED_FEATURES = "_scaled_features";

  /** What KMeans clusters on: the scaled features times their segment.feature-weights. */
  public static final String CLUSTERING_FEATURES = "_clustering_features";

  private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);

  private final SegmentSettings settings;
  private final String scoreColumn;

  /**
   * A fitted segmentation and how its k was chosen; {@code trainingDefaultRates} (segment cluster →
   * observed default rate of the labelled training customers in it) when the segments were ordered
   * by it, else empty.
   */
  public record Fit(
      SegmentModel model, KSelection selection, Map<Integer, Double> trainingDefaultRates) {
    public Fit(SegmentModel model, KSelection selection) {
      this(model, selection, Map.of());
    }

    public Fit {
      trainingDefaultRates = Map.copyOf(trainingDefaultRates);
    }

    /**
     * This fit with its model renumbered ({@code SegmentContinuity}: the same segments and labels
     * under the previous run's ids), its training default rates following their labels.
     */
    public Fit renumbered(SegmentModel renumbered) {
      Map<String, Double> byLabel = new HashMap<>();
      for (ClusterLabel l : model.labels()) {
        Double rate = trainingDefaultRates.get(l.cluster());
        if (rate != null) {
          byLabel.put(l.label(), rate);
        }
      }
      Map<Integer, Double> rates = new HashMap<>();
      for (ClusterLabel l : renumbered.labels()) {
        Double rate = byLabel.get(l.label());
        if (rate != null) {
          rates.put(l.cluster(), rate);
        }
      }
      return new Fit(renumbered, selection, rates);
    }
  }

  public Segmenter(SegmentSettings settings) {
    this(settings, CreditScorer.SCORE);
  }

  /**
   * @param scoreColumn what clusters are ordered by (lowest mean first) before labelling: the
   *     credit score for customers, the RFM score for the rfm subcommand
   */
  public Segmenter(SegmentSettings settings, String scoreColumn) {
    this.settings = settings;
    this.scoreColumn = scoreColumn;
  }

  /**
   * Fits on {@code sample}, the customers to fit on (the job passes an id-hash sample of at most
   * {@code segment.fit-sample-rows} valid, scored customers).
   */
  public Fit fit(Dataset<Row> sample) {
    return fit(sample, null);
  }

  /**
   * Fits on {@code sample}, ordering the segments by the observed rate of {@code riskEvent} (a 0/1
   * column, null for customers not to count: unlabelled or held out) when every segment has
   * customers with one; by mean score otherwise. A null {@code riskEvent} orders by mean score.
   */
  public Fit fit(Dataset<Row> sample, String riskEvent) {
    Set<String> needed = new LinkedHashSet<>(settings.features());
    needed.add(scoreColumn);
    CustomerSchema.require(sample, needed, "segment customers");
    needed.add(CustomerSchema.CUSTOMER_ID);
    if (riskEvent != null) {
      CustomerSchema.require(sample, List.of(riskEvent), "order segments by default rate");
      needed.add(riskEvent);
    }
    Column[] columns = needed.stream().map(c -> col(c)).toArray(Column[]::new);
    Dataset<Row> selected = sample.select(columns);
    // KMeans' initialisation samples per partition in order: the stable layout makes reruns
    // identical. The rows are persisted, not the assembled vectors: KMeans caches its own input
    // the cheap way when that input is not cached.
    Dataset<Row> fitted =
        IdHashSample.stableLayout(selected, selected.count())
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long sampleRows = fitted.count();
      long distinct =
          fitted
              .select(settings.features().stream().map(c -> col(c)).toArray(Column[]::new))
              .distinct()
              .count();
      int smallestK = settings.candidateKs().get(0);
      if (distinct < smallestK) {
        throw new InputContractException(
            String.format(
                "segment.k = %s is larger than the %d distinct customers (by segment.features %s)"
                    + " in the %d customers fitted on",
                settings.autoK() ? "auto (min-k " + smallestK + ")" : settings.k(),
                distinct,
                settings.features(),
                sampleRows));
      }
      LOG.info("Fitting segments on {} customers", sampleRows);
      List<FeatureRange> ranges = ranges(fitted);
      Dataset<Row> clipped = FeatureRange.clip(fitted, ranges);
      PipelineModel prep = preparation().fit(clipped);
      Dataset<Row> prepared = prep.transform(clipped);
      double epsilon = epsilon(prep);
      Dataset<Row> silhouetteSample =
          sampleRows > settings.silhouetteSampleRows()
              ? prepared.sample(
                  false, (double) settings.silhouetteSampleRows() / sampleRows, settings.seed())
              : prepared;
      // With k = auto every candidate is fitted and measured on the silhouette sample: persisted
      // when it is a subsample, and counted.
      boolean subsample = settings.autoK() && silhouetteSample != prepared;
      if (subsample) {
        silhouetteSample = silhouetteSample.persist(StorageLevel.MEMORY_AND_DISK());
      }
      KSearch.Result search;
      try {
        long silhouetteRows = subsample ? silhouetteSample.count() : sampleRows;
        search =
            new KSearch(settings)
                .run(prepared, sampleRows, silhouetteSample, silhouetteRows, distinct, epsilon);
      } finally {
        if (subsample) {
          silhouetteSample.unpersist();
        }
      }
      return labelled(search, prep, clipped, fitted, ranges, riskEvent, sampleRows);
    } finally {
      fitted.unpersist();
    }
  }

  /**
   * The chosen k's clusters as labelled segments: clusters below segment.min-size merged into their
   * nearest neighbour, then ordered by the observed rate of {@code riskEvent} when every segment
   * has training customers with one, else by mean score, and labelled.
   */
  private Fit labelled(
      KSearch.Result search,
      PipelineModel prep,
      Dataset<Row> clipped,
      Dataset<Row> fitted,
      List<FeatureRange> ranges,
      String riskEvent,
      long sampleRows) {
    int chosenK = search.chosenK();
    List<Candidate> candidates = search.candidates();
    KMeansModel chosen = search.model();
    PipelineModel pipeline = combine(prep, chosen, clipped);
    Map<Integer, ClusterStats> clusters =
        clusterStats(
            new SegmentModel(pipeline, List.of(), ranges, Map.of()).assign(fitted),
            scoreColumn,
            riskEvent);
    List<MergedCluster> merges = smallClusters(clusters, chosen, sampleRows);
    Map<Integer, Integer> merged = new TreeMap<>();
    merges.forEach(m -> merged.put(m.cluster(), m.into()));
    Map<Integer, Double> meanScores = meanScores(clusters, merged);
    List<String> labels = settings.labels().get(meanScores.size());
    if (labels == null) {
      throw new InputContractException(
          String.format(
              "KMeans with k = %d gave %d segments (%d clusters empty, %d below segment.min-size"
                  + " %s), and segment.labels has no labels for k = %d: add segment.labels.\"%d\"",
              chosenK,
              meanScores.size(),
              chosenK - clusters.size(),
              merges.size(),
              settings.minSize(),
              meanScores.size(),
              meanScores.size()));
    }
    KSelection selection =
        new KSelection(
            settings.autoK() ? KSelection.Mode.AUTO : KSelection.Mode.FIXED,
            chosenK,
            KSelection.elbow(candidates),
            List.copyOf(candidates),
            search.chosen(),
            search.searchRows(),
            merges);
    Map<Integer, Double> defaultRates = defaultRates(clusters, merged);
    boolean byDefaultRate = riskEvent != null && defaultRates.keySet().equals(meanScores.keySet());
    if (riskEvent != null && !byDefaultRate) {
      LOG.warn("A segment has no labelled training customer: segments are ordered by mean score");
    }
    return new Fit(
        new SegmentModel(
            pipeline,
            byDefaultRate
                ? SegmentLabeler.byDefaultRate(defaultRates, meanScores, labels)
                : SegmentLabeler.label(meanScores, labels),
            ranges,
            merged),
        selection,
        byDefaultRate ? defaultRates : Map.of());
  }

  /**
   * Each feature's segment.clip-quantiles on the fit sample (one pass, exact to 1e-4 in rank); no
   * ranges when clipping is off.
   */
  private List<FeatureRange> ranges(Dataset<Row> fitted) {
    if (settings.clipLow() <= 0 && settings.clipHigh() >= 1) {
      return List.of();
    }
    String[] features = settings.features().toArray(String[]::new);
    double[][] quantiles =
        fitted
            .stat()
            .approxQuantile(features, new double[] {settings.clipLow(), settings.clipHigh()}, 1e-4);
    List<FeatureRange> ranges = new ArrayList<>();
    for (int f = 0; f < features.length; f++) {
      ranges.add(new FeatureRange(features[f], quantiles[f][0], quantiles[f][1]));
    }
    return List.copyOf(ranges);
  }

  /**
   * One KMeans cluster of the fit sample: its customers, the count and sum of their scores, and how
   * many have a risk event and how many of those are 1.
   */
  private record ClusterStats(
      long customers, long scored, double scoreSum, long labelled, double events) {}

  /** Per KMeans cluster, before any merge: one aggregation over the fit sample. */
  private static Map<Integer, ClusterStats> clusterStats(
      Dataset<Row> assigned, String scoreColumn, String riskEvent) {
    List<Column> aggregates =
        new ArrayList<>(
            List.of(
                functions.count(col(scoreColumn)).as("scored"),
                functions.sum(col(scoreColumn).cast("double")).as("score_sum")));
    if (riskEvent != null) {
      aggregates.add(functions.count(col(riskEvent)).as("labelled"));
      aggregates.add(functions.sum(col(riskEvent)).as("events"));
    } else {
      aggregates.add(lit(0L).as("labelled"));
      aggregates.add(lit(0.0).as("events"));
    }
    Map<Integer, ClusterStats> stats = new TreeMap<>();
    // The assignment is materialised first, and filtered after: a filter on the cluster would
    // repeat its arithmetic, and fused with the aggregation it makes a generated method too large
    // for Janino (Spark then falls back, with a compiler error in the log).
    List<String> kept = new ArrayList<>(List.of(SegmentModel.CLUSTER, scoreColumn));
    if (riskEvent != null) {
      kept.add(riskEvent);
    }
    Dataset<Row> clusters =
        assigned
            .select(kept.stream().map(c -> col(c)).toArray(Column[]::new))
            .persist(StorageLevel.MEMORY_AND_DISK());
    List<Row> rows;
    try {
      rows =
          clusters
              .filter(col(SegmentModel.CLUSTER).isNotNull())
              .groupBy(SegmentModel.CLUSTER)
              .agg(functions.count(lit(1)).as("customers"), aggregates.toArray(Column[]::new))
              .collectAsList();
    } finally {
      clusters.unpersist();
    }
    rows.forEach(
        r ->
            stats.put(
                r.<Integer>getAs(SegmentModel.CLUSTER),
                new ClusterStats(
                    r.<Long>getAs("customers"),
                    r.<Long>getAs("scored"),
                    r.isNullAt(r.fieldIndex("score_sum")) ? 0 : r.<Double>getAs("score_sum"),
                    r.<Long>getAs("labelled"),
                    r.isNullAt(r.fieldIndex("events")) ? 0 : r.<Double>getAs("events"))));
    return stats;
  }

  /**
   * The observed default rate of each segment cluster's labelled customers, counting the clusters
   * merged into it; segments without one are absent.
   */
  private static Map<Integer, Double> defaultRates(
      Map<Integer, ClusterStats> clusters, Map<Integer, Integer> merged) {
    Map<Integer, double[]> sums = new TreeMap<>(); // {labelled, events}
    clusters.forEach(
        (cluster, stats) -> {
          double[] sum =
              sums.computeIfAbsent(merged.getOrDefault(cluster, cluster), c -> new double[2]);
          sum[0] += stats.labelled();
          sum[1] += stats.events();
        });
    Map<Integer, Double> rates = new TreeMap<>();
    sums.forEach(
        (cluster, sum) -> {
          if (sum[0] > 0) {
            rates.put(cluster, sum[1] / sum[0]);
          }
        });
    return rates;
  }

  /** The mean credit score of each segment cluster, counting the clusters merged into it. */
  private static Map<Integer, Double> meanScores(
      Map<Integer, ClusterStats> clusters, Map<Integer, Integer> merged) {
    Map<Integer, double[]> sums = new TreeMap<>(); // {scored, sum}
    clusters.forEach(
        (cluster, stats) -> {
          double[] sum =
              sums.computeIfAbsent(merged.getOrDefault(cluster, cluster), c -> new double[2]);
          sum[0] += stats.scored();
          sum[1] += stats.scoreSum();
        });
    Map<Integer, Double> means = new TreeMap<>();
    sums.forEach((cluster, sum) -> means.put(cluster, sum[1] / sum[0]));
    return means;
  }

  /**
   * The clusters below segment.min-size of the fit sample, each with the segment cluster whose
   * centre is nearest in the clustering space. The largest clusters are kept as segments first, and
   * at least two always are.
   */
  private List<MergedCluster> smallClusters(
      Map<Integer, ClusterStats> sizes, KMeansModel kmeans, long sampleRows) {
    List<Integer> bySize = new ArrayList<>(sizes.keySet());
    bySize.sort(
        Comparator.comparingLong((Integer c) -> -sizes.get(c).customers()).thenComparing(c -> c));
    List<Integer> kept = new ArrayList<>();
    List<Integer> small = new ArrayList<>();
    for (int c : bySize) {
      double share = (double) sizes.get(c).customers() / sampleRows;
      if (share >= settings.minSize() || kept.size() < 2) {
        kept.add(c);
      } else {
        small.add(c);
      }
    }
    Vector[] centers = kmeans.clusterCenters();
    List<MergedCluster> merges = new ArrayList<>();
    for (int c : small) {
      int into =
          kept.stream()
              .min(
                  Comparator.comparingDouble((Integer o) -> Vectors.sqdist(centers[c], centers[o]))
                      .thenComparing(o -> o))
              .orElseThrow();
      long customers = sizes.get(c).customers();
      LOG.warn(
          "Cluster {} holds {} of {} customers fitted on, below segment.min-size {}: merged into"
              + " cluster {}, the nearest",
          c,
          customers,
          sampleRows,
          settings.minSize(),
          into);
      merges.add(new MergedCluster(c, customers, (double) customers / sampleRows, into));
    }
    merges.sort(Comparator.comparingInt(MergedCluster::cluster));
    return List.copyOf(merges);
  }

  /**
   * {@code segment.tolerance} relative to the data's spread, as scikit-learn reads it: the fit has
   * converged when the squared shifts of all centres add up to at most {@code tolerance} times the
   * mean variance of the clustering features. MLlib stops when every centre moves at most epsilon;
   * epsilon = sqrt(tolerance * mean variance / k) makes that at least as strict. After standard
   * scaling, a feature's variance is its weight squared (0 for a constant feature).
   */
  private double epsilon(PipelineModel prep) {
    double[] std = null;
    double[] weights = null;
    for (var stage : prep.stages()) {
      if (stage instanceof StandardScalerModel scaler) {
        std = scaler.std().toArray();
      } else if (stage instanceof ElementwiseProduct product) {
        weights = product.getScalingVec().toArray();
      }
    }
    double variance = 0;
    for (int f = 0; f < std.length; f++) {
      variance += std[f] == 0 ? 0 : weights[f] * weights[f];
    }
    variance /= std.length;
    return Math.sqrt(settings.tolerance() * Math.max(variance, 1e-12));
  }

  private Pipeline preparation() {
    VectorAssembler assembler =
        new VectorAssembler()
            .setInputCols(settings.features().toArray(String[]::new))
            .setOutputCol(FEATURES)
            .setHandleInvalid("error");
    StandardScaler scaler =
        new StandardScaler()
            .setInputCol(FEATURES)
            .setOutputCol(SCALED_FEATURES)
            .setWithMean(true)
            .setWithStd(true);
    // A weight w makes a scaled feature count as if it had w^2 times the variance of the others.
    double[] weights =
        settings.features().stream()
            .mapToDouble(f -> settings.featureWeights().getOrDefault(f, 1.0))
            .toArray();
    ElementwiseProduct weighting =
        new ElementwiseProduct()
            .setInputCol(SCALED_FEATURES)
            .setOutputCol(CLUSTERING_FEATURES)
            .setScalingVec(Vectors.dense(weights));
    return new Pipeline().setStages(new PipelineStage[] {assembler, scaler, weighting});
  }

  /** One PipelineModel of the fitted stages; fitting a Pipeline of transformers only wraps them. */
  private static PipelineModel combine(
      PipelineModel prep, KMeansModel kmeans, Dataset<Row> sample) {
    List<PipelineStage> stages = new ArrayList<>(List.of(prep.stages()));
    stages.add(kmeans);
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(sample);
  }
}
