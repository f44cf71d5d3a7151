package com.creditseg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares two results' text with every number to within 1e-12 (relative) and everything else
 * exactly. For figures that MLlib sums over partitions in the order its tasks finish (the areas
 * under the ROC and PR curves), whose last bits move between two runs of the same model.
 */
public final class SameFigures {
  private static final Pattern NUMBER =
      Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?|NaN|-?Infinity");

  private SameFigures() {}

  public static void assertSameFigures(Object expected, Object actual, String what) {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    String textA = split(expected.toString(), a);
    String textB = split(actual.toString(), b);
    assertEquals(textA, textB, what + ": the same apart from the numbers");
    assertEquals(a.size(), b.size(), what);
    for (int i = 0; i < a.size(); i++) {
      double x = Double.parseDouble(a.get(i));
      double y = Double.parseDouble(b.get(i));
      boolean same =
          a.get(i).equals(b.get(i)) || Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x));
      if (!same) {
        assertEquals(a.get(i), b.get(i), what + ": number " + i);
      }
    }
  }

  /** The text with each number replaced by #, the numbers into {@code numbers}. */
  private static String split(String text, List<String> numbers) {
    Matcher m = NUMBER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      numbers.add(m.group());
      m.appendReplacement(out, "#");
    }
    m.appendTail(out);
    return out.toString();
  }
}
