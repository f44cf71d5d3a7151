package com.creditseg.job;

import com.creditseg.config.RfmRunSettings;
import com.creditseg.config.RfmSettings;
import com.creditseg.io.RunOutput;
import com.creditseg.metrics.Platform;
import com.creditseg.metrics.RfmMetrics;
import com.creditseg.metrics.RunMetrics;
import com.creditseg.metrics.StageTimer;
import com.creditseg.profile.SegmentProfiler;
import com.creditseg.report.RfmReport;
import com.creditseg.rfm.CommonestIdCheck;
import com.creditseg.rfm.LoyaltyModel;
import com.creditseg.rfm.RfmCalculator;
import com.creditseg.rfm.RfmClustering;
import com.creditseg.rfm.RfmPeriod;
import com.creditseg.rfm.RfmScorer;
import com.creditseg.rfm.RfmSegmentMap;
import com.creditseg.rfm.RfmSummary;
import com.creditseg.schema.InputContractException;
import com.creditseg.segment.Segmenter;
import com.creditseg.transactions.TransactionCheck;
import com.creditseg.transactions.TransactionReader;
import com.creditseg.transactions.TransactionValidator;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code rfm} subcommand: transactions in, RFM per customer out, as a chain of named steps
 * timed like {@code run}'s:
 *
 * <ol>
 *   <li>read: {@link TransactionReader} (lazy; Parquet counts from footers);
 *   <li>validate: {@link TransactionCheck}, one pass that flags every row, writes the quarantine
 *       and counts used rows, cancellations and the last transaction on the way; then {@code
 *       rows_in = rows_used + rows_quarantined} is checked, and the quality gate applied;
 *   <li>aggregate: {@link RfmCalculator} as of the {@link RfmPeriod}, one group-by over the used
 *       rows, persisted (bounded by customers), and the {@link CommonestIdCheck};
 *   <li>score: quintile scores and named segments ({@link RfmScorer});
 *   <li>fit: {@link RfmClustering}, KMeans on log-scaled R, F and M through the segment stage on an
 *       id-hash sample of at most rfm.kmeans.fit-sample-rows;
 *   <li>loyalty: {@link LoyaltyModel} on the leak-free time split, p_loyal for every customer;
 *   <li>write: customers partitioned by KMeans segment under {@code segments/};
 *   <li>profile: the KMeans segments' profiles ({@link SegmentProfiler}) and the named segments
 *       ({@link RfmSummary});
 *   <li>report: the R × F grid and the rest in metrics.json, the report, then the atomic commit
 *       ({@link RunOutput}).
 * </ol>
 */
public final class RfmJob {
  private static final Logger LOG = LoggerFactory.getLogger(RfmJob.class);

  /** The per-customer values profiled in each KMeans segment. */
  private static final List<String> PROFILED =
      List.of(
          RfmCalculator.RECENCY,
          RfmCalculator.FREQUENCY,
          RfmCalculator.MONETARY,
          RfmCalculator.TENURE);

  private final SparkSession spark;

  /** What the run tells its reader beside the results: logged, in metrics.json and the report. */
  private final List<String> warnings = new ArrayList<>();

  private final RfmRunSettings settings;

  /** How the run ended: its metrics and, for a run stopped at the quality gate, where it is. */
  public record Outcome(RfmMetrics metrics, String failedLocation) implements JobOutcome {
    public boolean failedQuality() {
      return metrics.status() == RunMetrics.Status.FAILED_QUALITY;
    }

    @Override
    public int exitCode() {
      return failedQuality() ? ExitCode.QUALITY : ExitCode.SUCCESS;
    }

    @Override
    public Optional<String> failure() {
      return failedQuality() ? Optional.of(reason()) : Optional.empty();
    }

    public String reason() {
      RfmMetrics.Rows r = metrics.rows();
      List<String> top =
          metrics.quarantineReasons().entrySet().stream()
              .sorted(
                  Map.Entry.<String, Long>comparingByValue()
                      .reversed()
                      .thenComparing(Map.Entry.comparingByKey()))
              .limit(3)
              .map(e -> String.format("%s %,d", e.getKey(), e.getValue()))
              .toList();
      return String.format(
          "%,d of %,d transactions (%.1f%%) quarantined%s%s; quarantine and metrics written to %s",
          r.quarantined(),
          r.in(),
          100 * r.quarantinedShare(),
          r.used() == 0
              ? ", none left to aggregate"
              : ", above transactions.max-quarantined-share = " + metrics.maxQuarantinedShare(),
          top.isEmpty() ? "" : "; top reasons: " + String.join("; ", top),
          failedLocation);
    }
  }

