package com.creditseg.segment;

import com.creditseg.concurrent.SideBySide;
import com.creditseg.config.SegmentSettings;
import com.creditseg.segment.KSelection.Candidate;
import com.creditseg.segment.KSelection.SeedFit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The k search of a segmentation: for each candidate k (segment.k, or min-k to max-k), KMeans from
 * segment.seeds seeds, the lowest cost kept, its silhouette measured on a bounded sample; then the
 * k with the highest silhouette (the smaller k on a tie), or the configured one. The elbow is kept
 * beside it in {@link KSelection}.
 */
final class KSearch {
  private static final Logger LOG = LoggerFactory.getLogger(KSearch.class);

  private final SegmentSettings settings;

  KSearch(SegmentSettings settings) {
    this.settings = settings;
  }

  /** The candidates in k order, the best model of each k, and the k chosen. */
  record Result(List<Candidate> candidates, Map<Integer, KMeansModel> bestModels, int chosenK) {
    KMeansModel model(int k) {
      return bestModels.get(k);
    }
  }

  /**
   * Fits every candidate k up to the number of {@code distinct} customers on {@code prepared} (with
   * {@link Segmenter#CLUSTERING_FEATURES}), each seed's convergence at {@code epsilon} / sqrt(k).
   */
  Result run(Dataset<Row> prepared, Dataset<Row> silhouetteSample, long distinct, double epsilon) {
    List<Candidate> candidates = new ArrayList<>();
    Map<Integer, KMeansModel> bestModels = new TreeMap<>();
    for (int k : settings.candidateKs()) {
      if (k > distinct) {
        break;
      }
      LOG.info(
          "k={}: KMeans from {} seeds ({} to {})",
          k,
          settings.seeds(),
          settings.seed(),
          settings.seed() + settings.seeds() - 1);
      List<KMeansModel> models = fitSeeds(prepared, k, epsilon / Math.sqrt(k));
      List<SeedFit> fits = new ArrayList<>();
      KMeansModel best = null;
      for (int s = 0; s < models.size(); s++) {
        KMeansModel model = models.get(s);
        double cost = model.summary().trainingCost();
        fits.add(new SeedFit(settings.seed() + s, cost, model.summary().numIter()));
        if (best == null || cost < best.summary().trainingCost()) {
          best = model;
        }
      }
      double silhouette =
          new ClusteringEvaluator()
              .setFeaturesCol(Segmenter.CLUSTERING_FEATURES)
              .setPredictionCol(SegmentModel.CLUSTER)
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
    return new Result(List.copyOf(candidates), bestModels, chosenK);
  }

  /**
   * One KMeans fit per seed, run as concurrent Spark jobs (at most two per core): each iteration of
   * a fit on a bounded sample is mostly a job's fixed cost, which concurrent fits overlap. With one
   * fit per core, the third seed of three ran alone after the other two. Results are in seed order
   * and do not depend on the concurrency.
   */
  private List<KMeansModel> fitSeeds(Dataset<Row> prepared, int k, double epsilon) {
    try (SideBySide fits =
        new SideBySide(prepared.sparkSession(), settings.seeds(), 2, "the KMeans fits")) {
      List<Future<KMeansModel>> seeds = new ArrayList<>();
      for (int s = 0; s < settings.seeds(); s++) {
        long seed = settings.seed() + s;
        seeds.add(
            fits.submit(
                () -> {
                  KMeansModel model = kmeans(k, seed, epsilon).fit(prepared);
                  LOG.info(
                      "k={} seed={}: cost {} after {} iterations",
                      k,
                      seed,
                      model.summary().trainingCost(),
                      model.summary().numIter());
                  return model;
                }));
      }
      List<KMeansModel> models = new ArrayList<>();
      for (Future<KMeansModel> seed : seeds) {
        models.add(fits.join(seed));
      }
      return models;
    }
  }

  /**
   * MLlib's KMeans with the row solver named. Its default ({@code auto}) first runs a pass over the
   * vectors to count their non-zeros and choose between the row and block solvers; in Spark 4.1
   * that test adds up the indices of the non-zero counts rather than the counts, so it picks the
   * row solver for every sample of more than a handful of customers (with 8 features: more than 7).
   * Naming it skips that pass (one Spark job per seed and k) and fits what {@code auto} fitted.
   */
  private KMeans kmeans(int k, long seed, double epsilon) {
    return new KMeans()
        .setSolver("row")
        .setK(k)
        .setSeed(seed)
        .setMaxIter(settings.maxIterations())
        .setTol(epsilon)
        .setFeaturesCol(Segmenter.CLUSTERING_FEATURES)
        .setPredictionCol(SegmentModel.CLUSTER);
  }
}
