package com.creditseg.segment;

import com.creditseg.concurrent.SideBySide;
import com.creditseg.config.SegmentSettings;
import com.creditseg.segment.KSelection.Candidate;
import com.creditseg.segment.KSelection.SeedFit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The k search of a segmentation. With a fixed segment.k: KMeans from segment.seeds seeds on the
 * fit sample, the lowest cost kept. With segment.k = auto: every candidate k (min-k to max-k) is
 * fitted once, from the first seed, on the silhouette sample (at most
 * segment.silhouette-sample-rows of the fit sample) and its silhouette measured there; the k with
 * the highest silhouette (the smaller k on a tie) is then fitted from every seed on the whole fit
 * sample. The candidates' costs, all on the same customers, make the elbow curve kept beside the
 * choice in {@link KSelection}.
 *
 * <p>A KMeans fit on a bounded sample is a Spark job per iteration, mostly the job's fixed cost:
 * searching with one fit per k on a smaller sample, the candidates side by side, spends those jobs
 * where they decide something.
 */
final class KSearch {
  private static final Logger LOG = LoggerFactory.getLogger(KSearch.class);

  private final SegmentSettings settings;

  KSearch(SegmentSettings settings) {
    this.settings = settings;
  }

  /**
   * The candidates in k order (the curve), the chosen k's fit on the whole fit sample with its
   * model, and how many customers each candidate was fitted on.
   */
  record Result(List<Candidate> candidates, Candidate chosen, KMeansModel model, long searchRows) {
    int chosenK() {
      return chosen.k();
    }
  }

  /**
   * Fits the candidate ks up to the number of {@code distinct} customers on {@code prepared} (with
   * {@link Segmenter#CLUSTERING_FEATURES}, {@code rows} customers), each fit's convergence at
   * {@code epsilon} / sqrt(k); silhouettes on {@code silhouetteSample} ({@code silhouetteRows}
   * customers of {@code prepared}).
   */
  Result run(
      Dataset<Row> prepared,
      long rows,
      Dataset<Row> silhouetteSample,
      long silhouetteRows,
      long distinct,
      double epsilon) {
    List<Integer> ks = settings.candidateKs().stream().filter(k -> k <= distinct).toList();
    if (ks.isEmpty()) {
      throw new IllegalStateException("No k was fitted: " + settings.candidateKs());
    }
    if (!settings.autoK() || ks.size() == 1) {
      int k = settings.autoK() ? ks.get(0) : settings.k();
      Fitted fitted = fitSeeds(prepared, k, epsilon, silhouetteSample);
      return new Result(List.of(fitted.candidate()), fitted.candidate(), fitted.model(), rows);
    }
    List<Candidate> candidates = search(ks, silhouetteSample, silhouetteRows, epsilon);
    int chosenK =
        candidates.stream()
            .max(Comparator.comparingDouble(Candidate::silhouette).thenComparing(c -> -c.k()))
            .get()
            .k();
    Fitted fitted = fitSeeds(prepared, chosenK, epsilon, silhouetteSample);
    return new Result(candidates, fitted.candidate(), fitted.model(), silhouetteRows);
  }

  /** Each k fitted once, from the first seed, on {@code sample}; side by side, in k order. */
  private List<Candidate> search(
      List<Integer> ks, Dataset<Row> sample, long sampleRows, double epsilon) {
    LOG.info(
        "k search: k = {} to {}, each from seed {} on {} customers",
        ks.get(0),
        ks.get(ks.size() - 1),
        settings.seed(),
        sampleRows);
    try (SideBySide fits = new SideBySide(sample.sparkSession(), ks.size(), 2, "the k search")) {
      List<Future<Candidate>> pending = new ArrayList<>();
      for (int k : ks) {
        pending.add(
            fits.submit(
                () -> {
                  KMeansModel model = fit(sample, k, settings.seed(), epsilon / Math.sqrt(k));
                  SeedFit fit = seedFit(settings.seed(), model);
                  return new Candidate(
                      k, fit.cost(), silhouette(model, sample), fit.seed(), List.of(fit));
                }));
      }
      List<Candidate> candidates = new ArrayList<>();
      for (Future<Candidate> candidate : pending) {
        candidates.add(fits.join(candidate));
      }
      return List.copyOf(candidates);
    }
  }

  /** A k's best fit of its seeds, and what it is as a candidate. */
  private record Fitted(Candidate candidate, KMeansModel model) {}

  /** {@code k} fitted from every seed on {@code prepared}; the lowest cost kept. */
  private Fitted fitSeeds(
      Dataset<Row> prepared, int k, double epsilon, Dataset<Row> silhouetteSample) {
    LOG.info(
        "k={}: KMeans from {} seeds ({} to {})",
        k,
        settings.seeds(),
        settings.seed(),
        settings.seed() + settings.seeds() - 1);
    List<KMeansModel> models = seeds(prepared, k, epsilon / Math.sqrt(k));
    List<SeedFit> fits = new ArrayList<>();
    KMeansModel best = null;
    for (int s = 0; s < models.size(); s++) {
      KMeansModel model = models.get(s);
      fits.add(seedFit(settings.seed() + s, model));
      if (best == null || model.summary().trainingCost() < best.summary().trainingCost()) {
        best = model;
      }
    }
    SeedFit bestFit = fits.stream().min(Comparator.comparingDouble(SeedFit::cost)).get();
    Candidate candidate =
        new Candidate(
            k,
            bestFit.cost(),
            silhouette(best, silhouetteSample),
            bestFit.seed(),
            List.copyOf(fits));
    return new Fitted(candidate, best);
  }

  private static SeedFit seedFit(long seed, KMeansModel model) {
    return new SeedFit(seed, model.summary().trainingCost(), model.summary().numIter());
  }

  private static double silhouette(KMeansModel model, Dataset<Row> sample) {
    return new ClusteringEvaluator()
        .setFeaturesCol(Segmenter.CLUSTERING_FEATURES)
        .setPredictionCol(SegmentModel.CLUSTER)
        .evaluate(model.transform(sample));
  }

  /**
   * One KMeans fit per seed, run as concurrent Spark jobs (at most two per core): each iteration of
   * a fit on a bounded sample is mostly a job's fixed cost, which concurrent fits overlap. With one
   * fit per core, the third seed of three ran alone after the other two. Results are in seed order
   * and do not depend on the concurrency.
   */
  private List<KMeansModel> seeds(Dataset<Row> prepared, int k, double epsilon) {
    try (SideBySide fits =
        new SideBySide(prepared.sparkSession(), settings.seeds(), 2, "the KMeans fits")) {
      List<Future<KMeansModel>> seeds = new ArrayList<>();
      for (int s = 0; s < settings.seeds(); s++) {
        long seed = settings.seed() + s;
        seeds.add(fits.submit(() -> fit(prepared, k, seed, epsilon)));
      }
      List<KMeansModel> models = new ArrayList<>();
      for (Future<KMeansModel> seed : seeds) {
        models.add(fits.join(seed));
      }
      return models;
    }
  }

  private KMeansModel fit(Dataset<Row> data, int k, long seed, double epsilon) {
    KMeansModel model = kmeans(k, seed, epsilon).fit(data);
    LOG.info(
        "k={} seed={}: cost {} after {} iterations",
        k,
        seed,
        model.summary().trainingCost(),
        model.summary().numIter());
    return model;
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
