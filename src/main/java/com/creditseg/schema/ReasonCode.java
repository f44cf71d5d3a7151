package com.creditseg.schema;

import java.util.Locale;

/**
 * Why a row was quarantined or repaired. Codes are written lower-case into the {@code reason}
 * column of the quarantine and into metrics.json.
 */
public enum ReasonCode {
  /** The customer id is null or blank. */
  MISSING_ID,
  /** A required value is null. */
  MISSING_VALUE,
  /** A numeric value is NaN. */
  NOT_A_NUMBER,
  /** A numeric value is +/-Infinity. */
  INFINITE,
  /**
   * A value lies outside the column's configured [min, max] (or a label is not 0/1), or outside
   * what its type holds (2147483648 in an int column).
   */
  OUT_OF_RANGE,
  /** A value with a fraction (3.7) in a whole-number column: read as it is, never rounded. */
  NOT_AN_INTEGER,
  /** Two or more different rows share one customer id; none of them can be trusted. */
  DUPLICATE_ID,
  /** A CSV line that does not parse: wrong number of fields, broken quoting. */
  MALFORMED_LINE,
  /** A category value that the mapping does not list and that is not a canonical value. */
  UNMAPPABLE_CATEGORY,
  /** A date that does not match the mapping's date-format. */
  INVALID_DATE,
  /** A mapping expression failed on the row's values (an ANSI cast of "-", a division by zero). */
  EXPRESSION_ERROR,
  /** A transaction whose price (or amount) is zero: nothing was sold, or the price is missing. */
  ZERO_PRICE,
  /** A transaction dated on or after the snapshot date of an RFM run (rfm.snapshot = run-date). */
  AFTER_SNAPSHOT;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The {@code code:column} form used in the reasons array and in metrics.json. */
  public String on(String column) {
    return code() + ":" + column;
  }
}
