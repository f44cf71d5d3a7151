package com.creditseg.quality;

import com.creditseg.config.QualitySettings;
import com.creditseg.metrics.StageTimer;
import com.creditseg.sample.IdHashSample;
import com.creditseg.schema.Repair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Validate and clean, as three timed stages over the input: {@code duplicates} (a scan of the id
 * column), {@code medians} (over one persisted id-hash sample, which the fit and the supervised
 * models read afterwards) and {@code validate} (one pass that flags every row, hands the
 * quarantined ones to the caller's sink and counts statuses and repairs on the way, through {@code
 * Dataset.observe}). The reason counts come from the quarantine as written.
 *
 * <p>The sink writes the quarantine and returns it as written: this step knows nothing of where
 * outputs go.
 */
public final class QualityPass {
  private final CustomerValidator validator;
  private final QualitySettings settings;

  public QualityPass(CustomerValidator validator, QualitySettings settings) {
    this.validator = validator;
    this.settings = settings;
  }

  /**
   * What validation leaves for the later steps: the duplicated ids, the persisted id-hash sample
   * (medians, fit and supervised models), the fit's part of it, the imputation medians and the
   * quality report.
   */
  public record Result(
      CustomerValidator validator,
      Duplicates duplicates,
      Dataset<Row> sampled,
      IdHashSample fitSample,
      Map<String, Double> medians,
      QualityReport quality) {
    /** The valid customers of {@code customers}, flagged and cleaned with this validation. */
    public Dataset<Row> clean(Dataset<Row> customers) {
      return validator.valid(customers, medians, duplicates);
    }

    /** The valid customers of the fit sample. */
    public Dataset<Row> cleanFitSample() {
      return clean(fitSample.of(sampled));
    }

    /** The valid customers of {@code sample}, taken from the persisted sample. */
    public Dataset<Row> cleanSample(IdHashSample sample) {
      return clean(sample.of(sampled));
    }

    public void release() {
      duplicates.release();
      sampled.unpersist();
    }
  }

  /**
   * Validates {@code customers} ({@code rows} of them). {@code alsoSampled} joins the persisted
   * sample (the supervised models' sample); {@code appliedMedians}, a saved model's medians,
   * replace the computed ones (then only the fit sample is kept).
   */
  public Result run(
      StageTimer timer,
      Dataset<Row> customers,
      long rows,
      long fitSampleRows,
      Optional<IdHashSample> alsoSampled,
      Optional<Map<String, Double>> appliedMedians,
      UnaryOperator<Dataset<Row>> quarantineSink) {
    validator.requireColumns(customers);
    IdHashSample medianSample = new IdHashSample(rows, settings.medianSampleRows());
    IdHashSample fitSample = new IdHashSample(rows, fitSampleRows);
    Duplicates duplicates = timer.time("duplicates", () -> Duplicates.find(customers), d -> rows);
    IdHashSample kept = appliedMedians.isPresent() ? fitSample : medianSample.union(fitSample);
    kept = alsoSampled.map(kept::union).orElse(kept);
    Dataset<Row> sample = kept.of(customers);
    // A CSV input kept on disk and sampled whole (a small one) is its own sample already.
    Dataset<Row> sampled =
        sample.storageLevel().equals(StorageLevel.NONE())
            ? sample.persist(StorageLevel.MEMORY_AND_DISK())
            : sample;
    try {
      Map<String, Double> medians =
          appliedMedians.isPresent()
              ? appliedMedians.get()
              : timer.time("medians", () -> validator.medians(medianSample.of(sampled)), m -> rows);
      QualityReport quality =
          timer.time(
              "validate",
              () -> quarantine(customers, medians, duplicates, quarantineSink),
              q -> rows);
      return new Result(validator, duplicates, sampled, fitSample, medians, quality);
    } catch (RuntimeException e) {
      duplicates.release();
      sampled.unpersist();
      throw e;
    }
  }

  /**
   * Flags every row, writes the quarantined ones and counts statuses and repairs while doing so:
   * one pass over the input.
   */
  private QualityReport quarantine(
      Dataset<Row> customers,
      Map<String, Double> medians,
      Duplicates duplicates,
      UnaryOperator<Dataset<Row>> sink) {
    Observation counts = new Observation("quality");
    Dataset<Row> written =
        sink.apply(validator.quarantineCounting(customers, medians, duplicates, counts));
    Row counted = observed(counts);
    Map<String, Object> byName = new HashMap<>();
    for (String field : counted.schema().fieldNames()) {
      byName.put(field, counted.getAs(field));
    }
    return validator.report(byName, written, medians);
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
   * One warning for each column of which more than quality.warn-imputed-share of the valid rows
   * were imputed: past some share, the median stands for most of a column and changes what it means
   * (a missing "no account" imputed as the median account).
   */
  public List<String> imputationWarnings(QualityReport quality) {
    List<String> warnings = new ArrayList<>();
    long valid = quality.rowsValid();
    if (valid == 0) {
      return warnings;
    }
    String prefix = Repair.IMPUTED.on("");
    quality
        .repairsByColumn()
        .forEach(
            (token, count) -> {
              double share = (double) count / valid;
              if (token.startsWith(prefix) && share > settings.warnImputedShare()) {
                warnings.add(
                    String.format(
                        Locale.ROOT,
                        "%s: %.1f %% of the rows (%,d) had no usable value and were imputed,"
                            + " above quality.warn-imputed-share = %s; if a missing value means"
                            + " something (no account, none), map it to that value instead",
                        token.substring(prefix.length()),
                        100 * share,
                        count,
                        settings.warnImputedShare()));
              }
            });
    return warnings;
  }
}
