package com.creditseg.supervised;

import static com.creditseg.supervised.TrainingPart.LABEL;
import static com.creditseg.supervised.TrainingPart.PD;
import static org.apache.spark.sql.functions.col;

import com.creditseg.concurrent.CancellableSteps;
import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Balance;
import com.creditseg.config.SupervisedSettings.Challenger;
import com.creditseg.sample.HoldoutSplit;
import com.creditseg.supervised.RiskValidation.ScorecardCheck;
import com.creditseg.supervised.TrainingPart.Counts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits and validates the supervised risk models on labelled customers: a points {@link Scorecard}
 * on {@link WoeBinning} columns (logistic regression, {@link ScorecardTraining}), and random-forest
 * and gradient-boosted-tree {@link Challengers} on the raw features, each fitted on the training
 * part of a {@link HoldoutSplit} and validated ({@link RiskValidation}) on the held-out part,
 * beside the rule score. The models returned are the ones fitted on the training part: they are not
 * refitted on all labelled customers, so the validation describes exactly the models that score.
 *
 * <p>The scorecard's regression keeps only features whose coefficient has the sign the WoE implies
 * (a higher WoE, safer): with a wrong sign (collinearity), the weaker by information value of the
 * feature and its most correlated partner leaves and the regression is refitted ({@link
 * ScorecardRegression}).
 *
 * <p>Reads {@code customer_id}, the label, {@code credit_score} and the features. The tree
 * challengers ({@link Challengers}) see the raw features, categories indexed (unseen ones to an
 * index of their own).
 */
public final class RiskModels {
  private static final Logger LOG = LoggerFactory.getLogger(RiskModels.class);

  public static final String SCORECARD = "scorecard";
  public static final String RULE_SCORE = "rule-score";

  private final SupervisedSettings settings;
  private final ScorecardTraining training;
  private final Challengers challengers;
  private final RiskValidation validation;

  public RiskModels(SupervisedSettings settings) {
    this.settings = settings;
    this.training = new ScorecardTraining(settings);
    this.challengers = new Challengers(settings);
    this.validation = new RiskValidation(settings, training);
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
    return OfferedFeatures.of(schema, settings, protectedAttributes);
  }

