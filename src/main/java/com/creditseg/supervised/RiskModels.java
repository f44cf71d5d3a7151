package com.creditseg.supervised;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.creditseg.concurrent.SideBySide;
import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Balance;
import com.creditseg.config.SupervisedSettings.Challenger;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.creditseg.score.CreditScorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits and validates the supervised risk models on labelled customers: a points {@link Scorecard}
 * on {@link WoeBinning} columns (logistic regression), and random-forest and gradient-boosted-tree
 * challengers on the raw features, each fitted on the training part of a {@link HoldoutSplit} and
 * validated ({@link ModelValidation}) on the held-out part, beside the rule score. The models
 * returned are the ones fitted on the training part: they are not refitted on all labelled
 * customers, so the validation describes exactly the models that score.
 *
 * <p>The scorecard's regression keeps only features whose coefficient has the sign the WoE implies
 * (a higher WoE, safer): with a wrong sign (collinearity), the weaker by information value of the
 * feature and its most correlated partner leaves and the regression is refitted ({@link
 * ScorecardRegression}).
 *
 * <p>Reads {@code customer_id}, the label, {@code credit_score} and the features. Missing numeric
 * values reach the trees as {@value #MISSING}, below every real value, so a tree can split them
 * off; categories are indexed (unseen ones to an index of their own).
 */
public final class RiskModels {
  private static final Logger LOG = LoggerFactory.getLogger(RiskModels.class);

  /** What a missing numeric value is to the tree challengers. */
  static final double MISSING = -1.0e9;

  public static final String SCORECARD = "scorecard";
  public static final String RULE_SCORE = "rule-score";

  private static final String PD = "_pd";
  private static final String WEIGHT = "_class_weight";
  private static final String LABEL = "_label";
  private static final long SEED = 7;

  private final SupervisedSettings settings;

  public RiskModels(SupervisedSettings settings) {
    this.settings = settings;
  }

  /** The features offered to the models, split by kind. */
  public record Features(List<String> numeric, List<String> categorical) {
    public List<String> all() {
      List<String> all = new ArrayList<>(numeric);
      all.addAll(categorical);
      return all;
    }

    /** These features without {@code dropped}. */
    public Features without(Set<String> dropped) {
      return new Features(
          numeric.stream().filter(f -> !dropped.contains(f)).toList(),
          categorical.stream().filter(f -> !dropped.contains(f)).toList());
    }
  }

  /**
   * model.supervised.features, or when empty every numeric and string column of {@code schema} but
   * the id, the label, the score and the protected attributes; internal columns (starting with _ or
   * the reader's) are never features.
   */
  public static Features features(
      StructType schema, SupervisedSettings settings, Set<String> protectedAttributes) {
    Map<String, StructField> fields = new LinkedHashMap<>();
    for (StructField f : schema.fields()) {
      fields.put(f.name(), f);
    }
    List<String> chosen = settings.features();
    if (chosen.isEmpty()) {
      chosen =
          fields.keySet().stream()
              .filter(
                  c ->
                      !c.equals(CustomerSchema.CUSTOMER_ID)
                          && !c.equals(settings.label())
                          && !c.equals(CreditScorer.SCORE)
                          && !c.equals(CustomerSchema.PARSE_ERRORS)
                          && !c.equals(CustomerSchema.SOURCE_RECORD)
                          && !c.startsWith("_")
                          && !protectedAttributes.contains(c))
              .toList();
    }
    List<String> numeric = new ArrayList<>();
    List<String> categorical = new ArrayList<>();
    for (String c : chosen) {
      StructField f = fields.get(c);
      if (f == null) {
        throw new InputContractException(
            "model.supervised.features names '"
                + c
                + "', which the input does not have (have: "
                + String.join(", ", fields.keySet())
                + ")");
      }
      if (CustomerSchema.isNumeric(f.dataType())) {
        numeric.add(c);
      } else if (f.dataType().typeName().equals("string")) {
        categorical.add(c);
      }
    }
    return new Features(List.copyOf(numeric), List.copyOf(categorical));
  }

  /**
   * The fitted models and what their validation found: {@code binning} holds the scorecard's
   * features only, {@code allTables} every offered feature's bins.
   */
  public record Fitted(
      WoeBinningModel binning,
      List<FeatureBins> allTables,
      Scorecard scorecard,
      Map<String, PipelineModel> challengers,
      Report report) {}

  /**
   * What metrics.json says about the supervised models.
   *
   * @param split how customers were split
   * @param refitted always false: the models are the ones fitted on the training part
   * @param features every feature offered, with its information value and whether the scorecard
   *     kept it
   * @param models each model's validation on the held-out customers (the rule score's PD is its
   *     position in the score range, so only its ranking measures mean anything)
   * @param balanceEffect with balance = none: what weights and oversampling would have done to the
   *     scorecard's held-out AUC and Brier score (null otherwise)
   * @param crossValidation the scorecard's AUC over folds of all labelled customers (small inputs)
   * @param fairness approval rates by protected group at the scorecard's cutoff, on the held-out
   *     customers (null when no protected attribute is in the input)
   */
  public record Report(
      String label,
      String split,
      long trainRows,
      long trainEvents,
      long validationRows,
      long validationEvents,
      Balance balance,
      boolean refitted,
      List<FeatureIv> features,
      List<ModelReport> models,
      List<BalanceTrial> balanceEffect,
      CrossValidation crossValidation,
      FairnessCheck.Report fairness) {

    /** The scorecard's validation. */
    public ModelValidation.Result scorecard() {
      return models.stream()
          .filter(m -> m.model().equals(SCORECARD))
          .findFirst()
          .orElseThrow()
          .validation();
    }
  }

  /**
   * One feature: {@code status} is kept, low_iv (below min-iv), suspected_leak (above max-iv:
   * dropped from every model), collinear or wrong_sign (dropped from the regression, {@code note}
   * says why: see {@link ScorecardRegression}).
   */
  public record FeatureIv(
      String feature, double iv, String status, double coefficient, String note) {}

  /** One model's held-out validation; {@code inputs} says what it was fitted on. */
  public record ModelReport(String model, String inputs, ModelValidation.Result validation) {}

  /** The scorecard refitted with another balance setting, on the same split. */
  public record BalanceTrial(Balance balance, double rocAuc, double brier) {}

  /** The scorecard's ROC AUC on each fold when fitted on the others. */
  public record CrossValidation(int folds, List<Double> rocAuc, double meanRocAuc) {}

  /**
   * Starts fitting on {@code labelled} (customers whose label is 0 or 1; the caller persists it
   * until the returned fitting is closed). {@code scoreMin}/{@code scoreMax} give the rule score's
   * range. Returns once the scorecard is fitted, which is all that scoring needs: the challengers,
   * the rule score's and every model's held-out validation and the cross-validation go on as
   * concurrent Spark jobs until {@link Fitting#finish()}, so that the job's next steps run beside
   * them.
   */
  public Fitting fit(
      Dataset<Row> labelled,
      Features features,
      int scoreMin,
      int scoreMax,
      List<String> protectedGroups) {
    Column label = col(settings.label());
    Dataset<Row> data = labelled.withColumn(LABEL, label.cast("double"));
    HoldoutSplit split = new HoldoutSplit(settings.validationShare());
    Dataset<Row> train =
        data.filter(split.isValidation().unary_$bang()).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> valid = data.filter(split.isValidation()).persist(StorageLevel.MEMORY_AND_DISK());
    // On a bounded sample every step is mostly Spark jobs' fixed cost (each regression iteration,
    // each boosting round is a job), so the challengers, the validations and the cross-validation
    // run as concurrent jobs, beside the scorecard and then beside whatever the caller does next.
    // Nothing they compute depends on the order jobs run in; the report lists the models in the
    // same order as ever.
    Fitting fitting =
        new Fitting(
            data.sparkSession(),
            train,
            valid,
            Executors.newFixedThreadPool(
                Math.max(1, data.sparkSession().sparkContext().defaultParallelism())));
    try {
      long[] trainCounts = counts(train);
      long[] validCounts = counts(valid);
      if (trainCounts[1] == 0 || trainCounts[1] == trainCounts[0]) {
        throw new UnusableLabelException(
            String.format(
                "Cannot fit supervised models: the %d training customers have %d defaulters on"
                    + " the label '%s'; both classes are needed (model.supervised.enabled = false"
                    + " turns the models off)",
                trainCounts[0], trainCounts[1], settings.label()));
      }
      if (validCounts[1] == 0 || validCounts[1] == validCounts[0]) {
        throw new UnusableLabelException(
            String.format(
                "Cannot validate supervised models: the %d held-out customers have %d defaulters"
                    + " on the label '%s'; both classes are needed",
                validCounts[0], validCounts[1], settings.label()));
      }
      LOG.info(
          "Supervised models: {} training customers ({} defaulted), {} held out ({} defaulted)",
          trainCounts[0],
          trainCounts[1],
          validCounts[0],
          validCounts[1]);
      ModelValidation validation =
          new ModelValidation(
              LABEL,
              PD,
              new ModelValidation.Costs(
                  settings.costs().missedDefault(), settings.costs().refusedGood()));
      double range = scoreMax - scoreMin;
      Column rulePd =
          least(
              lit(1.0),
              greatest(
                  lit(0.0), lit((double) scoreMax).minus(col(CreditScorer.SCORE)).divide(range)));
      // Binned first: a feature that gives the label away (suspected_leak) is dropped from the
      // challengers too, which would otherwise score it perfectly.
      WoeBinningModel binning = binning(train, features);
      Set<String> leaks = new TreeSet<>();
      binning.leaks().forEach(t -> leaks.add(t.feature()));
      if (!leaks.isEmpty()) {
        LOG.warn(
            "Supervised: {} dropped from every model as suspected leaks of the label: information"
                + " value above model.supervised.max-iv = {}",
            leaks,
            settings.binning().maxIv());
      }
      Features modelled = features.without(leaks);
      Map<Challenger, Future<ChallengerFit>> challengerFits = new LinkedHashMap<>();
      for (Challenger c :
          modelled.all().isEmpty() ? List.<Challenger>of() : settings.challengers()) {
        challengerFits.put(
            c,
            fitting.submit(
                () -> {
                  PipelineModel model =
                      timed(
                          c.key(),
                          () ->
                              challenger(c, modelled)
                                  .fit(balanced(raw(train, modelled), settings.balance()))
                                  // A copy drops the training summary, which holds the session
                                  // (not serializable).
                                  .copy(new org.apache.spark.ml.param.ParamMap()));
                  return new ChallengerFit(
                      model,
                      timed(
                          c.key() + " validation",
                          () -> validation.validate(probability(model, raw(valid, modelled)))));
                }));
      }
      Future<CrossValidation> crossValidation =
          trainCounts[0] + validCounts[0] < settings.crossValidateBelowRows()
              ? fitting.submit(() -> timed("cross-validation", () -> crossValidate(data, features)))
              : null;
      Future<ModelValidation.Result> ruleResult =
          fitting.submit(
              () ->
                  timed(
                      "rule score validation",
                      () -> validation.validate(valid.withColumn(PD, rulePd))));

      ScorecardRegression.Card card = card(binning, train);
      Dataset<Row> validWoe = binning.transform(valid);
      Dataset<Row> validScored = validWoe.withColumn(PD, card.scorecard().probability());
      Future<ScorecardCheck> scorecardCheck =
          fitting.submit(
              () -> {
                ModelValidation.Result result =
                    timed("scorecard validation", () -> validation.validate(validScored));
                return new ScorecardCheck(
                    result,
                    protectedGroups.isEmpty()
                        ? null
                        : new FairnessCheck(LABEL, PD, result.decision().cutoff())
                            .check(validScored, protectedGroups));
              });
      Future<List<BalanceTrial>> trials =
          fitting.submit(() -> balanceTrials(binning, train, validWoe));
      Concurrent concurrent =
          new Concurrent(scorecardCheck, challengerFits, ruleResult, trials, crossValidation);
      fitting.scorecard(
          binning,
          card,
          trainCounts[0] + validCounts[0],
          () -> collect(binning, card, modelled, trainCounts, validCounts, concurrent));
      return fitting;
    } catch (RuntimeException e) {
      fitting.close();
      throw e;
    }
  }

  /** The steps that run beside the caller's next steps, in the order the report lists them. */
  private record Concurrent(
      Future<ScorecardCheck> scorecard,
      Map<Challenger, Future<ChallengerFit>> challengers,
      Future<ModelValidation.Result> ruleScore,
      Future<List<BalanceTrial>> balanceTrials,
      Future<CrossValidation> crossValidation) {}

  /** Waits for the concurrent steps and puts the fitted models and their report together. */
  private Fitted collect(
      WoeBinningModel binning,
      ScorecardRegression.Card card,
      Features features,
      long[] trainCounts,
      long[] validCounts,
      Concurrent concurrent) {
    ScorecardCheck scorecardCheck = joined(concurrent.scorecard());
    List<ModelReport> models = new ArrayList<>();
    models.add(
        new ModelReport(
            SCORECARD,
            "weights of evidence of " + card.kept().size() + " features",
            scorecardCheck.validation()));
    Map<String, PipelineModel> challengers = new LinkedHashMap<>();
    for (Map.Entry<Challenger, Future<ChallengerFit>> e : concurrent.challengers().entrySet()) {
      ChallengerFit fit = joined(e.getValue());
      challengers.put(e.getKey().key(), fit.model());
      models.add(
          new ModelReport(
              e.getKey().key(), "raw features (" + features.all().size() + ")", fit.validation()));
    }
    models.add(
        new ModelReport(
            RULE_SCORE,
            "credit_score (its PD is its place in the score range: ranking measures only)",
            joined(concurrent.ruleScore())));
    List<FeatureIv> ivs = new ArrayList<>();
    for (FeatureBins t : binning.tables()) {
      ScorecardRegression.Dropped left = card.dropped().get(t.feature());
      String status =
          t.iv() < binning.minIv()
              ? "low_iv"
              : t.iv() > binning.maxIv()
                  ? "suspected_leak"
                  : card.kept().contains(t.feature()) ? "kept" : left.status();
      double coefficient =
          card.scorecard().features().stream()
              .filter(f -> f.feature().equals(t.feature()))
              .mapToDouble(Scorecard.Feature::coefficient)
              .findFirst()
              .orElse(0);
      ivs.add(
          new FeatureIv(
              t.feature(), t.iv(), status, coefficient, left == null ? null : left.note()));
    }
    Report report =
        new Report(
            settings.label(),
            String.format(
                "by a hash of customer_id: %.0f %% held out", 100 * settings.validationShare()),
            trainCounts[0],
            trainCounts[1],
            validCounts[0],
            validCounts[1],
            settings.balance(),
            false,
            ivs,
            models,
            joined(concurrent.balanceTrials()),
            concurrent.crossValidation() == null ? null : joined(concurrent.crossValidation()),
            scorecardCheck.fairness());
    return new Fitted(
        binning.keeping(card.kept()), binning.tables(), card.scorecard(), challengers, report);
  }

  /**
   * With balance = none and compare-balance on: the same scorecard fitted with the other balance
   * settings, and what they would change.
   */
  private List<BalanceTrial> balanceTrials(
      WoeBinningModel binning, Dataset<Row> train, Dataset<Row> validWoe) {
    List<BalanceTrial> trials = new ArrayList<>();
    if (settings.compareBalance() && settings.balance() == Balance.NONE) {
      for (Balance b : List.of(Balance.WEIGHTS, Balance.OVERSAMPLE)) {
        ScorecardRegression.Card other =
            regression().fit(binning, balanced(binning.transform(train), b).coalesce(1));
        Dataset<Row> scored = validWoe.withColumn(PD, other.scorecard().probability());
        double brier =
            scored
                .agg(
                    org.apache.spark.sql.functions.avg(
                        org.apache.spark.sql.functions.pow(col(PD).minus(col(LABEL)), 2)))
                .first()
                .getDouble(0);
        trials.add(new BalanceTrial(b, auc(scored), brier));
      }
      LOG.info("Supervised: balance trials {}", trials);
    }
    return trials;
  }

  /**
   * A fit in progress: the scorecard, once {@link RiskModels#fit} has returned, and the rest on its
   * own threads until {@link #finish()}. {@link #close()} cancels whatever is still running and
   * releases the persisted training and held-out parts.
   */
  public static final class Fitting implements AutoCloseable {
    private final SparkSession spark;
    private final Dataset<Row> train;
    private final Dataset<Row> valid;
    private final ExecutorService pool;
    private final String jobGroup = "creditseg-supervised-" + UUID.randomUUID();
    private final AtomicLong lastDone = new AtomicLong();
    private long scorecardDone;
    private long rows;
    private WoeBinningModel binning;
    private Scorecard scorecard;
    private Supplier<Fitted> rest;
    private Fitted fitted;

    private Fitting(
        SparkSession spark, Dataset<Row> train, Dataset<Row> valid, ExecutorService pool) {
      this.spark = spark;
      this.train = train;
      this.valid = valid;
      this.pool = pool;
    }

    /** Runs {@code step} on the fitting's threads, its Spark jobs in the fitting's job group. */
    private <T> Future<T> submit(Callable<T> step) {
      return pool.submit(
          () -> {
            spark.sparkContext().setJobGroup(jobGroup, "creditseg supervised models", true);
            try {
              return step.call();
            } finally {
              lastDone.accumulateAndGet(System.nanoTime(), Math::max);
            }
          });
    }

    private void scorecard(
        WoeBinningModel binning, ScorecardRegression.Card card, long rows, Supplier<Fitted> rest) {
      this.binning = binning.keeping(card.kept());
      this.rows = rows;
      this.scorecard = card.scorecard();
      this.rest = rest;
      this.scorecardDone = System.nanoTime();
    }

    /** The scorecard's features' bins. */
    public WoeBinningModel binning() {
      return binning;
    }

    public Scorecard scorecard() {
      return scorecard;
    }

    /** The training and held-out parts this fitting persists (for tests). */
    List<Dataset<Row>> persisted() {
      return List.of(train, valid);
    }

    /** The labelled customers: the training and the held-out part. */
    public long rows() {
      return rows;
    }

    /**
     * Waits for the challengers and validations and returns everything fitted; a failure of any of
     * them is rethrown as it was.
     */
    public Fitted finish() {
      if (fitted == null) {
        fitted = rest.get();
      }
      return fitted;
    }

    /**
     * Seconds the concurrent steps went on after the scorecard was fitted (call after {@link
     * #finish()}); 0 when they were done by then.
     */
    public double secondsAfterScorecard() {
      return Math.max(0, lastDone.get() - scorecardDone) / 1e9;
    }

    /**
     * Cancels whatever still runs (unless {@link #finish()} returned), waits for the fitting's
     * threads to end and releases the training and held-out parts.
     */
    @Override
    public void close() {
      if (fitted == null) {
        spark
            .sparkContext()
            .cancelJobGroupAndFutureJobs(
                jobGroup, "the run ended before the supervised models were finished");
      }
      pool.shutdownNow();
      try {
        if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
          LOG.warn("Supervised models: a step still runs two minutes after its cancellation");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        train.unpersist();
        valid.unpersist();
      }
    }
  }

  /** The scorecard's held-out validation and, with protected groups, their approval rates. */
  private record ScorecardCheck(ModelValidation.Result validation, FairnessCheck.Report fairness) {}

  /** A challenger fitted on the training part and validated on the held-out part. */
  private record ChallengerFit(PipelineModel model, ModelValidation.Result validation) {}

  /** A concurrent step's result, its failure rethrown as it was. */
  private static <T> T joined(Future<T> step) {
    return SideBySide.joined(step, "the supervised models");
  }

  /** Runs {@code step}, logging how long it took. */
  private static <T> T timed(String what, Supplier<T> step) {
    long start = System.nanoTime();
    T result = step.get();
    LOG.info(
        "Supervised: {} in {} s", what, String.format("%.1f", (System.nanoTime() - start) / 1e9));
    return result;
  }

  /** {rows, events}. */
  private static long[] counts(Dataset<Row> data) {
    Row r =
        data.agg(
                org.apache.spark.sql.functions.count(lit(1)),
                org.apache.spark.sql.functions.sum(col(LABEL)))
            .first();
    return new long[] {r.getLong(0), r.isNullAt(1) ? 0 : Math.round(r.getDouble(1))};
  }

  /** The training part as the models see it under {@code balance}. */
  private static Dataset<Row> balanced(Dataset<Row> train, Balance balance) {
    if (balance == Balance.NONE) {
      return train;
    }
    long[] c = counts(train);
    double ratio = (double) (c[0] - c[1]) / c[1];
    if (balance == Balance.WEIGHTS) {
      return train.withColumn(WEIGHT, when(col(LABEL).equalTo(1), ratio).otherwise(1.0));
    }
    Dataset<Row> defaulters = train.filter(col(LABEL).equalTo(1));
    return ratio > 1 ? train.union(defaulters.sample(true, ratio - 1, SEED)) : train;
  }

  /** The weight-of-evidence binning of {@code train}'s features. */
  private WoeBinningModel binning(Dataset<Row> train, Features features) {
    return timed(
        "binning",
        () ->
            new WoeBinning(
                    settings.label(),
                    features.numeric(),
                    features.categorical(),
                    settings.binning())
                .fit(train));
  }

  private ScorecardRegression regression() {
    return new ScorecardRegression(LABEL, WEIGHT, settings.points());
  }

  /** The scorecard fitted on {@code train} with the configured balance. */
  private ScorecardRegression.Card card(WoeBinningModel binning, Dataset<Row> train) {
    // One partition: the regression's gradient sums are merged on the driver in the order its
    // tasks finish, so over several partitions (the oversampled copies are a second one) two runs
    // of the same input could differ in the last bits of every probability. The sample is
    // bounded, and each iteration is a small job either way.
    return timed(
        "scorecard regression",
        () ->
            regression()
                .fit(binning, balanced(binning.transform(train), settings.balance()).coalesce(1)));
  }

  /** The features as the tree challengers see them: missing numbers as {@value #MISSING}. */
  private static Dataset<Row> raw(Dataset<Row> data, Features features) {
    Map<String, Column> filled = new LinkedHashMap<>();
    for (String c : features.numeric()) {
      Column x = col(c).cast("double");
      filled.put(
          c, when(x.isNull().or(org.apache.spark.sql.functions.isnan(x)), MISSING).otherwise(x));
    }
    return data.withColumns(filled);
  }

  private Pipeline challenger(Challenger kind, Features features) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> inputs = new ArrayList<>(features.numeric());
    if (!features.categorical().isEmpty()) {
      String[] indexed =
          features.categorical().stream().map(c -> "_idx_" + c).toArray(String[]::new);
      stages.add(
          new StringIndexer()
              .setInputCols(features.categorical().toArray(String[]::new))
              .setOutputCols(indexed)
              .setHandleInvalid("keep"));
      inputs.addAll(List.of(indexed));
    }
    stages.add(
        new VectorAssembler().setInputCols(inputs.toArray(String[]::new)).setOutputCol("_raw"));
    ProbabilisticClassifier<?, ?, ?> classifier =
        switch (kind) {
          case RANDOM_FOREST ->
              new RandomForestClassifier()
                  .setNumTrees(50)
                  .setMaxDepth(6)
                  .setMinInstancesPerNode(20)
                  .setSeed(SEED);
          case GRADIENT_BOOSTED_TREES ->
              new GBTClassifier().setMaxIter(20).setMaxDepth(4).setStepSize(0.1).setSeed(SEED);
        };
    classifier.setLabelCol(LABEL).setFeaturesCol("_raw").setProbabilityCol("_probability");
    if (settings.balance() == Balance.WEIGHTS) {
      if (classifier instanceof RandomForestClassifier rf) {
        rf.setWeightCol(WEIGHT);
      } else if (classifier instanceof GBTClassifier gbt) {
        gbt.setWeightCol(WEIGHT);
      }
    }
    stages.add(classifier);
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /** The challenger's probability of default as {@code _pd}. */
  static Dataset<Row> probability(PipelineModel model, Dataset<Row> data) {
    return model
        .transform(data)
        .withColumn(
            PD,
            org.apache
                .spark
                .ml
                .functions
                .vector_to_array(col("_probability"), "float64")
                .getItem(1));
  }

  /** The ROC AUC of {@code _pd} (one MLlib evaluation: where the full validation is not needed). */
  private static double auc(Dataset<Row> scored) {
    return new BinaryClassificationEvaluator()
        .setLabelCol(LABEL)
        .setRawPredictionCol(PD)
        .setMetricName("areaUnderROC")
        .evaluate(scored);
  }

  /** The scorecard fitted on all folds but one and its AUC on that one, for each fold. */
  private CrossValidation crossValidate(Dataset<Row> data, Features features) {
    int folds = settings.crossValidationFolds();
    Column fold = HoldoutSplit.fold(folds);
    List<Double> aucs = new ArrayList<>();
    for (int k = 0; k < folds; k++) {
      Dataset<Row> train = data.filter(fold.notEqual(k));
      Dataset<Row> test = data.filter(fold.equalTo(k));
      WoeBinningModel binning = binning(train, features);
      ScorecardRegression.Card card = card(binning, train);
      aucs.add(auc(binning.transform(test).withColumn(PD, card.scorecard().probability())));
    }
    return new CrossValidation(
        folds,
        List.copyOf(aucs),
        aucs.stream().mapToDouble(Double::doubleValue).average().orElse(0));
  }
}
