package com.creditseg.supervised;

import java.util.List;

/**
 * One bin of a feature's weight-of-evidence table: which values fall in it, how many training
 * customers did and how many of them defaulted, and its weight of evidence and share of the
 * feature's information value.
 *
 * @param index the bin's place in the feature's table, from 0
 * @param kind what selects the bin's values
 * @param lower a range's exclusive lower bound (null: unbounded)
 * @param upper a range's inclusive upper bound (null: unbounded)
 * @param categories a category bin's values (several for the pooled rare ones)
 * @param special a special value's bin: that value
 * @param count training customers in the bin
 * @param events of them, defaulted
 * @param eventRate events / count
 * @param woe ln(share of non-events / share of events), after smoothing
 * @param iv (share of non-events - share of events) * woe
 */
public record WoeBin(
    int index,
    Kind kind,
    Double lower,
    Double upper,
    List<String> categories,
    Double special,
    long count,
    long events,
    double eventRate,
    double woe,
    double iv) {

  /** What selects a bin's values. */
  public enum Kind {
    /** A numeric range (lower, upper]. */
    RANGE,
    /** One category, or the pooled rare ones. */
    CATEGORY,
    /** A special numeric value. */
    SPECIAL,
    /** Null or NaN. */
    MISSING
  }

  public long nonEvents() {
    return count - events;
  }

  /** The bin as a reader sees it: "(1.5, 3]", "Employed", "= -1", "missing". */
  public String describe() {
    return switch (kind) {
      case RANGE ->
          "("
              + (lower == null ? "-inf" : format(lower))
              + ", "
              + (upper == null ? "+inf" : format(upper))
              + (upper == null ? ")" : "]");
      case CATEGORY -> String.join(" | ", categories);
      case SPECIAL -> "= " + format(special);
      case MISSING -> "missing";
    };
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.valueOf((long) v)
        : String.valueOf((float) v);
  }
}