  /**
   * What metrics.json says beyond the input and its rows; {@link #NONE} for a run stopped at the
   * quality gate.
   */
  private record Findings(
      String snapshot,
      String lastTransaction,
      long customers,
      RfmMetrics.Quintiles quintiles,
      List<RfmSummary.NamedSegment> named,
      List<RfmSummary.GridCell> grid,
      RfmMetrics.KMeans kmeans,
      LoyaltyModel.Report loyalty) {
    static final Findings NONE = new Findings(null, null, 0, null, null, null, null, null);
  }

  public RfmJob(SparkSession spark, RfmRunSettings settings) {
    settings.transactions().requirePaths(settings.base().output().path());
    this.spark = spark;
    this.settings = settings;
  }

  public Outcome run() {
    return RunFrame.run(spark, settings.base().run(), settings.base().output().path(), this::run);
  }

  /** The steps of an rfm run, in order; what each persists is released by the frame. */
  private Outcome run(RunFrame frame) {
    LocalDate runDate = settings.base().run().date();
    RfmSettings rfm = settings.rfm();
    StageTimer timer = frame.timer;
    RunOutput output = frame.output;
    TransactionReader.Input input = read(timer, runDate);
    TransactionCheck check = new TransactionCheck(validator(runDate), output);
    TransactionCheck.Result checked = validate(timer, check, input);
    if (!passesQualityGate(checked)) {
      return stopAtQualityGate(frame, checked);
    }
    RfmPeriod period = RfmPeriod.of(rfm, runDate, checked.lastTransaction());
    LOG.info("RFM as of {} (loyalty cutoff {})", period.snapshot(), period.cutoff());
    Dataset<Row> aggregated = aggregate(check, input, period);
    frame.held.add(aggregated::unpersist);
    long customers = timer.time("aggregate", aggregated::count, n -> checked.used());
    warnAboutCommonestId(aggregated);
    RfmSegmentMap map = new RfmSegmentMap(rfm.segments());
    RfmScorer.Scored scored =
        timer.time("score", () -> new RfmScorer(map).score(aggregated), s -> customers);
    Dataset<Row> logged = RfmClustering.logScaled(scored.customers());
    Segmenter.Fit fit = fit(timer, logged, customers);
    Dataset<Row> assigned = fit.model().assign(logged);
    LoyaltyModel.Result loyalty =
        rfm.loyalty().enabled() ? loyalty(timer, aggregated, assigned, period, customers) : null;
    write(timer, output, loyalty == null ? assigned : loyalty.customers(), customers);
    Dataset<Row> segments = output.staged(RunOutput.SEGMENTS);
    List<RfmSummary.NamedSegment> named = profile(timer, output, segments, fit, map, customers);
    RfmMetrics metrics =
        metrics(
            RunMetrics.Status.SUCCEEDED,
            frame.startedAt,
            checked,
            new Findings(
                period.snapshot().toString(),
                checked.lastTransaction().toString(),
                customers,
                quintiles(scored.boundaries()),
                named,
                RfmSummary.grid(segments, map),
                kmeans(fit),
                loyalty == null ? null : loyalty.report()),
            timer,
            output.location());
    frame.commit(metrics, new RfmReport(spark)::write, customers);
    logCommitted(runDate, output, customers, checked);
    return new Outcome(metrics, null);
  }

  private TransactionReader.Input read(StageTimer timer, LocalDate runDate) {
    TransactionReader.Input input =
        timer.time(
            "read",
            () -> new TransactionReader(spark, settings.transactions(), runDate).read(),
            TransactionReader.Input::rows);
    warnings.addAll(input.warnings());
    if (input.rows() == 0) {
      throw new InputContractException(
          "Input " + settings.transactions().input().path() + " has no rows");
    }
    return input;
  }

  /**
   * With {@code rfm.snapshot = run-date}, transactions on or after the run date are quarantined.
   */
  private TransactionValidator validator(LocalDate runDate) {
    return new TransactionValidator(
        settings.transactions().cancellationIdPattern(),
        settings.rfm().snapshotAtRunDate() ? runDate : null);
  }

  /** The validation pass is timed; counting the quarantine written and its reasons is not. */
  private static TransactionCheck.Result validate(
      StageTimer timer, TransactionCheck check, TransactionReader.Input input) {
    TransactionCheck.Counts counts =
        timer.time("validate", () -> check.quarantine(input.transactions()), c -> input.rows());
    return check.reconcile(counts, input.rows());
  }

  /** Some rows left to aggregate, and no more than transactions.max-quarantined-share lost. */
  private boolean passesQualityGate(TransactionCheck.Result checked) {
    return !(checked.used() == 0 || rows(checked).quarantinedShare() > maxQuarantinedShare());
  }

  private double maxQuarantinedShare() {
    return settings.transactions().maxQuarantinedShare();
  }

  /** Writes metrics.json and keeps the staged output under {@code _failed/}. */
  private Outcome stopAtQualityGate(RunFrame frame, TransactionCheck.Result checked) {
    RfmMetrics failed =
        metrics(
            RunMetrics.Status.FAILED_QUALITY,
            frame.startedAt,
            checked,
            Findings.NONE,
            frame.timer,
            null);
    return new Outcome(failed, frame.stopAtGate(failed));
  }

