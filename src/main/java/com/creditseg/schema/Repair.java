package com.creditseg.schema;

import java.util.Locale;

/**
 * How a value was repaired instead of quarantined. Written as {@code imputed:column} or {@code
 * clipped:column} into the {@code repairs} column, into metrics.json and by {@code serve}.
 */
public enum Repair {
  /** A missing, NaN or infinite value replaced by the column's median or constant. */
  IMPUTED,
  /** A value outside the column's [min, max] replaced by the nearer bound. */
  CLIPPED;

  /** The {@code repair:column} token. */
  public String on(String column) {
    return name().toLowerCase(Locale.ROOT) + ":" + column;
  }
}
