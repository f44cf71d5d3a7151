package com.creditseg.quality;

import java.util.Map;

/**
 * The outcome of validation as values: row counts, quarantined rows per reason code and per {@code
 * reason:column}, repairs per {@code imputed|clipped:column}, and the medians used for imputation.
 */
public record QualityReport(
    long rowsIn,
    long rowsDeduplicated,
    long rowsQuarantined,
    long rowsValid,
    Map<String, Long> quarantinedByReason,
    Map<String, Long> quarantinedByReasonAndColumn,
    Map<String, Long> repairsByColumn,
    Map<String, Double> imputationMedians) {

  /** Share of input rows quarantined, 0 for an empty input. */
  public double quarantinedShare() {
    return rowsIn == 0 ? 0 : (double) rowsQuarantined / rowsIn;
  }
}
