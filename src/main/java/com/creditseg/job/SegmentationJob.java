package com.creditseg.job;

import com.creditseg.config.Settings;
import com.creditseg.io.CustomerReader;
import com.creditseg.io.CustomerSchema;
import com.creditseg.io.InputContractException;
import com.creditseg.io.RunOutput;
import com.creditseg.profile.SegmentProfiler;
import com.creditseg.quality.CustomerValidator;
import com.creditseg.quality.QualityReport;
import com.creditseg.quality.QualityThresholdException;
import com.creditseg.report.HtmlReport;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreCard;
import com.creditseg.segment.Segmentation;
import com.creditseg.segment.Segmenter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code run} subcommand: read → validate and clean → credit score → segment → profile → write
 * → HTML report, committing {@code <output.path>/run_date=<run.date>/} atomically. Checks {@code
 * rows_in = rows_out + rows_quarantined + rows_deduplicated} on every run.
 */
public final class SegmentationJob {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentationJob.class);

  private final SparkSession spark;
  private final Settings settings;

  public SegmentationJob(SparkSession spark, Settings settings) {
    this.spark = spark;
    this.settings = settings.requireInputAndOutput();
  }

  public RunMetrics run() {
    String startedAt = Instant.now().toString();
    StageTimer timer = new StageTimer();
    String runDate = settings.run().date().toString();

    // The output is opened first so that an output path that cannot be written fails at once.
    RunOutput output = new RunOutput(spark, settings.output().path(), settings.run().date());
    try {
      CustomerReader reader = new CustomerReader(spark, settings.input(), settings.run().date());
      CustomerReader.Input input = reader.read(requiredColumns());
      Dataset<Row> customers = input.customers();
      long rowsIn = timer.time("read", customers::count, n -> n);
      if (rowsIn == 0) {
        throw new InputContractException("Input " + settings.input().path() + " has no rows");
      }
      ScoreCard card = ScoreCard.forColumns(settings.score(), List.of(customers.columns()));
      if (!card.droppedFactors().isEmpty()) {
        LOG.warn(
            "Score factors {} have no columns in the input; their weight is spread over {}",
            card.droppedFactors(),
            card.factors().stream().map(f -> f.name()).toList());
      }

      CustomerValidator validator =
          new CustomerValidator(settings.quality(), requiredColumns(), runDate);
      CustomerValidator.Validation validation =
          timer.time("validate", () -> validator.validate(customers, rowsIn), v -> rowsIn);
      QualityReport quality = validation.report();
      if (quality.quarantinedShare() > settings.quality().maxQuarantinedShare()
          || quality.rowsValid() == 0) {
        output.writeQuarantine(validation.quarantine());
        output.writeJson(
            "metrics.json",
            new RunMetrics(
                runDate,
                "failed_quality",
                startedAt,
                Instant.now().toString(),
                inputMetrics(input),
                new RunMetrics.Rows(
                    rowsIn,
                    0,
                    quality.rowsQuarantined(),
                    quality.rowsDeduplicated(),
                    rowsIn == quality.rowsIn()),
                quality,
                null,
                null,
                timer.stages(),
                null));
        String where = output.keepAsFailed();
        throw new QualityThresholdException(
            String.format(
                "%,d of %,d rows (%.1f%%) quarantined%s; quarantine and metrics written to %s",
                quality.rowsQuarantined(),
                rowsIn,
                100 * quality.quarantinedShare(),
                quality.rowsValid() == 0
                    ? ", none left to segment"
                    : ", above quality.max-quarantined-share = "
                        + settings.quality().maxQuarantinedShare(),
                where));
      }

      Dataset<Row> scored =
          new CreditScorer(spark, card)
              .score(validation.clean())
              .persist(StorageLevel.MEMORY_AND_DISK());
      long rowsValid = timer.time("score", scored::count, n -> n);
      validation.release();

      Segmenter segmenter = new Segmenter(settings.segment());
      Segmentation segmentation =
          timer.time(
              "fit",
              () -> segmenter.fit(scored, rowsValid),
              s -> Math.min(rowsValid, settings.segment().fitSampleRows()));
      Dataset<Row> segmented = segmentation.assign(scored).persist(StorageLevel.MEMORY_AND_DISK());
      long rowsOut = timer.time("assign", segmented::count, n -> n);
      scored.unpersist();

      Dataset<Row> profiles =
          timer.time(
              "profile",
              () ->
                  new SegmentProfiler(spark, settings.segment().features(), settings.profile())
                      .profile(segmented),
              p -> rowsOut);

      RunMetrics.Rows rows =
          new RunMetrics.Rows(
              rowsIn,
              rowsOut,
              quality.rowsQuarantined(),
              quality.rowsDeduplicated(),
              rowsIn == rowsOut + quality.rowsQuarantined() + quality.rowsDeduplicated()
                  && quality.rowsIn() == rowsIn);
      if (!rows.reconciled()) {
        throw new IllegalStateException(
            String.format(
                "Row counts do not reconcile: in %d != out %d + quarantined %d + deduplicated %d",
                rowsIn, rowsOut, quality.rowsQuarantined(), quality.rowsDeduplicated()));
      }

      timer.time(
          "write",
          () -> {
            output.writeSegments(segmented.drop("run_date"), Segmentation.SEGMENT);
            output.writeQuarantine(validation.quarantine());
            output.writeProfiles(profiles);
            output.writeModel(segmentation.model());
            return rowsOut;
          },
          n -> n);
      segmented.unpersist();

      RunMetrics metrics =
          new RunMetrics(
              runDate,
              "succeeded",
              startedAt,
              Instant.now().toString(),
              inputMetrics(input),
              rows,
              quality,
              new RunMetrics.Score(card.min(), card.max(), weights(card), card.droppedFactors()),
              new RunMetrics.Segments(
                  settings.segment().features(),
                  segmentation.selection().chosenK(),
                  segmentation.selection(),
                  segmentation.labels()),
              timer.stages(),
              output.location());
      output.writeJson("metrics.json", metrics);
      // The report reads the run's own outputs, so it comes last, from the staged files.
      timer.time(
          "report", () -> new HtmlReport(spark).write(output.stagingLocation()), page -> rowsOut);
      output.commit();
      LOG.info(
          "Run {} committed to {}: {} customers in {} segments, {} quarantined, {} deduplicated",
          runDate,
          output.location(),
          rowsOut,
          segmentation.selection().chosenK(),
          quality.rowsQuarantined(),
          quality.rowsDeduplicated());
      return metrics;
    } catch (RuntimeException e) {
      if (!(e instanceof QualityThresholdException)) {
        output.abandon();
      }
      throw e;
    }
  }

  /** customer_id, every score factor column and every clustering feature but the score itself. */
  Set<String> requiredColumns() {
    Set<String> required = new LinkedHashSet<>();
    required.add(CustomerSchema.CUSTOMER_ID);
    settings.segment().features().stream()
        .filter(f -> !f.equals(CreditScorer.SCORE))
        .forEach(required::add);
    return required;
  }

  private RunMetrics.Input inputMetrics(CustomerReader.Input input) {
    return new RunMetrics.Input(
        settings.input().path(),
        settings.input().format(),
        settings.input().mapping().name(),
        input.customerIdDerived());
  }

  private static Map<String, Double> weights(ScoreCard card) {
    Map<String, Double> weights = new LinkedHashMap<>();
    double[] w = card.normalizedWeights();
    for (int i = 0; i < w.length; i++) {
      weights.put(card.factors().get(i).name(), w[i]);
    }
    return weights;
  }
}
