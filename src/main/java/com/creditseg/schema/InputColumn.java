package com.creditseg.schema;

import java.util.List;
import java.util.Map;

/**
 * Where one column a run read came from, as its model bundle records it for {@code serve}.
 *
 * @param source the source column it was read from (its name in the input), null for an expression
 * @param computed true when the column needs Spark to compute from the source (an expression or a
 *     date turned into months): a client sends its value computed
 * @param categories the mapping's value map (source value, any case, to the value read), empty if
 *     none
 * @param multiply the factor a source value is multiplied by (1 if none)
 * @param rescale {@code [from-low, from-high, to-low, to-high]} a source value is rescaled by, or
 *     null
 * @param missing what a missing value is read as (the mapping's {@code missing}, as the column's
 *     value), or null: the quality rules decide
 */
public record InputColumn(
    String source,
    boolean computed,
    Map<String, String> categories,
    double multiply,
    List<Double> rescale,
    String missing) {
  public InputColumn {
    categories = categories == null ? Map.of() : Map.copyOf(categories);
    rescale = rescale == null ? null : List.copyOf(rescale);
  }

  /**
   * The canonical value of a number sent under the source column's name, in the batch reader's
   * order of operations (the same double to the last bit).
   */
  public double fromSource(double value) {
    double x = multiply != 1.0 ? value * multiply : value;
    if (rescale == null) {
      return x;
    }
    double from = rescale.get(1) - rescale.get(0);
    double to = rescale.get(3) - rescale.get(2);
    return (x - rescale.get(0)) / from * to + rescale.get(2);
  }
}
