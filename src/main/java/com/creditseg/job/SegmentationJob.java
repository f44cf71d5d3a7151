package com.creditseg.job;

import com.creditseg.config.ScoreSettings;
import com.creditseg.config.Settings;
import com.creditseg.config.StabilitySettings;
import com.creditseg.config.SupervisedSettings;
import com.creditseg.io.CustomerReader;
import com.creditseg.io.RunOutput;
import com.creditseg.metrics.Platform;
import com.creditseg.metrics.RunMetrics;
import com.creditseg.metrics.StageTimer;
import com.creditseg.model.ModelManifest;
import com.creditseg.model.Population;
import com.creditseg.model.RunModel;
import com.creditseg.model.Versions;
import com.creditseg.profile.SegmentProfiler;
import com.creditseg.quality.CustomerValidator;
import com.creditseg.quality.Duplicates;
import com.creditseg.quality.QualityReport;
import com.creditseg.report.HtmlReport;
import com.creditseg.sample.IdHashSample;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.Repair;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreCard;
import com.creditseg.segment.RiskOrder;
import com.creditseg.segment.SegmentDistanceScore;
import com.creditseg.segment.SegmentModel;
import com.creditseg.segment.Segmenter;
import com.creditseg.stability.PopulationStability;
import com.creditseg.stability.PreviousRun;
import com.creditseg.stability.RunComparison;
import com.creditseg.stability.SegmentContinuity;
import com.creditseg.supervised.FairnessCheck;
import com.creditseg.supervised.HoldoutSplit;
import com.creditseg.supervised.ModelTables;
import com.creditseg.supervised.RiskModels;
import com.creditseg.supervised.ScorecardModel;
import com.creditseg.supervised.UnusableLabelException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code run} subcommand: read → validate and clean → credit score → segment → profile → write
 * → HTML report, committing {@code <output.path>/run_date=<run.date>/} atomically. Checks {@code
 * rows_in = rows_out + rows_quarantined + rows_deduplicated} on every run.
 *
 * <p>The data path is shaped for few passes over the input and nothing on the driver that grows
 * with it. The input is read lazily and never cached whole:
 *
 * <ol>
 *   <li>read: the mapped input and its row count (Parquet footers, or one scan of a CSV);
 *   <li>validate: the duplicated ids (a scan of the id column), one id-hash sample persisted for
 *       the imputation medians and the fit, then one pass that flags every row, writes the
 *       quarantine and counts statuses and repairs on the way ({@code Dataset.observe});
 *   <li>fit: score the sample's valid rows, fit the segmentation on them;
 *   <li>segment: one pass that flags, scores, assigns and writes every valid customer;
 *   <li>profile and report: from the written, columnar outputs, reading only the columns needed.
 * </ol>
 */