  /**
   * The fitted models and what their validation found: {@code binning} holds the scorecard's
   * features only, {@code allTables} every offered feature's bins.
   */
  public record Fitted(
      WoeBinningModel binning,
      List<FeatureBins> allTables,
      Scorecard scorecard,
      Map<String, ChallengerModel> challengers,
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
    Dataset<Row> data = labelled.withColumn(LABEL, col(settings.label()).cast("double"));
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
            train,
            valid,
            new CancellableSteps(
                data.sparkSession(), "creditseg-supervised", "the supervised models"));
    try {
      Sizes sizes = sizes(train, valid);
      // Binned first: a feature that gives the label away (suspected_leak) is dropped from the
      // challengers too, which would otherwise score it perfectly.
      WoeBinningModel binning = training.binning(train, features);
      Features modelled = features.without(leaks(binning));
      Map<Challenger, Future<ChallengerFit>> challengerFits =
          submitChallengers(fitting, modelled, train, valid);
      Future<CrossValidation> crossValidation =
          sizes.rows() < settings.crossValidateBelowRows()
              ? fitting.submit(() -> validation.crossValidate(data, features))
              : null;
      Future<ModelValidation.Result> ruleScore =
          fitting.submit(() -> validation.ruleScore(valid, scoreMin, scoreMax));

      ScorecardRegression.Card card = training.card(binning, train);
      Dataset<Row> validWoe = binning.transform(valid);
      Dataset<Row> validScored = validWoe.withColumn(PD, card.scorecard().probability());
      Future<ScorecardCheck> scorecardCheck =
          fitting.submit(() -> validation.scorecard(validScored, protectedGroups));
      Future<List<BalanceTrial>> trials =
          fitting.submit(() -> validation.balanceTrials(binning, train, validWoe));
      Concurrent concurrent =
          new Concurrent(scorecardCheck, challengerFits, ruleScore, trials, crossValidation);
      fitting.scorecard(
          binning,
          card,
          sizes.rows(),
          () -> collect(fitting, binning, card, modelled, sizes, concurrent));
      return fitting;
    } catch (RuntimeException e) {
      fitting.close();
      throw e;
    }
  }

  /** Each configured challenger fitted and validated on the fitting's threads, in their order. */
  private Map<Challenger, Future<ChallengerFit>> submitChallengers(
      Fitting fitting, Features features, Dataset<Row> train, Dataset<Row> valid) {
    Map<Challenger, Future<ChallengerFit>> fits = new LinkedHashMap<>();
    for (Challenger c : features.all().isEmpty() ? List.<Challenger>of() : settings.challengers()) {
      fits.put(
          c,
          fitting.submit(
              () -> {
                ChallengerModel model = challengers.fit(c, features, train);
                return new ChallengerFit(model, validation.challenger(c.key(), model, valid));
              }));
    }
    return fits;
  }

  /** The training and the held-out part's counts. */
  private record Sizes(Counts train, Counts valid) {
    long rows() {
      return train.rows() + valid.rows();
    }
  }

  /** Counts the training and held-out parts; each must hold both classes. */
  private Sizes sizes(Dataset<Row> train, Dataset<Row> valid) {
    Counts t = TrainingPart.counts(train);
    Counts v = TrainingPart.counts(valid);
    if (!t.bothClasses()) {
      throw new UnusableLabelException(
          String.format(
              "Cannot fit supervised models: the %d training customers have %d defaulters on"
                  + " the label '%s'; both classes are needed (model.supervised.enabled = false"
                  + " turns the models off)",
              t.rows(), t.events(), settings.label()));
    }
    if (!v.bothClasses()) {
      throw new UnusableLabelException(
          String.format(
              "Cannot validate supervised models: the %d held-out customers have %d defaulters"
                  + " on the label '%s'; both classes are needed",
              v.rows(), v.events(), settings.label()));
    }
    LOG.info(
        "Supervised models: {} training customers ({} defaulted), {} held out ({} defaulted)",
        t.rows(),
        t.events(),
        v.rows(),
        v.events());
    return new Sizes(t, v);
  }

  /** The features whose information value gives the label away (above max-iv). */
  private Set<String> leaks(WoeBinningModel binning) {
    Set<String> leaks = new TreeSet<>();
    binning.leaks().forEach(t -> leaks.add(t.feature()));
    if (!leaks.isEmpty()) {
      LOG.warn(
          "Supervised: {} dropped from every model as suspected leaks of the label: information"
              + " value above model.supervised.max-iv = {}",
          leaks,
          settings.binning().maxIv());
    }
    return leaks;
  }

  /** A challenger fitted on the training part and validated on the held-out part. */
  private record ChallengerFit(ChallengerModel model, ModelValidation.Result validation) {}

  /** The steps that run beside the caller's next steps, in the order the report lists them. */
  private record Concurrent(
      Future<ScorecardCheck> scorecard,
      Map<Challenger, Future<ChallengerFit>> challengers,
      Future<ModelValidation.Result> ruleScore,
      Future<List<BalanceTrial>> balanceTrials,
      Future<CrossValidation> crossValidation) {}

  /** Waits for the concurrent steps and puts the fitted models and their report together. */
  private Fitted collect(
      Fitting fitting,
      WoeBinningModel binning,
      ScorecardRegression.Card card,
      Features features,
      Sizes sizes,
      Concurrent concurrent) {
    ScorecardCheck scorecardCheck = fitting.join(concurrent.scorecard());
    List<ModelReport> models = new ArrayList<>();
    models.add(
        new ModelReport(
            SCORECARD,
            "weights of evidence of " + card.kept().size() + " features",
            scorecardCheck.validation()));
    Map<String, ChallengerModel> fitted = new LinkedHashMap<>();
    for (Map.Entry<Challenger, Future<ChallengerFit>> e : concurrent.challengers().entrySet()) {
      ChallengerFit fit = fitting.join(e.getValue());
      fitted.put(e.getKey().key(), fit.model());
      models.add(
          new ModelReport(
              e.getKey().key(), "raw features (" + features.all().size() + ")", fit.validation()));
    }
    models.add(
        new ModelReport(
            RULE_SCORE,
            "credit_score (its PD is its place in the score range: ranking measures only)",
            fitting.join(concurrent.ruleScore())));
    Report report =
        new Report(
            settings.label(),
            String.format(
                "by a hash of customer_id: %.0f %% held out", 100 * settings.validationShare()),
            sizes.train().rows(),
            sizes.train().events(),
            sizes.valid().rows(),
            sizes.valid().events(),
            settings.balance(),
            false,
            featureIvs(binning, card),
            models,
            fitting.join(concurrent.balanceTrials()),
            concurrent.crossValidation() == null
                ? null
                : fitting.join(concurrent.crossValidation()),
            scorecardCheck.fairness());
    return new Fitted(
        binning.keeping(card.kept()), binning.tables(), card.scorecard(), fitted, report);
  }

  /** Every offered feature's information value, and whether and why the scorecard kept it. */
  private static List<FeatureIv> featureIvs(
      WoeBinningModel binning, ScorecardRegression.Card card) {
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
    return ivs;
  }

  /**
   * A fit in progress: the scorecard, once {@link RiskModels#fit} has returned, and the rest on its
   * own threads until {@link #finish()}. {@link #close()} cancels whatever is still running and
   * releases the persisted training and held-out parts.
   */
  public static final class Fitting implements AutoCloseable {
    private final Dataset<Row> train;
    private final Dataset<Row> valid;
    private final CancellableSteps steps;
    private long scorecardDone;
    private long rows;
    private WoeBinningModel binning;
    private Scorecard scorecard;
    private Supplier<Fitted> rest;
    private Fitted fitted;

    private Fitting(Dataset<Row> train, Dataset<Row> valid, CancellableSteps steps) {
      this.train = train;
      this.valid = valid;
      this.steps = steps;
    }

    /** Runs {@code step} on the fitting's threads, its Spark jobs in the fitting's job group. */
    private <T> Future<T> submit(Callable<T> step) {
      return steps.submit(step);
    }

    /** A concurrent step's result, its failure rethrown as it was. */
    private <T> T join(Future<T> step) {
      return steps.join(step);
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
      return Math.max(0, steps.lastDoneNanos() - scorecardDone) / 1e9;
    }

    /**
     * Cancels whatever still runs (unless {@link #finish()} returned), waits for the fitting's
     * threads to end and releases the training and held-out parts.
     */
    @Override
    public void close() {
      if (fitted == null) {
        steps.cancel("the run ended before the supervised models were finished");
      }
      try {
        steps.close();
      } finally {
        train.unpersist();
        valid.unpersist();
      }
    }
  }
}
