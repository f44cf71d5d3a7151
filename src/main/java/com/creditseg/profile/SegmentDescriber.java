package com.creditseg.profile;

import com.creditseg.config.ProfileSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Words for a segment: the features whose mean deviates most from the population, strongest first,
 * as "high annual income, low credit utilization ratio"; "close to the population average" when
 * none deviates by at least {@code profile.description-min-deviation} standard deviations.
 */
final class SegmentDescriber {
  private SegmentDescriber() {}

  static String describe(List<String> features, double[] deviation, ProfileSettings settings) {
    List<String> parts = new ArrayList<>();
    IntStream.range(0, features.size())
        .boxed()
        .filter(f -> Math.abs(deviation[f]) >= settings.descriptionMinDeviation())
        .sorted(Comparator.comparingDouble((Integer f) -> -Math.abs(deviation[f])))
        .limit(settings.descriptionFeatures())
        .forEach(
            f ->
                parts.add(
                    (deviation[f] > 0 ? "high " : "low ") + features.get(f).replace('_', ' ')));
    return parts.isEmpty() ? "close to the population average" : String.join(", ", parts);
  }
}
