package com.creditseg.quality;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of validation as values: row counts, quarantined rows per reason code and per {@code
 * reason:column}, repairs per {@code imputed|clipped:column}, the medians used for imputation, and
 * the verdict against {@code quality.max-quarantined-share}.
 */
public record QualityReport(
    Verdict verdict,
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

  /** The report with its verdict. */
  public static QualityReport of(
      long rowsIn,
      long rowsDeduplicated,
      long rowsQuarantined,
      long rowsValid,
      Map<String, Long> quarantinedByReason,
      Map<String, Long> quarantinedByReasonAndColumn,
      Map<String, Long> repairsByColumn,
      Map<String, Double> imputationMedians,
      double maxQuarantinedShare) {
    double share = rowsIn == 0 ? 0 : (double) rowsQuarantined / rowsIn;
    Verdict verdict =
        rowsValid == 0
            ? Verdict.NOTHING_VALID
            : share > maxQuarantinedShare ? Verdict.TOO_MANY_QUARANTINED : Verdict.PASSED;
    return new QualityReport(
        verdict,
        maxQuarantinedShare,
        rowsIn,
        rowsDeduplicated,
        rowsQuarantined,
        rowsValid,
        sorted(quarantinedByReason),
        sorted(quarantinedByReasonAndColumn),
        sorted(repairsByColumn),
        sorted(imputationMedians));
  }

  private static <V> Map<String, V> sorted(Map<String, V> map) {
    return Collections.unmodifiableMap(new TreeMap<>(map));
  }

  /** Share of input rows quarantined, 0 for an empty input. */
  public double quarantinedShare() {
    return rowsIn == 0 ? 0 : (double) rowsQuarantined / rowsIn;
  }

  /** Whether the run may go on. */
  public boolean passed() {
    return verdict == Verdict.PASSED;
  }
}