public final class SegmentationJob {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentationJob.class);

  private final SparkSession spark;
  private final Settings settings;

  /** Set by {@code score}: the model applied instead of fitting one. */
  private final RunModel applied;

  /** What the run tells its reader beside the results: logged, in metrics.json and the report. */
  private final List<String> warnings = new ArrayList<>();

  public SegmentationJob(SparkSession spark, Settings settings) {
    this(spark, settings, null);
  }

  /**
   * With a model ({@code score}), the run applies it instead of fitting: its score card, its
   * imputation medians, its clipping ranges, centres and labels; no k search, no refit. Everything
   * else (reading, validation, quarantine, reconciliation, outputs, metrics, report) is the same.
   */
  public SegmentationJob(SparkSession spark, Settings settings, RunModel applied) {
    this.spark = spark;
    this.settings =
        applied == null ? settings.requireInputAndOutput() : withModel(settings, applied);
    this.applied = applied;
  }

  /**
   * The settings a model is applied with: the model's quality rules and score method replace the
   * configured ones (the mapping, paths and everything else stay the configuration's).
   */
  private static Settings withModel(Settings settings, RunModel model) {
    ModelManifest m = model.manifest();
    if (!m.mapping().equals(settings.input().mapping().name())) {
      LOG.warn(
          "The model was fitted on input mapped by '{}'; this input is mapped by '{}'",
          m.mapping(),
          settings.input().mapping().name());
    }
    ScoreSettings s = settings.score();
    return new Settings(
            settings.run(),
            settings.input(),
            settings.output(),
            settings.generate(),
            m.quality(),
            new ScoreSettings(
                s.min(),
                s.max(),
                s.maxReasonCodes(),
                s.protectedAttributes(),
                s.factors(),
                m.scoreMethod()),
            settings.segment(),
            settings.profile(),
            settings.stability(),
            settings.supervised())
        .requireInputAndOutput();
  }

  /** What the model bundle says about this run's model. */
  private ModelManifest manifest(
      ScoreCard card, ScorecardModel scorecard, Segmenter.Fit fit, CustomerReader.Input input) {
    Map<String, String> types = new TreeMap<>();
    Set<String> columns = new TreeSet<>(required());
    columns.addAll(card.inputColumns());
    if (scorecard != null) {
      columns.addAll(scorecard.inputColumns());
    }
    columns.addAll(features());
    columns.remove(CreditScorer.SCORE);
    for (String c : columns) {
      types.put(c, settings.input().mapping().typeOf(c).simpleString());
    }
    return new ModelManifest(
        Versions.SCHEMA,
        Versions.creditseg(),
        settings.run().date().toString(),
        settings.input().mapping().name(),
        settings.score().method(),
        List.copyOf(required()),
        types,
        settings.quality(),
        input.read(),
        input.sourceColumns(),
        applied != null ? applied.manifest().orderedBy() : orderedBy(fit));
  }

  /** The clustering features: the applied model's, or segment.features. */
  private List<String> features() {
    return applied != null ? applied.segments().features() : settings.segment().features();
  }

  public RunOutcome run() {
    String startedAt = Instant.now().toString();
    StageTimer timer = new StageTimer();
    // The output is opened first so that an output path that cannot be written fails at once.
    RunOutput output =
        new RunOutput(
            spark, settings.output().path(), settings.run().date(), settings.run().lockTimeout());
    CustomerReader.Input input = null;
    Validated validated = null;
    Dataset<Row> scoredSample = null;
    RiskFitting riskFitting = null;
    try {
      input = read(timer);
      input.warnings().forEach(warnings::add);
      ScoreCard card = applied != null ? applied.scoreCard() : scoreCard(input.customers());
      CustomerValidator validator =
          new CustomerValidator(settings.quality(), required(), settings.run().date().toString());
      IdHashSample supervisedSample =
          supervised(input.customers())
              ? new IdHashSample(input.rows(), settings.supervised().sampleRows())
              : null;
      validated = validate(timer, input, validator, output, supervisedSample);
      QualityReport quality = validated.quality();
      warnAboutImputation(quality);
      if (!quality.passed()) {
        RunMetrics metrics =
            metrics(
                RunMetrics.Status.FAILED_QUALITY,
                startedAt,
                input,
                0,
                quality,
                null,
                null,
                timer,
                null,
                null,
                null,
                null);
        output.writeJson("metrics.json", metrics);
        return new RunOutcome.FailedQuality(metrics, output.keepAsFailed());
      }
      CreditScorer scorer = new CreditScorer(spark, card);
      riskFitting =
          supervisedSample == null
              ? null
              : fitRiskModelsIfUsable(timer, validated, validator, scorer, supervisedSample);
      boolean riskModels = riskFitting != null;
      ScorecardModel scorecard =
          applied != null
              ? applied.scorecard()
              : !riskModels
                  ? null
                  : new ScorecardModel(
                      settings.supervised().label(),
                      riskFitting.models().binning().tables(),
                      riskFitting.models().scorecard(),
                      settings.supervised().maxReasonCodes());
      Scoring scoring = new Scoring(scorer, scorecard);
      scoredSample = scoredSample(validated, validator, scoring, riskModels);
      Segmenter.Fit fit =
          applied != null
              ? new Segmenter.Fit(applied.segments(), null)
              : fit(timer, validated, scoredSample, riskModels ? RISK_EVENT : null);
      // A score run is compared with the population its model was fitted on, unless told to
      // compare with a run.
      boolean againstTraining =
          applied != null
              && applied.population() != null
              && settings.stability().previousRun().equals(StabilitySettings.AUTO);
      Optional<PreviousRun> previous =
          againstTraining
              ? Optional.empty()
              : PreviousRun.find(
                  spark, settings.stability(), settings.output().path(), settings.run().date());
      RunComparison.Continuity continuity = null;
      if (applied == null && previous.isPresent()) {
        SegmentContinuity.Result matched = continueSegments(previous.get(), fit.model());
        fit = new Segmenter.Fit(matched.model(), fit.selection());
        continuity =
            new RunComparison.Continuity(
                matched.comparable(),
                matched.segments(),
                matched.retired(),
                matched.comparable()
                    ? null
                    : "the previous run clustered on other features or could not be read");
      }
      long rowsOut =
          segmentAndProfile(timer, input, validated, validator, scoring, fit, scoredSample, output);
      RiskOrder riskOrder =
          input.customers().columns().length > 0
                  && List.of(input.customers().columns()).contains(settings.supervised().label())
              ? riskOrder(fit, output)
              : null;
      RunComparison.Report stability =
          previous.isPresent()
              ? compare(timer, previous.get(), continuity, card, output)
              : againstTraining ? compareWithTraining(timer, output) : null;
      RiskModels.Fitted risk = riskModels ? finishRiskModels(timer, riskFitting, output) : null;

      RunMetrics metrics =
          metrics(
              RunMetrics.Status.SUCCEEDED,
              startedAt,
              input,
              rowsOut,
              quality,
              new RunMetrics.Score(
                  card.min(),
                  card.max(),
                  card.weights(),
                  card.droppedFactors(),
                  settings.score().method()),
              new RunMetrics.Segments(
                  features(), fit.model().labels().size(), fit.selection(), fit.model().labels()),
              timer,
              output.location(),
              stability,
              risk == null ? null : risk.report(),
              riskOrder);
      if (!metrics.rows().reconciled()) {
        throw new IllegalStateException("Row counts do not reconcile: " + metrics.rows());
      }
      output.writeJson("metrics.json", metrics);
      // The report reads the run's own outputs, so it comes last, from the staged files.
      timer.time(
          "report", () -> new HtmlReport(spark).write(output.stagingLocation()), page -> rowsOut);
      output.commit();
      LOG.info(
          "Run {} committed to {}: {} customers in {} segments, {} quarantined, {} deduplicated;"
              + " report {}/report/index.html",
          settings.run().date(),
          output.location(),
          rowsOut,
          fit.model().labels().size(),
          quality.rowsQuarantined(),
          quality.rowsDeduplicated(),
          output.location());
      if (stability != null
          && stability.significant()
          && settings.stability().failOnSignificant()) {
        return new RunOutcome.Shifted(metrics, timer.stages());
      }
      return new RunOutcome.Succeeded(metrics, timer.stages());
    } catch (Exception e) {
      // Exception, not RuntimeException: Spark throws its SparkException (checked in Java) from
      // a failed job undeclared, and a run that failed reading a file left its staging behind.
      output.abandon();
      throw e;
    } finally {
      if (validated != null) {
        validated.release();
      }
      if (scoredSample != null) {
        scoredSample.unpersist();
      }
      if (riskFitting != null) {
        riskFitting.close();
      }
      if (input != null) {
        input.release();
      }
    }
  }

  /**
   * What validation leaves for the later steps: the duplicated ids, the persisted id-hash sample
   * (medians and fit), the imputation medians and the quality report.
   */
  private record Validated(
      Duplicates duplicates,
      Dataset<Row> sampled,
      IdHashSample fitSample,
      Map<String, Double> medians,
      QualityReport quality) {
    /** The valid customers of {@code customers}, flagged and cleaned with this validation. */
    Dataset<Row> clean(CustomerValidator validator, Dataset<Row> customers) {
      return validator.valid(customers, medians, duplicates);
    }

    void release() {
      duplicates.release();
      sampled.unpersist();
    }
  }

  /**
   * read: the mapped input with its row count; lazy for Parquet, parsed once and kept on disk for
   * CSV ({@link CustomerReader#readParsedOnce}).
   */
  private CustomerReader.Input read(StageTimer timer) {
    CustomerReader.Input input =
        timer.time(
            "read",
            () ->
                new CustomerReader(spark, settings.input(), settings.run().date())
                    .readParsedOnce(presentBecause()),
            CustomerReader.Input::rows);
    if (input.rows() == 0) {
      input.release();
      throw new InputContractException("Input " + settings.input().path() + " has no rows");
    }
    sizeShufflePartitions(input.rows());
    interpretSmallInputs(input.rows());
    return input;
  }

  /**
   * The score card for the input's columns; factors without columns are dropped, with a warning.
   */
  private ScoreCard scoreCard(Dataset<Row> customers) {
    ScoreCard card = ScoreCard.forColumns(settings.score(), List.of(customers.columns()));
    if (!card.droppedFactors().isEmpty()) {
      LOG.warn(
          "Score factors {} have no columns in the input; their weight is spread over {}",
          card.droppedFactors(),
          card.factors().stream().map(f -> f.name()).toList());
    }
    return card;
  }

  /**
   * duplicates, medians, validate: the duplicated ids (a scan of the id column), one persisted
   * id-hash sample for the medians and the fit, then one pass that flags every row, writes the
   * quarantine and counts.
   */
  private Validated validate(
      StageTimer timer,
      CustomerReader.Input input,
      CustomerValidator validator,
      RunOutput output,
      IdHashSample supervisedSample) {
    Dataset<Row> customers = input.customers();
    long rowsIn = input.rows();
    validator.requireColumns(customers);
    IdHashSample medianSample = new IdHashSample(rowsIn, settings.quality().medianSampleRows());
    IdHashSample fitSample = new IdHashSample(rowsIn, settings.segment().fitSampleRows());
    Duplicates duplicates = timer.time("duplicates", () -> Duplicates.find(customers), d -> rowsIn);
    // An applied model brings its medians: only the profile's quartile sample is needed then.
    IdHashSample kept = applied != null ? fitSample : medianSample.union(fitSample);
    if (supervisedSample != null) {
      kept = kept.union(supervisedSample);
    }
    Dataset<Row> sample = kept.of(customers);
    // A CSV input kept on disk and sampled whole (a small one) is its own sample already.
    Dataset<Row> sampled =
        sample.storageLevel().equals(StorageLevel.NONE())
            ? sample.persist(StorageLevel.MEMORY_AND_DISK())
            : sample;
    try {
      Map<String, Double> medians =
          applied != null
              ? applied.medians()
              : timer.time(
                  "medians", () -> validator.medians(medianSample.of(sampled)), m -> rowsIn);
      QualityReport quality =
          timer.time(
              "validate",
              () -> quarantine(validator, customers, medians, duplicates, output),
              q -> rowsIn);
      return new Validated(duplicates, sampled, fitSample, medians, quality);
    } catch (RuntimeException e) {
      duplicates.release();
      sampled.unpersist();
      throw e;
    }
  }

  /**
   * The fit sample's valid customers, scored: what the segmentation is fitted on and the profile's
   * quartiles are computed from. Persisted (it is bounded by segment.fit-sample-rows), with the
   * columns those two read.
   */
  private Dataset<Row> scoredSample(
      Validated validated, CustomerValidator validator, Scoring scoring, boolean riskEvent) {
    Set<String> columns = new LinkedHashSet<>(features());
    columns.add(CreditScorer.SCORE);
    columns.add(CustomerSchema.CUSTOMER_ID);
    if (scoring.scorecard() != null) {
      // For the model bundle's population (the stability check's reference).
      columns.addAll(PopulationStability.MODEL_OUTPUTS);
    }
    List<Column> selected =
        new java.util.ArrayList<>(columns.stream().map(functions::col).toList());
    if (riskEvent) {
      // The segments are ordered by the default rate of the training customers only: the held-out
      // ones stay unseen by every fitted thing.
      selected.add(
          functions
              .when(
                  new HoldoutSplit(settings.supervised().validationShare()).isValidation(),
                  functions.lit(null).cast("double"))
              .otherwise(functions.col(settings.supervised().label()).cast("double"))
              .as(RISK_EVENT));
    }
    Dataset<Row> sample = validated.fitSample().of(validated.sampled());
    return scoring
        .score(validated.clean(validator, sample))
        .select(selected.toArray(Column[]::new))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** The sample's customers' training label, for ordering segments by default rate. */
  private static final String RISK_EVENT = "_risk_event";

  /** The rule score, then the scorecard's points and probability when there is a scorecard. */
  private record Scoring(CreditScorer rules, ScorecardModel scorecard) {
    Dataset<Row> score(Dataset<Row> clean) {
      Dataset<Row> scored = rules.score(clean);
      return scorecard == null ? scored : scorecard.score(scored);
    }
  }

  /**
   * Whether this run fits supervised models: model.supervised.enabled, and whether the input has
   * the label (required when enabled = true).
   */
  private boolean supervised(Dataset<Row> customers) {
    if (applied != null) {
      return false;
    }
    SupervisedSettings s = settings.supervised();
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
   * {@link #fitRiskModels}, except that with model.supervised.enabled = auto a label the models
   * cannot learn from (one class only, too few of a class to hold out) skips them with a warning
   * and the run goes on to segment: auto means "when it can". With enabled = true it stops the run
   * (exit 2).
   */
  private RiskFitting fitRiskModelsIfUsable(
      StageTimer timer,
      Validated validated,
      CustomerValidator validator,
      CreditScorer scorer,
      IdHashSample sample) {
    try {
      return fitRiskModels(timer, validated, validator, scorer, sample);
    } catch (UnusableLabelException e) {
      if (settings.supervised().enabled() != SupervisedSettings.Enabled.AUTO) {
        throw e;
      }
      warn(
          e.getMessage()
              + "; the supervised models were skipped (model.supervised.enabled = auto)");
      return null;
    }
  }

  /**
   * Names each column of which more than quality.warn-imputed-share of the valid rows were imputed:
   * past some share, the median stands for most of a column and changes what it means (a missing
   * "no account" imputed as the median account).
   */
  private void warnAboutImputation(QualityReport quality) {
    long rows = quality.rowsValid();
    if (rows == 0) {
      return;
    }
    String prefix = Repair.IMPUTED.on("");
    quality
        .repairsByColumn()
        .forEach(
            (token, count) -> {
              double share = (double) count / rows;
              if (token.startsWith(prefix) && share > settings.quality().warnImputedShare()) {
                String column = token.substring(prefix.length());
                warn(
                    String.format(
                        Locale.ROOT,
                        "%s: %.1f %% of the rows (%,d) had no usable value and were imputed,"
                            + " above quality.warn-imputed-share = %s; if a missing value means"
                            + " something (no account, none), map it to that value instead",
                        column,
                        100 * share,
                        count,
                        settings.quality().warnImputedShare()));
              }
            });
  }

  /** Names each protected attribute whose adverse impact ratio is below four fifths. */
  private void warnAboutFairness(FairnessCheck.Report fairness) {
    if (fairness == null) {
      return;
    }
    for (FairnessCheck.Attribute a : fairness.attributes()) {
      if (a.belowFourFifths()) {
        warn(
            String.format(
                Locale.ROOT,
                "%s: the scorecard approves group '%s' at %.2f times the rate of group '%s' at its"
                    + " cutoff, below the four-fifths rule (held-out customers; the report's"
                    + " fairness table has every group)",
                a.attribute(),
                a.lowestGroup(),
                a.adverseImpactRatio(),
                a.highestGroup()));
      }
    }
  }

  private void warn(String warning) {
    LOG.warn(warning);
    warnings.add(warning);
  }

  /**
   * supervised: the scorecard on the labelled customers of their id-hash sample. The challengers
   * and the held-out validations go on beside the next stages until {@link #finishRiskModels}.
   */
  private RiskFitting fitRiskModels(
      StageTimer timer,
      Validated validated,
      CustomerValidator validator,
      CreditScorer scorer,
      IdHashSample sample) {
    SupervisedSettings s = settings.supervised();
    // In a layout that depends on neither the input's partitioning nor the cores (the forest's
    // bootstrap draws per partition) and has few partitions: every tree level, boosting round and
    // regression step is a job whose every task deserialises its closure and sizes its cached
    // block, which with the input's 8 partitions at 10M was about a quarter of this stage's CPU.
    Dataset<Row> labelled =
        IdHashSample.stableLayout(
                scorer
                    .score(validated.clean(validator, sample.of(validated.sampled())))
                    .filter(functions.col(s.label()).isNotNull()),
                Math.min(sample.rows(), sample.target()))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Set<String> protectedAttributes = settings.score().protectedAttributes();
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
      return new RiskFitting(fitting, labelled);
    } catch (RuntimeException e) {
      labelled.unpersist();
      throw e;
    }
  }

  /**
   * models: waits for what the supervised models still had running (the challengers and the
   * held-out validations, concurrent with fit, segment and profile) and writes their tables to
   * models/.
   */
  private RiskModels.Fitted finishRiskModels(
      StageTimer timer, RiskFitting riskFitting, RunOutput output) {
    return timer.time(
        "models",
        () -> {
          RiskModels.Fitted fitted = riskFitting.models().finish();
          RiskModels.Report r = fitted.report();
          LOG.info(
              "Supervised: challengers and validations went on {} s after the scorecard",
              String.format("%.1f", riskFitting.models().secondsAfterScorecard()));
          LOG.info(
              "Scorecard: held-out ROC AUC {} (rule score {}), KS {}, on {} customers; features"
                  + " kept {}",
              String.format("%.4f", r.scorecard().rocAuc()),
              String.format(
                  "%.4f",
                  r.models().stream()
                      .filter(m -> m.model().equals(RiskModels.RULE_SCORE))
                      .findFirst()
                      .orElseThrow()
                      .validation()
                      .rocAuc()),
              String.format("%.4f", r.scorecard().ks()),
              r.validationRows(),
              fitted.scorecard().features().stream().map(f -> f.feature()).toList());
          warnAboutFairness(r.fairness());
          r.features().stream()
              .filter(f -> f.status().equals("suspected_leak"))
              .forEach(
                  f ->
                      warn(
                          String.format(
                              Locale.ROOT,
                              "%s: dropped from every supervised model as a suspected leak of the"
                                  + " label (information value %.2f, above"
                                  + " model.supervised.max-iv = %s): a copy of the label or a"
                                  + " column written after the outcome",
                              f.feature(),
                              f.iv(),
                              settings.supervised().binning().maxIv())));
          output.writeTable("models/woe_bins", ModelTables.bins(spark, fitted));
          output.writeTable("models/scorecard", ModelTables.scorecard(spark, fitted.scorecard()));
          output.writeJson("models/validation.json", r);
          fitted.challengers().forEach(output::writeChallenger);
          return fitted;
        },
        f -> f.report().trainRows() + f.report().validationRows());
  }

  /** The supervised models being fitted, and the labelled customers they read (persisted). */
  private record RiskFitting(RiskModels.Fitting models, Dataset<Row> labelled)
      implements AutoCloseable {
    @Override
    public void close() {
      models.close();
      labelled.unpersist();
    }
  }

  /**
   * What the segments are ordered by: the training default rate or the mean score, or with an
   * applied model ({@code score}) whatever it was ordered by when it was fitted.
   */
  private String orderedBy(Segmenter.Fit fit) {
    if (applied != null) {
      String fitted = applied.manifest().orderedBy();
      return (fitted == null ? "unrecorded" : fitted)
          + " (the applied model's order, from its run of "
          + applied.manifest().runDate()
          + ")";
    }
    return fit.trainingDefaultRates().isEmpty() ? RiskOrder.BY_SCORE : RiskOrder.BY_DEFAULT_RATE;
  }

  /**
   * The segments' observed default rates by rank, from the profile of everyone written, checked for
   * monotonicity.
   */
  private RiskOrder riskOrder(Segmenter.Fit fit, RunOutput output) {
    Map<String, Double> training = new java.util.HashMap<>();
    fit.model()
        .labels()
        .forEach(
            l -> {
              Double rate = fit.trainingDefaultRates().get(l.cluster());
              if (rate != null) {
                training.put(l.label(), rate);
              }
            });
    List<RiskOrder.SegmentRisk> byRank = new java.util.ArrayList<>();
    output
        .staged(RunOutput.PROFILES)
        .select("segment_rank", "segment", "default_rate", "credit_score_mean")
        .orderBy("segment_rank")
        .collectAsList()
        .forEach(
            r ->
                byRank.add(
                    new RiskOrder.SegmentRisk(
                        r.getInt(0),
                        r.getString(1),
                        r.isNullAt(2) ? Double.NaN : r.getDouble(2),
                        training.get(r.getString(1)),
                        r.isNullAt(3) ? Double.NaN : r.getDouble(3))));
    RiskOrder order =
        RiskOrder.check(
            orderedBy(fit),
            byRank,
            "the segments' default rates do not follow their labels: cluster on the scorecard's"
                + " probability (segment.features = [credit_score, probability_of_default, ...]),"
                + " weigh the risk features more (segment.feature-weights), or use fewer"
                + " segments (segment.k)");
    if (!order.monotone()) {
      LOG.warn(
          "Segment default rates are not monotone across the labels: {}. Fix: {}",
          byRank.stream()
              .map(x -> x.segment() + " " + String.format("%.1f %%", 100 * x.defaultRate()))
              .toList(),
          order.advice());
    }
    return order;
  }

  /** fit: the segmentation, on the fit sample's valid, scored customers. */
  private Segmenter.Fit fit(
      StageTimer timer, Validated validated, Dataset<Row> scoredSample, String riskEvent) {
    return timer.time(
        "fit",
        () -> new Segmenter(settings.segment()).fit(scoredSample, riskEvent),
        f -> Math.min(validated.quality().rowsIn(), validated.fitSample().target()));
  }

  /**
   * segment: one pass that flags, scores, assigns and writes every valid customer; profile: the
   * profile table (exact counts and means from the written segments, quartiles from the fit sample)
   * and the model. Returns the customers written.
   */
  private long segmentAndProfile(
      StageTimer timer,
      CustomerReader.Input input,
      Validated validated,
      CustomerValidator validator,
      Scoring scoring,
      Segmenter.Fit fit,
      Dataset<Row> scoredSample,
      RunOutput output) {
    CreditScorer scorer = scoring.rules();
    long rowsOut =
        timer.time(
            "segment",
            () -> {
              withoutWholeStageCodegen(
                  () ->
                      output.writeSegments(
                          segmented(
                              fit,
                              scoring.score(validated.clean(validator, input.customers())),
                              scorer)));
              return output.staged(RunOutput.SEGMENTS).count();
            },
            n -> n);
    if (rowsOut != validated.quality().rowsValid()) {
      throw new IllegalStateException(
          String.format(
              "Wrote %d segmented customers, but validation counted %d valid rows",
              rowsOut, validated.quality().rowsValid()));
    }
    Population population =
        applied != null
            ? applied.population()
            : timer.time(
                "population",
                () ->
                    population(
                        settings.score().method() == ScoreSettings.Method.SEGMENT_DISTANCE
                            ? segmented(fit, scoredSample, scorer)
                            : scoredSample,
                        scorer),
                Population::customers);
    timer.time(
        "profile",
        () -> {
          output.writeProfiles(
              new SegmentProfiler(spark, features(), fit.model().labels(), settings.profile())
                  .profile(
                      output.staged(RunOutput.SEGMENTS), segmented(fit, scoredSample, scorer)));
          output.writeModel(
              new RunModel(
                  fit.model(),
                  validated.medians(),
                  scorer.card(),
                  manifest(scorer.card(), scoring.scorecard(), fit, input),
                  scoring.scorecard(),
                  population));
          return rowsOut;
        },
        n -> n);
    return rowsOut;
  }

  /**
   * Runs {@code write} without whole-stage code generation, unless the user set {@code
   * spark.sql.codegen.wholeStage}. Whole-stage codegen would compile the segment pass's projection
   * (flags, cleaning, credit score, WoE bins, scorecard, assignment) into one method: about 45 KB
   * of bytecode from Parquet; from a CSV read lazily, with every conversion from text inlined, it
   * outgrew Java's 64 KB limit at 2M and 10M customers (Janino failed, with an error and a stack
   * trace in the log, before Spark fell back). At 45 KB, whether HotSpot's C2 compiler manages it
   * depends on the run: it gave up ("out of nodes") or deoptimised and recompiled it in a loop in 3
   * of 7 runs at 10M, and those passes took 250 to 485 s instead of 108 to 123 s. Without it, Spark
   * runs the pass's operators one by one, each with its expressions compiled and split into methods
   * small enough for the JIT. Until 2026-12-03 this set {@code spark.sql.codegen.hugeMethodLimit}
   * to the JIT's 8,000 bytes, which ends in the same plan, but only after compiling the method. The
   * other passes keep whole-stage codegen (the validate pass took 26 s with it, 38 s without). A
   * small input's interpreted setting ({@link #interpretSmallInputs}) is restored afterwards.
   */
  private void withoutWholeStageCodegen(Runnable write) {
    String key = "spark.sql.codegen.wholeStage";
    if (Sessions.userSet(spark, key)) {
      write.run();
      return;
    }
    Optional<String> before = Optional.ofNullable(spark.conf().get(key, null));
    spark.conf().set(key, "false");
    try {
      write.run();
    } finally {
      before.ifPresentOrElse(v -> spark.conf().set(key, v), () -> spark.conf().unset(key));
    }
  }

  /**
   * Scored customers with their segment; with score.method = segment-distance, credit_score then
   * comes from the segmentation and the factor score is kept as factor_score.
   */
  private Dataset<Row> segmented(Segmenter.Fit fit, Dataset<Row> scored, CreditScorer scorer) {
    Dataset<Row> assigned = fit.model().assign(scored);
    if (settings.score().method() == ScoreSettings.Method.SEGMENT_DISTANCE) {
      return new SegmentDistanceScore(fit.model(), scorer.card().min(), scorer.card().max())
          .apply(assigned);
    }
    return assigned;
  }

  /**
   * Flags every row, writes the quarantined ones and counts statuses and repairs while doing so:
   * one pass over the input. The reason counts come from the quarantine just written.
   */
  private static QualityReport quarantine(
      CustomerValidator validator,
      Dataset<Row> customers,
      Map<String, Double> medians,
      Duplicates duplicates,
      RunOutput output) {
    Observation counts = new Observation("quality");
    output.writeQuarantine(validator.quarantineCounting(customers, medians, duplicates, counts));
    Row counted = observed(counts);
    Map<String, Object> byName = new java.util.HashMap<>();
    for (String field : counted.schema().fieldNames()) {
      byName.put(field, counted.getAs(field));
    }
    return validator.report(byName, output.staged(RunOutput.QUARANTINE), medians);
  }

  /** An observation's row, available as soon as the action that computed it has finished. */
  private static Row observed(Observation observation) {
    try {
      return observation.getRow();
    } catch (RuntimeException e) {
      throw new IllegalStateException("No metrics observed for " + observation.name(), e);
    }
  }

  /**
   * Unless the user set {@code spark.sql.shuffle.partitions}, sizes it to the input: one partition
   * per 2 million customers, at least one per core. Spark's default (200) made every shuffle of a
   * few thousand rows pay for 200 tasks; adaptive execution still coalesces small partitions.
   */
  private void sizeShufflePartitions(long rows) {
    String key = "spark.sql.shuffle.partitions";
    if (!Sessions.userSet(spark, key)) {
      long partitions =
          Math.max(spark.sparkContext().defaultParallelism(), (rows + 1_999_999) / 2_000_000);
      spark.conf().set(key, partitions);
      LOG.info("{} = {} for {} customers", key, partitions, rows);
    }
  }

  /** Below this many customers, expressions are interpreted instead of compiled. */
  static final long INTERPRET_BELOW_ROWS = 50_000;

  /** What makes a run interpret its expressions. */
  private static final Map<String, String> INTERPRETED =
      Map.of(
          "spark.sql.codegen.wholeStage", "false", "spark.sql.codegen.factoryMode", "NO_CODEGEN");

  /**
   * Below {@value #INTERPRET_BELOW_ROWS} customers, and unless the user set either key, turns off
   * whole-stage code generation and evaluates expressions without generated classes. A run issues
   * hundreds of distinct queries, each compiled to Java (Janino) and then to machine code (the JIT)
   * once per run, which on a few thousand rows costs more than evaluating them: on the committed
   * sample (5,000 customers) the stages took 34.6 to 36.6 s instead of 41.5 to 43.2 s; at 50,000 it
   * was even, at 200,000 compiled was faster (78.6 s against 92.0 s). The segments and scores are
   * the same either way; sums may add in another order (SegmentationJobTest compares).
   */
  private void interpretSmallInputs(long rows) {
    Map<String, String> interpreted = interpretedBelow(rows, key -> Sessions.userSet(spark, key));
    interpreted.forEach(spark.conf()::set);
    if (!interpreted.isEmpty()) {
      LOG.info("{} customers: expressions interpreted, not compiled ({})", rows, interpreted);
    }
  }

  /**
   * The SQL settings that make a run of {@code rows} customers interpret its expressions: none at
   * or above {@value #INTERPRET_BELOW_ROWS} customers or when the user set either key.
   */
  static Map<String, String> interpretedBelow(long rows, Predicate<String> userSet) {
    return rows >= INTERPRET_BELOW_ROWS || INTERPRETED.keySet().stream().anyMatch(userSet)
        ? Map.of()
        : INTERPRETED;
  }

  /**
   * The new fit with the ids of the previous run's segments it continues. A previous model that
   * cannot be read (another schema version, say) leaves the fit as it is, with a warning.
   */
  private SegmentContinuity.Result continueSegments(PreviousRun previous, SegmentModel fitted) {
    RunModel before;
    try {
      before = RunModel.load(spark, previous.model());
    } catch (RuntimeException e) {
      LOG.warn("Segments not matched to the run of {}: {}", previous.runDate(), e.getMessage());
      return new SegmentContinuity.Result(fitted, false, List.of(), List.of());
    }
    SegmentContinuity.Result matched = SegmentContinuity.of(before.segments(), fitted);
    LOG.info(
        "Segments matched to the run of {}: {}; retired {}",
        previous.runDate(),
        matched.segments(),
        matched.retired());
    return matched;
  }

  /**
   * The population the model was fitted on, as the stability check bins it, for the bundle: from
   * the id-hash fit sample, not another pass over the input. A model applied by {@code score} keeps
   * the population it was fitted on.
   */
  private Population population(Dataset<Row> sample, CreditScorer scorer) {
    List<String> variables = new ArrayList<>(features());
    variables.addAll(PopulationStability.MODEL_OUTPUTS);
    return new PopulationStability(settings.stability())
        .reference(sample, scorer.card().min(), scorer.card().max(), variables);
  }

  /**
   * stability of a {@code score} run with no previous run: the written segments against the
   * population the applied model was fitted on (its bundle's population.json).
   */
  private RunComparison.Report compareWithTraining(StageTimer timer, RunOutput output) {
    return stability(
        timer,
        output,
        "the model's training population (run of " + applied.manifest().runDate() + ")",
        (comparison, current) ->
            comparison.compare(
                applied.population(),
                "the model's training population (model/population.json)",
                applied.manifest().runDate(),
                current),
        r -> applied.population().customers());
  }

  /** stability: the written segments against the previous run's, written to stability/. */
  private RunComparison.Report compare(
      StageTimer timer,
      PreviousRun previous,
      RunComparison.Continuity continuity,
      ScoreCard card,
      RunOutput output) {
    return stability(
        timer,
        output,
        "the run of " + previous.runDate(),
        (comparison, current) ->
            comparison.compare(previous, continuity, current, card.min(), card.max(), features()),
        r -> r.migration().stream().mapToLong(f -> f.customers()).sum());
  }

  /** The stability stage: {@code compare} the written segments, write stability/, log it. */
  private RunComparison.Report stability(
      StageTimer timer,
      RunOutput output,
      String against,
      BiFunction<RunComparison, Dataset<Row>, RunComparison.Report> compare,
      ToLongFunction<RunComparison.Report> rows) {
    RunComparison comparison = new RunComparison(spark, settings.stability());
    RunComparison.Report report =
        timer.time(
            "stability",
            () -> {
              RunComparison.Report r = compare.apply(comparison, output.staged(RunOutput.SEGMENTS));
              RunComparison.Tables tables = comparison.tables(r);
              output.writeStability(tables.psi(), tables.migration());
              return r;
            },
            rows);
    LOG.info(
        "Stability against {}: {} (credit_score PSI {})",
        against,
        report.verdict(),
        String.format("%.4f", report.score().psi()));
    return report;
  }

  /**
   * customer_id and every clustering feature but the score itself (score factors without columns
   * are dropped, not required), each with why it is required, for the reader's message.
   */
  Map<String, String> requiredBecause() {
    Map<String, String> required = new LinkedHashMap<>();
    required.put(CustomerSchema.CUSTOMER_ID, "the customer id");
    features().stream()
        .filter(f -> !f.equals(CreditScorer.SCORE))
        .forEach(
            f ->
                required.put(
                    f,
                    "a clustering feature: map a source column to it (input.mapping.columns."
                        + f
                        + ") or remove it from segment.features"));
    return required;
  }

  /**
   * The columns the input must have, checked with its header before any row is read: {@link
   * #requiredBecause}, and with an applied model ({@code score}) the columns its credit score and
   * scorecard read, which it was fitted on and cannot do without. (Only these must be present; the
   * validator's required columns, whose nulls it rejects, stay {@link #requiredBecause}.)
   */
  Map<String, String> presentBecause() {
    Map<String, String> required = requiredBecause();
    if (applied != null) {
      String why =
          "read by the applied model's %s: map a source column to it (input.mapping.columns.%s)";
      applied
          .scoreCard()
          .inputColumns()
          .forEach(c -> required.putIfAbsent(c, String.format(why, "credit score", c)));
      if (applied.scorecard() != null) {
        applied
            .scorecard()
            .inputColumns()
            .forEach(c -> required.putIfAbsent(c, String.format(why, "scorecard", c)));
      }
    }
    return required;
  }

  Set<String> required() {
    return requiredBecause().keySet();
  }

  private RunMetrics metrics(
      RunMetrics.Status status,
      String startedAt,
      CustomerReader.Input input,
      long rowsOut,
      QualityReport quality,
      RunMetrics.Score score,
      RunMetrics.Segments segments,
      StageTimer timer,
      String location,
      RunComparison.Report stability,
      RiskModels.Report supervised,
      RiskOrder riskOrder) {
    long rowsIn = input.rows();
    boolean succeeded = status == RunMetrics.Status.SUCCEEDED;
    return new RunMetrics(
        settings.run().date().toString(),
        status,
        startedAt,
        Instant.now().toString(),
        new RunMetrics.Input(
            settings.input().path(),
            settings.input().format(),
            settings.input().mapping().name(),
            input.customerIdDerived()),
        new RunMetrics.Rows(
            rowsIn,
            rowsOut,
            quality.rowsQuarantined(),
            quality.rowsDeduplicated(),
            quality.rowsIn() == rowsIn
                && (!succeeded
                    || rowsIn == rowsOut + quality.rowsQuarantined() + quality.rowsDeduplicated())),
        quality,
        score,
        segments,
        timer.stages(),
        location,
        stability,
        supervised,
        riskOrder,
        List.copyOf(warnings),
        Platform.of(spark));
  }
}
