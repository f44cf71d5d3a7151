package com.creditseg.segment;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import com.creditseg.config.SegmentSettings;
import com.creditseg.io.CustomerSchema;
import com.creditseg.io.InputContractException;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.KSelection.Candidate;
import com.creditseg.segment.KSelection.SeedFit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.feature.ElementwiseProduct;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the segmentation: VectorAssembler over {@code segment.features} → StandardScaler (mean 0,
 * unit variance) → ElementwiseProduct ({@code segment.feature-weights}) → KMeans, on a uniform
 * sample of at most {@code segment.fit-sample-rows} customers. Each candidate k is fitted with
 * {@code segment.seeds} seeds and the lowest cost wins; with {@code segment.k = auto} the k with
 * the highest silhouette is chosen. Clusters are then ordered by mean {@code credit_score} and
 * labelled from {@code segment.labels}.
 *
 * <p>Reads the feature columns and {@code credit_score}. The fitted model is applied to every
 * customer with {@link Segmentation#assign}.
 */
public final class Segmenter {
  static final String FEATURES = "_features";
  static final String SCALED_FEATURES = "_scaled_features";

  /** What KMeans clusters on: the scaled features times their segment.feature-weights. */
  public static final String CLUSTERING_FEATURES = "_clustering_features";

  private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);

  private final SegmentSettings settings;

  public Segmenter(SegmentSettings settings) {
    this.settings = settings;
  }

  /** Fits on {@code customers}, of which there are {@code rows}. */
  public Segmentation fit(Dataset<Row> customers, long rows) {
    Set<String> needed = new LinkedHashSet<>(settings.features());
    needed.add(CreditScorer.SCORE);
    CustomerSchema.require(customers, needed, "segment customers");
    needed.add(CustomerSchema.CUSTOMER_ID);
    Column[] columns = needed.stream().map(c -> col(c)).toArray(Column[]::new);
    Dataset<Row> sample =
        deterministicSample(customers, rows)
            .select(columns)
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long sampleRows = sample.count();
      long distinct =
          sample
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
      LOG.info("Fitting segments on {} of {} customers", sampleRows, rows);
      PipelineModel prep = preparation().fit(sample);
      Dataset<Row> prepared = prep.transform(sample);
      Dataset<Row> silhouetteSample =
          sampleRows > settings.silhouetteSampleRows()
              ? prepared.sample(
                  false, (double) settings.silhouetteSampleRows() / sampleRows, settings.seed())
              : prepared;

      List<Candidate> candidates = new ArrayList<>();
      Map<Integer, KMeansModel> bestModels = new TreeMap<>();
      for (int k : settings.candidateKs()) {
        if (k > distinct) {
          break;
        }
        List<SeedFit> fits = new ArrayList<>();
        KMeansModel best = null;
        for (int s = 0; s < settings.seeds(); s++) {
          long seed = settings.seed() + s;
          KMeansModel model = kmeans(k, seed).fit(prepared);
          double cost = model.summary().trainingCost();
          fits.add(new SeedFit(seed, cost, model.summary().numIter()));
          LOG.info(
              "k={} seed={}: cost {} after {} iterations",
              k,
              seed,
              cost,
              model.summary().numIter());
          if (best == null || cost < best.summary().trainingCost()) {
            best = model;
          }
        }
        double silhouette =
            new ClusteringEvaluator()
                .setFeaturesCol(CLUSTERING_FEATURES)
                .setPredictionCol(Segmentation.CLUSTER)
                .evaluate(best.transform(silhouetteSample));
        SeedFit bestFit = fits.stream().min(Comparator.comparingDouble(SeedFit::cost)).get();
        candidates.add(new Candidate(k, bestFit.cost(), silhouette, bestFit.seed(), fits));
        bestModels.put(k, best);
      }
      if (candidates.isEmpty()) {
        throw new IllegalStateException("No k was fitted: " + settings.candidateKs());
      }
      int chosenK =
          settings.autoK()
              ? candidates.stream()
                  .max(Comparator.comparingDouble(Candidate::silhouette).thenComparing(c -> -c.k()))
                  .get()
                  .k()
              : settings.k();
      KSelection selection =
          new KSelection(
              settings.autoK() ? "auto" : "fixed",
              chosenK,
              KSelection.elbow(candidates),
              List.copyOf(candidates));
      KMeansModel chosen = bestModels.get(chosenK);
      PipelineModel model = combine(prep, chosen, sample);
      Map<Integer, Double> meanScores = meanScoreByCluster(chosen.transform(prepared));
      List<String> labels = settings.labels().get(meanScores.size());
      if (labels == null) {
        throw new IllegalStateException(
            "KMeans left "
                + (chosenK - meanScores.size())
                + " of "
                + chosenK
                + " clusters empty; no segment.labels for k = "
                + meanScores.size());
      }
      return new Segmentation(model, selection, SegmentLabeler.label(meanScores, labels));
    } finally {
      sample.unpersist();
    }
  }

  /**
   * At most about {@code fit-sample-rows} customers, chosen by a hash of their id, hash partitioned
   * by id into as many partitions as there are cores and sorted by id within each: the same rows in
   * the same places on every run, whatever the input's partitioning. KMeans' initialisation samples
   * per partition in order, so this is what makes reruns identical. The sample rows are persisted,
   * not the assembled vectors: KMeans caches its own input the cheap way when that input is not
   * cached (measured 2x faster per iteration). Every KMeans iteration runs a task per partition, so
   * a bounded sample needs no more partitions than there are cores.
   */
  private Dataset<Row> deterministicSample(Dataset<Row> customers, long rows) {
    Column id = col(CustomerSchema.CUSTOMER_ID);
    Dataset<Row> chosen = customers;
    if (rows > settings.fitSampleRows()) {
      long buckets = 1_000_000;
      long kept = Math.max(1, buckets * settings.fitSampleRows() / rows);
      chosen = customers.filter(pmod(xxhash64(id, lit(settings.seed())), lit(buckets)).lt(kept));
    }
    int partitions = customers.sparkSession().sparkContext().defaultParallelism();
    return chosen.repartition(partitions, id).sortWithinPartitions(id);
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

  private KMeans kmeans(int k, long seed) {
    return new KMeans()
        .setK(k)
        .setSeed(seed)
        .setMaxIter(settings.maxIterations())
        .setTol(settings.tolerance())
        .setFeaturesCol(CLUSTERING_FEATURES)
        .setPredictionCol(Segmentation.CLUSTER);
  }

  /** One PipelineModel of the fitted stages; fitting a Pipeline of transformers only wraps them. */
  private static PipelineModel combine(
      PipelineModel prep, KMeansModel kmeans, Dataset<Row> sample) {
    List<PipelineStage> stages = new ArrayList<>(List.of(prep.stages()));
    stages.add(kmeans);
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(sample);
  }

  private static Map<Integer, Double> meanScoreByCluster(Dataset<Row> predictions) {
    Map<Integer, Double> means = new TreeMap<>();
    predictions
        .groupBy(Segmentation.CLUSTER)
        .agg(avg(CreditScorer.SCORE))
        .collectAsList()
        .forEach(r -> means.put(r.getInt(0), r.getDouble(1)));
    return means;
  }
}
