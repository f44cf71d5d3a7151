package com.creditseg.schema;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * How source column names are matched and shown: the keys they are compared by, quoting for Spark,
 * listing for a message, and the closest of several names for its "did you mean".
 */
public final class Names {
  private Names() {}

  /**
   * The candidate whose {@code key} is nearest {@code target} by edit distance (the first on a
   * tie), when at most {@code maxDistance} edits away.
   */
  public static Optional<String> closest(
      String target, Collection<String> candidates, Function<String, String> key, int maxDistance) {
    LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
    return candidates.stream()
        .min(Comparator.comparingInt(c -> distance.apply(key.apply(c), target)))
        .filter(c -> distance.apply(key.apply(c), target) <= maxDistance);
  }

  /** {@link #closest} on the names as they are, within a third of the target's length (min 3). */
  public static Optional<String> closest(String target, Collection<String> candidates) {
    return closest(target, candidates, Function.identity(), Math.max(3, target.length() / 3));
  }

  /** "Customer-ID" -> "customerid": the last resort for matching a name. */
  public static String lettersAndDigits(String name) {
    return nameKey(name).replaceAll("[^a-z0-9]+", "");
  }

  /** Source column names as messages list them: at most 40, each at most 40 characters. */
  public static String listed(List<String> sourceColumns) {
    List<String> shown =
        sourceColumns.stream()
            .limit(40)
            .map(c -> c.length() <= 40 ? c : c.substring(0, 37) + "...")
            .toList();
    String more = sourceColumns.size() > 40 ? " and " + (sourceColumns.size() - 40) + " more" : "";
    return String.join(", ", shown) + more;
  }

  /** Name as matched against the mapping: no byte-order mark, no surrounding blanks, any case. */
  public static String nameKey(String name) {
    return name.replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT);
  }

  /**
   * "Annual Income " -> "annual_income": how an unmapped source column finds its canonical name.
   */
  public static String canonicalForm(String name) {
    return nameKey(name).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
  }

  public static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
