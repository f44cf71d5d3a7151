package com.creditseg.job;

import com.creditseg.config.Settings;
import com.creditseg.io.CustomerReader;
import com.creditseg.io.RunOutput;
import com.creditseg.metrics.Platform;
import com.creditseg.metrics.RunMetrics;
import com.creditseg.metrics.StageTimer;
import com.creditseg.model.ModelManifest;
import com.creditseg.model.ModelSource;
import com.creditseg.model.Population;
import com.creditseg.model.RunModel;
import com.creditseg.profile.SegmentProfiler;
import com.creditseg.quality.CustomerValidator;
import com.creditseg.quality.QualityPass;
import com.creditseg.report.HtmlReport;
import com.creditseg.sample.IdHashSample;
import com.creditseg.schema.InputContractException;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreCard;
import com.creditseg.segment.RiskOrder;
import com.creditseg.segment.Segmenter;
import com.creditseg.stability.PopulationStability;
import com.creditseg.stability.RunComparison;
import com.creditseg.stability.StabilityStep;
import com.creditseg.supervised.ModelTables;
import com.creditseg.supervised.RiskModels;
import com.creditseg.supervised.ScorecardModel;
import com.creditseg.supervised.SupervisedStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code run} and {@code score} subcommands: read → validate and clean → credit score →
 * (supervised models) → segment → profile → write → HTML report, committing {@code
 * <output.path>/run_date=<run.date>/} atomically. Checks {@code rows_in = rows_out +
 * rows_quarantined + rows_deduplicated} on every run. Each step lives in its concept's package;
 * this class wires them, in the order of {@link #run}.
 *
 * <p>The data path is shaped for few passes over the input and nothing on the driver that grows
 * with it. The input is read lazily and never cached whole:
 *
 * <ol>
 *   <li>read: the mapped input and its row count (Parquet footers, or one scan of a CSV);
 *   <li>validate ({@link QualityPass}): the duplicated ids, one id-hash sample persisted for the
 *       imputation medians, the fit and the supervised models, then one pass that flags every row,
 *       writes the quarantine and counts on the way;
 *   <li>supervised ({@link SupervisedStep}) and fit ({@link Segmenter}): on the sample's valid,
 *       scored rows;
 *   <li>segment: one pass that flags, scores, assigns and writes every valid customer;
 *   <li>profile, stability and report: from the written, columnar outputs, reading only the columns
 *       needed.
 * </ol>
 */
public final class SegmentationJob {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentationJob.class);

  /** The sample's customers' training label, for ordering segments by default rate. */
  private static final String RISK_EVENT = "_risk_event";

  private final SparkSession spark;
  private final Settings settings;
  private final ModelSource source;

  /** What the run tells its reader beside the results: logged, in metrics.json and the report. */
  private final List<String> warnings = new ArrayList<>();

  public SegmentationJob(SparkSession spark, Settings settings) {
    this(spark, settings, null);
  }

  /**
   * With a model ({@code score}), the run applies it instead of fitting (see {@link ModelSource}).
   */
  public SegmentationJob(SparkSession spark, Settings settings, RunModel applied) {
    this.spark = spark;
    this.source = ModelSource.of(applied);
    this.settings = source.settingsFor(settings).requireInputAndOutput();
  }

  public RunOutcome run() {
    return RunFrame.run(spark, settings.run(), settings.output().path(), this::run);
  }

  /** The steps of a run, in order; what each persists is released by the frame. */
  private RunOutcome run(RunFrame frame) {
    StageTimer timer = frame.timer;
    RunOutput output = frame.output;
    Held held = frame.held;
    CustomerReader.Input input = read(timer);
    held.add(input::release);
    warnings.addAll(input.warnings());
    RunMetrics.Builder metrics = metricsOf(frame.startedAt, input);
    ScoreCard card = source.applied().map(RunModel::scoreCard).orElseGet(() -> scoreCard(input));
    Optional<IdHashSample> supervisedSample = supervisedSample(input);
    QualityPass.Result validated = validate(timer, input, supervisedSample, output);
    held.add(validated::release);
    metrics.quality(validated.quality());
    if (!validated.quality().passed()) {
      RunMetrics failed =
          metrics.warnings(warnings).failedQuality(timer.stages(), null, Platform.of(spark));
      return new RunOutcome.FailedQuality(failed, frame.stopAtGate(failed));
    }
    CreditScorer scorer = new CreditScorer(spark, card);
    Optional<SupervisedStep> supervised =
        supervisedSample.flatMap(sample -> supervised(timer, scorer, sample, validated));
    supervised.ifPresent(held::add);
    Scoring scoring = scoring(scorer, supervised);
    Dataset<Row> scoredSample = scoredSample(validated, scoring, supervised.isPresent());
    held.add(scoredSample::unpersist);
    Segmenter.Fit fitted = fit(timer, validated, scoredSample, supervised.isPresent());
    Optional<StabilityStep.Baseline> baseline =
        stability().baseline(source.applied(), settings.output().path(), settings.run().date());
    Optional<StabilityStep.Continued> continued = continued(baseline, fitted);
    Segmenter.Fit fit = continued.map(c -> fitted.renumbered(c.model())).orElse(fitted);
    long rowsOut = segment(timer, input, validated, scoring, fit, output);
    Dataset<Row> profiles =
        profile(timer, input, validated, scoring, fit, scoredSample, rowsOut, output);
    if (hasLabel(input)) {
      metrics.riskOrder(
          RiskOrder.of(
              source.orderedBy(fit.trainingDefaultRates()),
              fit.model().labels(),
              fit.trainingDefaultRates(),
              profiles));
    }
    metrics.stability(
        baseline
            .map(b -> compare(timer, b, continued.map(c -> c.continuity()), card, output))
            .orElse(null));
    supervised.ifPresent(step -> metrics.supervised(finish(timer, step, output).report()));
    metrics
        .score(RunMetrics.Score.of(card, settings.score().method()))
        .segments(RunMetrics.Segments.of(features(), fit.model().labels(), fit.selection()));
    return commit(frame, metrics, rowsOut);
  }

  /** The rule score, then the scorecard: the applied model's, or the one just fitted. */
  private Scoring scoring(CreditScorer scorer, Optional<SupervisedStep> supervised) {
    ScorecardModel scorecard =
        source
            .applied()
            .map(RunModel::scorecard)
            .orElseGet(() -> supervised.map(SupervisedStep::scorecardModel).orElse(null));
    return new Scoring(scorer, scorecard, settings.score().method());
  }

  /** A refit continues the previous run's segment ids; an applied model keeps its own. */
  private Optional<StabilityStep.Continued> continued(
      Optional<StabilityStep.Baseline> baseline, Segmenter.Fit fit) {
    return source instanceof ModelSource.Fitted
            && baseline.orElse(null) instanceof StabilityStep.Baseline.Run run
        ? Optional.of(stability().continueSegments(run.previous(), fit.model()))
        : Optional.empty();
  }

  /** metrics.json, the report (from the staged files, so last) and the commit. */
  private RunOutcome commit(RunFrame frame, RunMetrics.Builder builder, long rowsOut) {
    StageTimer timer = frame.timer;
    RunOutput output = frame.output;
    RunMetrics metrics =
        builder
            .warnings(warnings)
            .succeeded(rowsOut, timer.stages(), output.location(), Platform.of(spark));
    if (!metrics.rows().reconciled()) {
      throw new IllegalStateException("Row counts do not reconcile: " + metrics.rows());
    }
    frame.commit(metrics, new HtmlReport(spark)::write, rowsOut);
    LOG.info(
        "Run {} committed to {}: {} customers in {} segments, {} quarantined, {} deduplicated;"
            + " report {}/report/index.html",
        settings.run().date(),
        output.location(),
        rowsOut,
        metrics.segments().k(),
        metrics.rows().quarantined(),
        metrics.rows().deduplicated(),
        output.location());
    RunComparison.Report stability = metrics.stability();
    if (stability != null && stability.significant() && settings.stability().failOnSignificant()) {
      return new RunOutcome.Shifted(metrics, timer.stages());
    }
    return new RunOutcome.Succeeded(metrics, timer.stages());
  }

  /**
   * read: the mapped input with its row count; lazy for Parquet, parsed once and kept on disk for
   * CSV ({@link CustomerReader#readParsedOnce}). The session is then sized to it.
   */
  private CustomerReader.Input read(StageTimer timer) {
    CustomerReader.Input input =
        timer.time(
            "read",
            () ->
                new CustomerReader(spark, settings.input(), settings.run().date())
                    .readParsedOnce(source.presentBecause(features())),
            CustomerReader.Input::rows);
    if (input.rows() == 0) {
      input.release();
      throw new InputContractException("Input " + settings.input().path() + " has no rows");
    }
    Sessions.sizeFor(spark, input.rows());
    return input;
  }

  private RunMetrics.Builder metricsOf(String startedAt, CustomerReader.Input input) {
    return RunMetrics.builder(
        settings.run().date().toString(),
        startedAt,
        new RunMetrics.Input(
            settings.input().path(),
            settings.input().format(),
            settings.input().mapping().name(),
            input.customerIdDerived()),
        input.rows());
  }

  /**
   * The score card for the input's columns; factors without columns are dropped, with a warning.
   */
  private ScoreCard scoreCard(CustomerReader.Input input) {
    ScoreCard card = ScoreCard.forColumns(settings.score(), List.of(input.customers().columns()));
    if (!card.droppedFactors().isEmpty()) {
      LOG.warn(
          "Score factors {} have no columns in the input; their weight is spread over {}",
          card.droppedFactors(),
          card.factors().stream().map(f -> f.name()).toList());
    }
    return card;
  }

  /** The supervised models' id-hash sample, when this run fits them. */
  private Optional<IdHashSample> supervisedSample(CustomerReader.Input input) {
    return source instanceof ModelSource.Fitted
            && SupervisedStep.wanted(settings.supervised(), input.customers())
        ? Optional.of(new IdHashSample(input.rows(), settings.supervised().sampleRows()))
        : Optional.empty();
  }

  /** duplicates, medians, validate: see {@link QualityPass}; the quarantine goes to the output. */
  private QualityPass.Result validate(
      StageTimer timer,
      CustomerReader.Input input,
      Optional<IdHashSample> supervisedSample,
      RunOutput output) {
    QualityPass quality =
        new QualityPass(
            new CustomerValidator(settings.quality(), required(), settings.run().date().toString()),
            settings.quality());
    QualityPass.Result validated =
        quality.run(
            timer,
            input.customers(),
            input.rows(),
            settings.segment().fitSampleRows(),
            supervisedSample,
            source.applied().map(RunModel::medians),
            rejected -> {
              output.writeQuarantine(rejected);
              return output.staged(RunOutput.QUARANTINE);
            });
    quality.imputationWarnings(validated.quality()).forEach(this::warn);
    return validated;
  }

  /** supervised: the scorecard, with the challengers going on beside the next stages. */
  private Optional<SupervisedStep> supervised(
      StageTimer timer, CreditScorer scorer, IdHashSample sample, QualityPass.Result validated) {
    return SupervisedStep.fitIfUsable(
        timer,
        settings.supervised(),
        settings.score().protectedAttributes(),
        scorer,
        sample,
        validated.cleanSample(sample),
        this::warn);
  }

  /**
   * models: waits for the challengers and validations and writes their tables to models/ and the
   * challengers under model/challengers/.
   */
  private RiskModels.Fitted finish(StageTimer timer, SupervisedStep step, RunOutput output) {
    return timer.time(
        "models",
        () -> {
          RiskModels.Fitted fitted = step.finish(this::warn);
          output.writeTable("models/woe_bins", ModelTables.bins(spark, fitted));
          output.writeTable("models/scorecard", ModelTables.scorecard(spark, fitted.scorecard()));
          output.writeJson("models/validation.json", fitted.report());
          fitted.challengers().forEach(output::writeChallenger);
          return fitted;
        },
        f -> f.report().trainRows() + f.report().validationRows());
  }

  /**
   * The scored fit sample ({@link Scoring#fitSample}); with supervised models, with the training
   * label of its customers: the segments are ordered by the default rate of the training customers
   * only, the held-out ones stay unseen by every fitted thing.
   */
  private Dataset<Row> scoredSample(
      QualityPass.Result validated, Scoring scoring, boolean riskEvent) {
    Optional<Column> trainingLabel =
        riskEvent
            ? Optional.of(SupervisedStep.trainingLabel(settings.supervised()).as(RISK_EVENT))
            : Optional.empty();
    return scoring.fitSample(validated.cleanFitSample(), features(), trainingLabel);
  }

  /** fit: the segmentation on the fit sample's valid, scored customers, or the applied one. */
  private Segmenter.Fit fit(
      StageTimer timer,
      QualityPass.Result validated,
      Dataset<Row> scoredSample,
      boolean riskEvent) {
    if (source instanceof ModelSource.Applied a) {
      return new Segmenter.Fit(a.model().segments(), null);
    }
    return timer.time(
        "fit",
        () -> new Segmenter(settings.segment()).fit(scoredSample, riskEvent ? RISK_EVENT : null),
        f -> Math.min(validated.quality().rowsIn(), validated.fitSample().target()));
  }

  /**
   * segment: one pass that flags, scores, assigns and writes every valid customer (without
   * whole-stage code generation, see {@link Sessions#withoutWholeStageCodegen}). Returns the
   * customers written.
   */
  private long segment(
      StageTimer timer,
      CustomerReader.Input input,
      QualityPass.Result validated,
      Scoring scoring,
      Segmenter.Fit fit,
      RunOutput output) {
    long rowsOut =
        timer.time(
            "segment",
            () -> {
              Dataset<Row> segmented =
                  scoring.segmented(fit.model(), scoring.score(validated.clean(input.customers())));
              Sessions.withoutWholeStageCodegen(spark, () -> output.writeSegments(segmented));
              // Counted from the written files' footers, which checks the write as well: an
              // observation on the pass itself cost more (a per-row aggregate in a pass that
              // runs without whole-stage code generation).
              return output.staged(RunOutput.SEGMENTS).count();
            },
            n -> n);
    if (rowsOut != validated.quality().rowsValid()) {
      throw new IllegalStateException(
          String.format(
              "Wrote %d segmented customers, but validation counted %d valid rows",
              rowsOut, validated.quality().rowsValid()));
    }
    return rowsOut;
  }

  /**
   * population and profile: the population the model was fitted on, as the stability check bins it
   * (from the fit sample; an applied model keeps its own); the profile table (exact counts and
   * means from the written segments, quartiles from the fit sample) and the model bundle. Returns
   * the profile table.
   */
  private Dataset<Row> profile(
      StageTimer timer,
      CustomerReader.Input input,
      QualityPass.Result validated,
      Scoring scoring,
      Segmenter.Fit fit,
      Dataset<Row> scoredSample,
      long rowsOut,
      RunOutput output) {
    Population population =
        source
            .applied()
            .map(RunModel::population)
            .orElseGet(
                () ->
                    timer.time(
                        "population",
                        () ->
                            new PopulationStability(settings.stability())
                                .ofModel(
                                    scoring.forPopulation(fit.model(), scoredSample),
                                    scoring.card().min(),
                                    scoring.card().max(),
                                    features()),
                        Population::customers));
    return timer.time(
        "profile",
        () -> {
          Dataset<Row> profiles =
              new SegmentProfiler(spark, features(), fit.model().labels(), settings.profile())
                  .profile(
                      output.staged(RunOutput.SEGMENTS),
                      scoring.segmented(fit.model(), scoredSample));
          output.writeProfiles(profiles);
          new RunModel(
                  fit.model(),
                  validated.medians(),
                  scoring.card(),
                  manifest(scoring, fit, input),
                  scoring.scorecard(),
                  population)
              .save(spark, output.stagedPath(RunOutput.MODEL));
          return profiles;
        },
        p -> rowsOut);
  }

  /** What the model bundle says about this run's model. */
  private ModelManifest manifest(Scoring scoring, Segmenter.Fit fit, CustomerReader.Input input) {
    return ModelManifest.of(
        settings.run().date().toString(),
        settings.input().mapping(),
        settings.score().method(),
        required(),
        settings.quality(),
        scoring.card(),
        scoring.scorecard(),
        features(),
        input.read(),
        input.sourceColumns(),
        source.recordedOrder(fit.trainingDefaultRates()));
  }

  private boolean hasLabel(CustomerReader.Input input) {
    return List.of(input.customers().columns()).contains(settings.supervised().label());
  }

  /** stability: the written segments against the baseline, to stability/. */
  private RunComparison.Report compare(
      StageTimer timer,
      StabilityStep.Baseline baseline,
      Optional<RunComparison.Continuity> continuity,
      ScoreCard card,
      RunOutput output) {
    return stability()
        .compare(
            timer,
            baseline,
            continuity.orElse(null),
            output.staged(RunOutput.SEGMENTS),
            card.min(),
            card.max(),
            features(),
            t -> output.writeStability(t.psi(), t.migration()));
  }

  private StabilityStep stability() {
    return new StabilityStep(spark, settings.stability());
  }

  /** The clustering features: the applied model's, or segment.features. */
  private List<String> features() {
    return source.features(settings.segment());
  }

  private void warn(String warning) {
    LOG.warn(warning);
    warnings.add(warning);
  }

  /** The columns every valid customer must have ({@link ModelSource#requiredBecause}). */
  Set<String> required() {
    return ModelSource.requiredBecause(features()).keySet();
  }
}
