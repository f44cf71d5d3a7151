package com.creditseg.job;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.RfmRunSettings;
import com.creditseg.config.RfmSettings;
import com.creditseg.io.RunOutput;
import com.creditseg.metrics.Platform;
import com.creditseg.metrics.RfmMetrics;
import com.creditseg.metrics.RunMetrics;
import com.creditseg.metrics.StageTimer;
import com.creditseg.profile.SegmentProfiler;
import com.creditseg.report.RfmReport;
import com.creditseg.rfm.LoyaltyModel;
import com.creditseg.rfm.RfmCalculator;
import com.creditseg.rfm.RfmScorer;
import com.creditseg.rfm.RfmSegmentMap;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.TransactionSchema;
import com.creditseg.segment.Segmenter;
import com.creditseg.transactions.TransactionReader;
import com.creditseg.transactions.TransactionValidator;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
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
 *   <li>validate: one pass flags every row, writes the quarantine and counts used rows,
 *       cancellations and the last transaction on the way ({@code Dataset.observe}); then {@code
 *       rows_in = rows_used + rows_quarantined} is checked, and the quality gate applied;
 *   <li>aggregate: {@link RfmCalculator}, one group-by over the used rows, persisted (bounded by
 *       customers);
 *   <li>score: quintile scores and named segments ({@link RfmScorer});
 *   <li>fit: KMeans on log-scaled R, F and M through the segment stage ({@link Segmenter}: several
 *       seeds, k by silhouette) on an id-hash sample of at most rfm.kmeans.fit-sample-rows;
 *   <li>loyalty: {@link LoyaltyModel} on the leak-free time split, p_loyal for every customer;
 *   <li>write: customers partitioned by KMeans segment under {@code segments/}, profiles, named
 *       segments and grid in metrics.json, the report, then the atomic commit ({@link RunOutput}).
 * </ol>
 */
public final class RfmJob {
  private static final Logger LOG = LoggerFactory.getLogger(RfmJob.class);

  private final SparkSession spark;

  /** What the run tells its reader beside the results: logged, in metrics.json and the report. */
  private final List<String> warnings = new ArrayList<>();

  private final RfmRunSettings settings;

