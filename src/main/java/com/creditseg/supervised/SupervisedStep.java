package com.creditseg.supervised;

import com.creditseg.config.SupervisedSettings;
import com.creditseg.metrics.StageTimer;
import com.creditseg.sample.HoldoutSplit;
import com.creditseg.sample.IdHashSample;
import com.creditseg.schema.InputContractException;
import com.creditseg.score.CreditScorer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervised models of a run, as two timed stages: {@code supervised} fits the scorecard on the
 * labelled customers of their id-hash sample, and the challengers and held-out validations go on
 * beside the run's next stages until {@code models} ({@link #finish}) waits for them. Closing it
 * releases what it persisted.
 */
public final class SupervisedStep implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SupervisedStep.class);

  private final SupervisedSettings settings;
  private final RiskModels.Fitting models;
  private final Dataset<Row> labelled;

  private SupervisedStep(
      SupervisedSettings settings, RiskModels.Fitting models, Dataset<Row> labelled) {
    this.settings = settings;
    this.models = models;
    this.labelled = labelled;
  }

  /**
   * Whether a run fits supervised models: model.supervised.enabled, and whether the input has the
   * label (required when enabled = true).
   */
  public static boolean wanted(SupervisedSettings s, Dataset<Row> customers) {
    boolean hasLabel = List.of(customers.columns()).contains(s.label());
    return switch (s.enabled()) {
      case OFF -> false;
      case AUTO -> hasLabel;
      case ON -> {
        if (!hasLabel) {
          throw new InputContractException(
              "model.supervised.enabled = true, but the input has no label column '"
                  + s.label()
                  + "': map one (input.mapping.columns."
                  + s.label()
                  + ") or set model.supervised.enabled = auto");
        }
        yield true;
      }
    };
  }

  /**
   * Fits the scorecard (stage {@code supervised}) and starts the challengers, on the labelled
   * customers of {@code sample}, scored by {@code scorer}. With model.supervised.enabled = auto, a
   * label the models cannot learn from (one class only, too few of a class to hold out) skips them
   * with a warning and the run goes on to segment: auto means "when it can"; with enabled = true it
   * stops the run (exit 2).
   *
   * @param sample the id-hash sample the models learn from
   * @param cleanSample its valid, cleaned customers
   */
  public static Optional<SupervisedStep> fitIfUsable(
      StageTimer timer,
      SupervisedSettings s,
      Set<String> protectedAttributes,
      CreditScorer scorer,
      IdHashSample sample,
      Dataset<Row> cleanSample,
      Consumer<String> warn) {
    try {
      return Optional.of(fit(timer, s, protectedAttributes, scorer, sample, cleanSample));
    } catch (UnusableLabelException e) {
      if (s.enabled() != SupervisedSettings.Enabled.AUTO) {
        throw e;
      }
      warn.accept(
          e.getMessage()
              + "; the supervised models were skipped (model.supervised.enabled = auto)");
      return Optional.empty();
    }
  }

  private static SupervisedStep fit(
      StageTimer timer,
      SupervisedSettings s,
      Set<String> protectedAttributes,
      CreditScorer scorer,
      IdHashSample sample,
      Dataset<Row> cleanSample) {
    // In a layout that depends on neither the input's partitioning nor the cores (the forest's
    // bootstrap draws per partition) and has few partitions: every tree level, boosting round and
    // regression step is a job whose every task deserialises its closure and sizes its cached
    // block, a large share of this stage's CPU with the input's partitions.
    Dataset<Row> labelled =
        IdHashSample.stableLayout(
                scorer.score(cleanSample).filter(functions.col(s.label()).isNotNull()),
                Math.min(sample.rows(), sample.target()))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      RiskModels.Features features = RiskModels.features(labelled.schema(), s, protectedAttributes);
      List<String> groups =
          protectedAttributes.stream()
              .filter(List.of(labelled.columns())::contains)
              .sorted()
              .toList();
      RiskModels.Fitting fitting =
          timer.time(
              "supervised",
              () ->
                  new RiskModels(s)
                      .fit(labelled, features, scorer.card().min(), scorer.card().max(), groups),
              RiskModels.Fitting::rows);
      return new SupervisedStep(s, fitting, labelled);
    } catch (RuntimeException e) {
      labelled.unpersist();
      throw e;
    }
  }

  /**
   * The label of the training customers as a double, null for the held-out ones: what may order the
   * segments without showing them the held-out customers.
   */
  public static Column trainingLabel(SupervisedSettings s) {
    return functions
        .when(
            new HoldoutSplit(s.validationShare()).isValidation(),
            functions.lit(null).cast("double"))
        .otherwise(functions.col(s.label()).cast("double"));
  }

  /** The scorecard as the run applies it: points, probability and reason codes per customer. */
  public ScorecardModel scorecardModel() {
    return new ScorecardModel(
        settings.label(), models.binning().tables(), models.scorecard(), settings.maxReasonCodes());
  }

  /**
   * models: waits for what the supervised models still had running (the challengers and the
   * held-out validations, concurrent with the run's fit, segment and profile), logs their figures
   * and warns about unfair cutoffs and suspected leaks. Not timed here: the caller times it with
   * the writing of its tables.
   */
  public RiskModels.Fitted finish(Consumer<String> warn) {
    RiskModels.Fitted fitted = models.finish();
    RiskModels.Report r = fitted.report();
    LOG.info(
        "Supervised: challengers and validations went on {} s after the scorecard",
        String.format(Locale.ROOT, "%.1f", models.secondsAfterScorecard()));
    LOG.info(
        "Scorecard: held-out ROC AUC {} (rule score {}), KS {}, on {} customers; features kept {}",
        String.format(Locale.ROOT, "%.4f", r.scorecard().rocAuc()),
        String.format(Locale.ROOT, "%.4f", ruleScore(r).validation().rocAuc()),
        String.format(Locale.ROOT, "%.4f", r.scorecard().ks()),
        r.validationRows(),
        fitted.scorecard().features().stream().map(f -> f.feature()).toList());
    fairnessWarnings(r.fairness()).forEach(warn);
    r.features().stream()
        .filter(f -> f.status().equals("suspected_leak"))
        .forEach(
            f ->
                warn.accept(
                    String.format(
                        Locale.ROOT,
                        "%s: dropped from every supervised model as a suspected leak of the"
                            + " label (information value %.2f, above model.supervised.max-iv ="
                            + " %s): a copy of the label or a column written after the outcome",
                        f.feature(),
                        f.iv(),
                        settings.binning().maxIv())));
    return fitted;
  }

  private static RiskModels.ModelReport ruleScore(RiskModels.Report r) {
    return r.models().stream()
        .filter(m -> m.model().equals(RiskModels.RULE_SCORE))
        .findFirst()
        .orElseThrow();
  }

  /** One warning for each protected attribute whose adverse impact ratio is below four fifths. */
  private static List<String> fairnessWarnings(FairnessCheck.Report fairness) {
    if (fairness == null) {
      return List.of();
    }
    return fairness.attributes().stream()
        .filter(FairnessCheck.Attribute::belowFourFifths)
        .map(
            a ->
                String.format(
                    Locale.ROOT,
                    "%s: the scorecard approves group '%s' at %.2f times the rate of group '%s' at"
                        + " its cutoff, below the four-fifths rule (held-out customers; the"
                        + " report's fairness table has every group)",
                    a.attribute(),
                    a.lowestGroup(),
                    a.adverseImpactRatio(),
                    a.highestGroup()))
        .toList();
  }

  @Override
  public void close() {
    models.close();
    labelled.unpersist();
  }
}
