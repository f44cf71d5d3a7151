package com.creditseg.report;

/** Rounding for the page's data: enough digits for a chart, few enough to keep the page small. */
final class Numbers {
  private Numbers() {}

  /** {@code value}, or null when it is NaN or infinite (JSON has no such numbers). */
  static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** {@code value} to {@code digits} decimal places, null when not finite. */
  static Double round(double value, int digits) {
    if (!Double.isFinite(value)) {
      return null;
    }
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}