  /** How the run ended: its metrics and, for a run stopped at the quality gate, where it is. */
  public record Outcome(RfmMetrics metrics, String failedLocation) {
    public boolean failedQuality() {
      return metrics.status() == RunMetrics.Status.FAILED_QUALITY;
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
   * Names the customer id with the most transactions when it holds more than
   * transactions.max-id-share of them: most often a placeholder for "unknown" that placeholder-ids
   * does not list, which would otherwise head every ranking unremarked. One small job over the
   * persisted per-customer aggregate.
   */
  private void warnAboutCommonestId(Dataset<Row> aggregated) {
    Row top =
        aggregated
            .agg(
                max_by(col(TransactionSchema.CUSTOMER_ID), col(RfmCalculator.FREQUENCY)).as("id"),
                max(col(RfmCalculator.FREQUENCY)).as("most"),
                sum(col(RfmCalculator.FREQUENCY)).as("all"))
            .first();
    if (top.isNullAt(1) || top.isNullAt(2) || top.getAs("all").equals(0L)) {
      return;
    }
    double share =
        ((Number) top.getAs("most")).doubleValue() / ((Number) top.getAs("all")).doubleValue();
    if (share > settings.transactions().maxIdShare()) {
      String warning =
          String.format(
              Locale.ROOT,
              "customer_id '%s' holds %.1f %% of the purchases (%,d of %,d), above"
                  + " transactions.max-id-share = %s: if it stands for an unknown customer, add it"
                  + " to transactions.input.placeholder-ids",
              top.<Object>getAs("id"),
              100 * share,
              ((Number) top.getAs("most")).longValue(),
              ((Number) top.getAs("all")).longValue(),
              settings.transactions().maxIdShare());
      LOG.warn(warning);
      warnings.add(warning);
    }
  }

  public RfmJob(SparkSession spark, RfmRunSettings settings) {
    settings.transactions().requirePaths(settings.base().output().path());
    this.spark = spark;
    this.settings = settings;
  }

  public Outcome run() {
    String startedAt = Instant.now().toString();
    LocalDate runDate = settings.base().run().date();
    RfmSettings rfmSettings = settings.rfm();
    StageTimer timer = new StageTimer();
    RunOutput output =
        new RunOutput(
            spark, settings.base().output().path(), runDate, settings.base().run().lockTimeout());
    Dataset<Row> rfm = null;
    try {
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
      TransactionValidator validator =
          new TransactionValidator(
              settings.transactions().cancellationIdPattern(),
              rfmSettings.snapshotAtRunDate() ? runDate : null);
      Observation counts = new Observation("transactions");
      List<Column> counters = TransactionValidator.counters();
      Row counted =
          timer.time(
              "validate",
              () -> {
                output.writeQuarantine(
                    TransactionValidator.quarantine(
                        validator
                            .flag(input.transactions())
                            .observe(
                                counts,
                                counters.get(0),
                                counters.subList(1, counters.size()).toArray(Column[]::new))));
                return counts.getRow();
              },
              r -> input.rows());
      Dataset<Row> quarantine = output.staged(RunOutput.QUARANTINE);
      long quarantined = quarantine.count();
      long used = counted.isNullAt(1) ? 0 : counted.getLong(1);
      RfmMetrics.Rows rows =
          new RfmMetrics.Rows(
              input.rows(),
              used,
              quarantined,
              counted.isNullAt(2) ? 0 : counted.getLong(2),
              counted.getLong(0) == input.rows() && input.rows() == used + quarantined);
      if (!rows.reconciled()) {
        throw new IllegalStateException(
            "Row counts do not reconcile: "
                + rows
                + " (rows seen by the validation pass: "
                + counted.getLong(0)
                + ")");
      }
      Map<String, Long> reasons = TransactionValidator.reasonCounts(quarantine);
      double maxShare = settings.transactions().maxQuarantinedShare();
      if (used == 0 || rows.quarantinedShare() > maxShare) {
        RfmMetrics failed =
            metrics(
                RunMetrics.Status.FAILED_QUALITY,
                startedAt,
                rows,
                reasons,
                null,
                null,
                0,
                null,
                null,
                null,
                null,
                null,
                timer,
                null);
        output.writeJson("metrics.json", failed);
        return new Outcome(failed, output.keepAsFailed());
      }
      Timestamp last = counted.getTimestamp(3);
      LocalDate snapshot =
          rfmSettings.snapshotAtRunDate()
              ? runDate
              : last.toLocalDateTime().toLocalDate().plusDays(1);
      LocalDate cutoff =
          rfmSettings.loyalty().cutoff() != null
              ? rfmSettings.loyalty().cutoff()
              : snapshot.minusDays(rfmSettings.loyalty().horizonDays());
      if (!cutoff.isBefore(snapshot)) {
        throw new InvalidSettingsException(
            "rfm.loyalty.cutoff = " + cutoff + " is not before the snapshot date " + snapshot);
      }
      LOG.info("RFM as of {} (loyalty cutoff {})", snapshot, cutoff);

      Dataset<Row> aggregated =
          new RfmCalculator(snapshot, cutoff)
              .aggregate(TransactionValidator.used(validator.flag(input.transactions())))
              .persist(StorageLevel.MEMORY_AND_DISK());
      rfm = aggregated;
      long customers = timer.time("aggregate", aggregated::count, n -> used);
      warnAboutCommonestId(aggregated);

      RfmSegmentMap map = new RfmSegmentMap(rfmSettings.segments());
      RfmScorer.Scored scored =
          timer.time("score", () -> new RfmScorer(map).score(aggregated), s -> customers);
      Dataset<Row> logged = logScaled(scored.customers());
      int fitRows = rfmSettings.kmeans().fitSampleRows();
      Dataset<Row> sample =
          customers <= fitRows
              ? logged
              : logged.filter(
                  pmod(xxhash64(col(TransactionSchema.CUSTOMER_ID)), lit(1_000_000))
                      .lt(Math.round(1_000_000.0 * fitRows / customers)));
      Segmenter.Fit fit =
          timer.time(
              "fit",
              () -> new Segmenter(rfmSettings.kmeans(), RfmScorer.SCORE).fit(sample),
              f -> Math.min(customers, fitRows));
      Dataset<Row> assigned = fit.model().assign(logged);

      LoyaltyModel.Report loyalty = null;
      Dataset<Row> predicted = assigned;
      if (rfmSettings.loyalty().enabled()) {
        LoyaltyModel.Result result =
            timer.time(
                "loyalty",
                () ->
                    new LoyaltyModel(rfmSettings.loyalty())
                        .fit(RfmCalculator.asOfCutoff(aggregated), assigned, cutoff),
                r -> customers);
        loyalty = result.report();
        predicted = result.customers();
      }
      List<String> internal = new ArrayList<>(RfmSettings.KMEANS_FEATURES);
      RfmCalculator.FEATURES.forEach(f -> internal.add(RfmCalculator.CUTOFF + f));
      internal.add(RfmCalculator.CAME_BACK);
      Dataset<Row> written = predicted.drop(internal.toArray(String[]::new));
      timer.time(
          "write",
          () -> {
            output.writeSegments(written);
            return customers;
          },
          n -> n);
      Dataset<Row> segments = output.staged(RunOutput.SEGMENTS);
      List<RfmMetrics.NamedSegment> named =
          timer.time(
              "profile",
              () -> {
                output.writeProfiles(
                    new SegmentProfiler(
                            spark,
                            List.of(
                                RfmCalculator.RECENCY,
                                RfmCalculator.FREQUENCY,
                                RfmCalculator.MONETARY,
                                RfmCalculator.TENURE),
                            fit.model().labels(),
                            settings.base().profile(),
                            RfmScorer.SCORE)
                        .profile(segments));
                return namedSegments(segments, map);
              },
              n -> customers);
      RfmScorer.Boundaries b = scored.boundaries();
      RfmMetrics metrics =
          metrics(
              RunMetrics.Status.SUCCEEDED,
              startedAt,
              rows,
              reasons,
              snapshot.toString(),
              last.toString(),
              customers,
              new RfmMetrics.Quintiles(b.recency(), b.frequency(), b.monetary()),
              named,
              grid(segments, map),
              new RfmMetrics.KMeans(
                  RfmSettings.KMEANS_FEATURES,
                  fit.model().labels().size(),
                  fit.selection(),
                  fit.model().labels()),
              loyalty,
              timer,
              output.location());
      output.writeJson("metrics.json", metrics);
      timer.time(
          "report", () -> new RfmReport(spark).write(output.stagingLocation()), p -> customers);
      output.commit();
      LOG.info(
          "RFM run {} committed to {}: {} customers from {} transactions ({} quarantined, {}"
              + " cancellations netted); report {}/report/index.html",
          runDate,
          output.location(),
          customers,
          rows.in(),
          rows.quarantined(),
          rows.cancellations(),
          output.location());
      return new Outcome(metrics, null);
    } catch (Exception e) {
      // Exception, not RuntimeException: Spark throws its SparkException (checked in Java) from
      // a failed job undeclared, and a run that failed reading a file left its staging behind.
      output.abandon();
      throw e;
    } finally {
      if (rfm != null) {
        rfm.unpersist();
      }
    }
  }

  /** The clustering features: log(1 + x) of recency, frequency and spend (floored at 0). */
  static Dataset<Row> logScaled(Dataset<Row> rfm) {
    List<String> f = RfmSettings.KMEANS_FEATURES;
    return rfm.withColumn(f.get(0), log1p(col(RfmCalculator.RECENCY).cast("double")))
        .withColumn(f.get(1), log1p(col(RfmCalculator.FREQUENCY).cast("double")))
        .withColumn(f.get(2), log1p(greatest(col(RfmCalculator.MONETARY), lit(0.0))));
  }

  /**
   * Size, value and spend quartiles of each named segment, in the map's order, then {@value
   * RfmScorer#RETURNS_ONLY} when there are such customers.
   */
  static List<RfmMetrics.NamedSegment> namedSegments(Dataset<Row> customers, RfmSegmentMap map) {
    boolean hasP = List.of(customers.columns()).contains(LoyaltyModel.P_LOYAL);
    Map<String, Row> bySegment = new HashMap<>();
    customers
        .groupBy(RfmScorer.SEGMENT)
        .agg(
            count(lit(1)).as("n"),
            sum(RfmCalculator.MONETARY).as("total"),
            avg(RfmCalculator.RECENCY),
            avg(RfmCalculator.FREQUENCY),
            avg(RfmCalculator.MONETARY),
            percentile_approx(
                col(RfmCalculator.MONETARY), lit(new double[] {0.25, 0.5, 0.75}), lit(10_000)),
            hasP ? avg(LoyaltyModel.P_LOYAL) : lit(null).cast("double"))
        .collectAsList()
        .forEach(r -> bySegment.put(r.getString(0), r));
    long all = bySegment.values().stream().mapToLong(r -> r.getLong(1)).sum();
    double value = bySegment.values().stream().mapToDouble(r -> r.getDouble(2)).sum();
    List<RfmMetrics.NamedSegment> out = new ArrayList<>();
    List<String> names = new ArrayList<>(map.names());
    if (bySegment.containsKey(RfmScorer.RETURNS_ONLY)) {
      names.add(RfmScorer.RETURNS_ONLY);
    }
    for (String name : names) {
      Row r = bySegment.get(name);
      if (r == null) {
        out.add(new RfmMetrics.NamedSegment(name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null));
        continue;
      }
      List<Double> q = r.getList(6);
      out.add(
          new RfmMetrics.NamedSegment(
              name,
              r.getLong(1),
              (double) r.getLong(1) / all,
              r.getDouble(2),
              value == 0 ? 0 : r.getDouble(2) / value,
              r.getDouble(3),
              r.getDouble(4),
              r.getDouble(5),
              q.get(0),
              q.get(1),
              q.get(2),
              r.isNullAt(7) ? null : r.getDouble(7)));
    }
    return List.copyOf(out);
  }

  /**
   * The 25 cells of the R × F grid, empty ones included; customers without a purchase are in none.
   */
  static List<RfmMetrics.GridCell> grid(Dataset<Row> customers, RfmSegmentMap map) {
    Map<String, Row> cells = new HashMap<>();
    customers
        .filter(col(RfmScorer.SEGMENT).notEqual(RfmScorer.RETURNS_ONLY))
        .groupBy(RfmScorer.R_SCORE, RfmScorer.F_SCORE)
        .agg(count(lit(1)), avg(RfmCalculator.MONETARY))
        .collectAsList()
        .forEach(r -> cells.put(r.getInt(0) + ":" + r.getInt(1), r));
    List<RfmMetrics.GridCell> out = new ArrayList<>();
    for (int r = 1; r <= 5; r++) {
      for (int f = 1; f <= 5; f++) {
        Row c = cells.get(r + ":" + f);
        out.add(
            new RfmMetrics.GridCell(
                r,
                f,
                map.nameOf(r, f),
                c == null ? 0 : c.getLong(2),
                c == null ? 0 : c.getDouble(3)));
      }
    }
    return List.copyOf(out);
  }

  private RfmMetrics metrics(
      RunMetrics.Status status,
      String startedAt,
      RfmMetrics.Rows rows,
      Map<String, Long> reasons,
      String snapshot,
      String last,
      long customers,
      RfmMetrics.Quintiles quintiles,
      List<RfmMetrics.NamedSegment> named,
      List<RfmMetrics.GridCell> grid,
      RfmMetrics.KMeans kmeans,
      LoyaltyModel.Report loyalty,
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
        rows,
        reasons,
        settings.transactions().maxQuarantinedShare(),
        snapshot,
        last,
        customers,
        quintiles,
        named,
        grid,
        kmeans,
        loyalty,
        timer.stages(),
        location,
        List.copyOf(warnings),
        Platform.of(spark));
  }
}
