package com.creditseg.quality;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of validation as values: row counts, quarantined rows per reason code and per {@code
 * reason:column}, repairs per {@code imputed|clipped:column}, the medians used for imputation, and
 * the verdict against {@code quality.max-quarantined-share} (derived, written to metrics.json).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record QualityReport(
    double maxQuarantinedShare,
    long rowsIn,
    long rowsDeduplicated,
    long rowsQuarantined,
    long rowsValid,
    Map<String, Long> quarantinedByReason,
    Map<String, Long> quarantinedByReasonAndColumn,
    Map<String, Long> repairsByColumn,
    Map<String, Double> imputationMedians) {

  /** Whether the run may go on with the valid rows. */
  public enum Verdict {
    /** At most the allowed share quarantined, and some rows valid. */
    PASSED,
    /** More than {@code quality.max-quarantined-share} of the rows quarantined. */
    TOO_MANY_QUARANTINED,
    /** No valid row left to segment. */
    NOTHING_VALID
  }

  public QualityReport {
    quarantinedByReason = sorted(quarantinedByReason);
    quarantinedByReasonAndColumn = sorted(quarantinedByReasonAndColumn);
    repairsByColumn = sorted(repairsByColumn);
    imputationMedians = sorted(imputationMedians);
  }

  @JsonProperty
  public Verdict verdict() {
    if (rowsValid == 0) {
      return Verdict.NOTHING_VALID;
    }
    return quarantinedShare() > maxQuarantinedShare ? Verdict.TOO_MANY_QUARANTINED : Verdict.PASSED;
  }

  /** Share of input rows quarantined, 0 for an empty input. */
  public double quarantinedShare() {
    return rowsIn == 0 ? 0 : (double) rowsQuarantined / rowsIn;
  }

  /**
   * The {@code n} commonest causes of quarantine, most first (ties by name), as {@code
   * reason:column count}; a reason without a column ({@code missing_id}) as {@code reason count}.
   */
  public List<String> topReasons(int n) {
    Map<String, Long> byCause = new TreeMap<>(quarantinedByReasonAndColumn);
    quarantinedByReason.forEach(
        (reason, count) -> {
          long withColumn =
              quarantinedByReasonAndColumn.entrySet().stream()
                  .filter(e -> e.getKey().startsWith(reason + ":"))
                  .mapToLong(Map.Entry::getValue)
                  .sum();
          if (withColumn == 0) {
            byCause.put(reason, count);
          }
        });
    return byCause.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n)
        .map(e -> String.format("%s %,d", e.getKey(), e.getValue()))
        .toList();
  }

  /** Whether the run may go on. */
  public boolean passed() {
    return verdict() == Verdict.PASSED;
  }

  private static <V> Map<String, V> sorted(Map<String, V> map) {
    return Collections.unmodifiableMap(new TreeMap<>(map));
  }
}
