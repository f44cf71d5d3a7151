package com.creditseg.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reason codes as credit bureaus return them: a fixed number of string columns {@code <prefix>_1 …
 * <prefix>_N}, the most important first, null where a customer has fewer than N. N is the
 * configured maximum (the score's or the scorecard's {@code max-reason-codes}), so a run's schema
 * depends on its configuration, never on its data; and flat strings instead of one list column,
 * whose repetition levels were most of parquet-mr's time in the segment pass.
 */
public final class ReasonCodeColumns {
  private ReasonCodeColumns() {}

  /** {@code <prefix>_1 … <prefix>_count}; none for a count of 0. */
  public static List<String> names(String prefix, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be at least 0, got " + count);
    }
    List<String> names = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      names.add(prefix + "_" + i);
    }
    return List.copyOf(names);
  }

  /**
   * The {@code <prefix>_<n>} columns among {@code columns}, by n: the reason-code columns of a
   * table written by a run whose maximum the reader does not know.
   */
  public static List<String> in(String[] columns, String prefix) {
    Pattern numbered = Pattern.compile(Pattern.quote(prefix) + "_([1-9][0-9]*)");
    List<String> found = new ArrayList<>();
    for (String c : columns) {
      if (numbered.matcher(c).matches()) {
        found.add(c);
      }
    }
    found.sort(Comparator.comparingInt(c -> position(numbered, c)));
    return List.copyOf(found);
  }

  private static int position(Pattern numbered, String column) {
    Matcher m = numbered.matcher(column);
    m.matches();
    return Integer.parseInt(m.group(1));
  }

  /**
   * {@code codes} over {@code count} positions, null past the last code: the values of the {@code
   * count} columns. Codes beyond {@code count} are an error (the scorers never produce them).
   */
  public static String[] spread(List<String> codes, int count) {
    if (codes.size() > count) {
      throw new IllegalArgumentException(
          codes.size() + " reason codes for " + count + " columns: " + codes);
    }
    String[] values = new String[count];
    for (int i = 0; i < codes.size(); i++) {
      values[i] = codes.get(i);
    }
    return values;
  }
}