  /** The per-customer table, lazily, persisted: the steps after it read it several times. */
  private static Dataset<Row> aggregate(
      TransactionCheck check, TransactionReader.Input input, RfmPeriod period) {
    return new RfmCalculator(period.snapshot(), period.cutoff())
        .aggregate(check.used(input.transactions()))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  private void warnAboutCommonestId(Dataset<Row> aggregated) {
    new CommonestIdCheck(settings.transactions().maxIdShare())
        .warning(aggregated)
        .ifPresent(this::warn);
  }

  private void warn(String warning) {
    LOG.warn(warning);
    warnings.add(warning);
  }

  private Segmenter.Fit fit(StageTimer timer, Dataset<Row> logged, long customers) {
    RfmClustering clustering = new RfmClustering(settings.rfm().kmeans());
    return timer.time(
        "fit", () -> clustering.fit(logged, customers), f -> clustering.sampleRows(customers));
  }

  /** Fitted on the features as of the cutoff; p_loyal from those as of the snapshot. */
  private LoyaltyModel.Result loyalty(
      StageTimer timer,
      Dataset<Row> aggregated,
      Dataset<Row> assigned,
      RfmPeriod period,
      long customers) {
    return timer.time(
        "loyalty",
        () ->
            new LoyaltyModel(settings.rfm().loyalty())
                .fit(RfmCalculator.asOfCutoff(aggregated), assigned, period.cutoff()),
        r -> customers);
  }

  /** The customers without the clustering features and the loyalty model's cutoff columns. */
  private static void write(StageTimer timer, RunOutput output, Dataset<Row> customers, long rows) {
    List<String> internal = new ArrayList<>(RfmSettings.KMEANS_FEATURES);
    internal.addAll(RfmCalculator.CUTOFF_COLUMNS);
    Dataset<Row> written = customers.drop(internal.toArray(String[]::new));
    timer.time(
        "write",
        () -> {
          output.writeSegments(written);
          return rows;
        },
        n -> n);
  }

  /** Writes the KMeans segments' profiles and summarises the named segments, from the written. */
  private List<RfmSummary.NamedSegment> profile(
      StageTimer timer,
      RunOutput output,
      Dataset<Row> segments,
      Segmenter.Fit fit,
      RfmSegmentMap map,
      long customers) {
    SegmentProfiler profiler =
        new SegmentProfiler(
            spark, PROFILED, fit.model().labels(), settings.base().profile(), RfmScorer.SCORE);
    return timer.time(
        "profile",
        () -> {
          output.writeProfiles(profiler.profile(segments));
          return RfmSummary.namedSegments(segments, map);
        },
        n -> customers);
  }

  private static RfmMetrics.Quintiles quintiles(RfmScorer.Boundaries b) {
    return new RfmMetrics.Quintiles(b.recency(), b.frequency(), b.monetary());
  }

  private static RfmMetrics.KMeans kmeans(Segmenter.Fit fit) {
    return new RfmMetrics.KMeans(
        RfmSettings.KMEANS_FEATURES,
        fit.model().labels().size(),
        fit.selection(),
        fit.model().labels());
  }

  private static RfmMetrics.Rows rows(TransactionCheck.Result checked) {
    return new RfmMetrics.Rows(
        checked.in(),
        checked.used(),
        checked.quarantined(),
        checked.cancellations(),
        checked.reconciled());
  }

  private RfmMetrics metrics(
      RunMetrics.Status status,
      String startedAt,
      TransactionCheck.Result checked,
      Findings findings,
      StageTimer timer,
      String location) {
    var in = settings.transactions().input();
    return new RfmMetrics(
        "rfm",
        settings.base().run().date().toString(),
        status,
        startedAt,
        Instant.now().toString(),
        new RunMetrics.Input(in.path(), in.format(), settings.transactions().mappingName(), false),
        rows(checked),
        checked.reasons(),
        maxQuarantinedShare(),
        findings.snapshot(),
        findings.lastTransaction(),
        findings.customers(),
        findings.quintiles(),
        findings.named(),
        findings.grid(),
        findings.kmeans(),
        findings.loyalty(),
        timer.stages(),
        location,
        List.copyOf(warnings),
        Platform.of(spark));
  }

  private static void logCommitted(
      LocalDate runDate, RunOutput output, long customers, TransactionCheck.Result checked) {
    LOG.info(
        "RFM run {} committed to {}: {} customers from {} transactions ({} quarantined, {}"
            + " cancellations netted); report {}/report/index.html",
        runDate,
        output.location(),
        customers,
        checked.in(),
        checked.quarantined(),
        checked.cancellations(),
        output.location());
  }
}
