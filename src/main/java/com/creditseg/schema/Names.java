package com.creditseg.schema;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** The closest of several names, for the "did you mean" of a message. */
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
}
