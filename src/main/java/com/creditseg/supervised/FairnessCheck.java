package com.creditseg.supervised;

import static org.apache.spark.sql.functions.*;

import com.creditseg.schema.CustomerSchema;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;

/**
 * Whether a cutoff on the probability of default (PD) approves protected groups at similar rates:
 * per attribute (gender, marital status, age, ...) and group, the rows, approval rate ({@code pd <
 * cutoff} approved, as in {@link ModelValidation}) and observed default rate, and the adverse
 * impact ratio, the lowest group approval rate over the highest, flagged below the four-fifths rule
 * ({@value #FOUR_FIFTHS}).
 *
 * <p>Reads the numeric 0/1 label, the PD in [0, 1] and the attribute columns; adds no columns. A
 * numeric {@value #AGE} column is banded (under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+); any
 * other attribute groups by its value as text. Null values (and a NaN age) form the group {@value
 * #MISSING}, which counts in the ratio like any group. When no group is approved at all the ratio
 * is 1 (every group treated alike). One aggregation checks the values, as for {@link
 * ModelValidation} except that a single class is allowed; one group-by over all attributes follows.
 */
public final class FairnessCheck {
  public static final String AGE = "age";
  public static final String MISSING = "missing";
  public static final double FOUR_FIFTHS = 0.8;

  /** The age bands, youngest first: each is below the next band's lower bound. */
  public static final List<String> AGE_BANDS =
      List.of("under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+");

  private static final int[] AGE_BOUNDS = {18, 25, 35, 45, 55, 65};
  private static final String ACTION = "check fairness";

  private final String label;
  private final String probability;
  private final double cutoff;

  /** {@code cutoff}: customers with {@code pd >= cutoff} are refused; finite. */
  public FairnessCheck(String label, String probability, double cutoff) {
    this.label = Objects.requireNonNull(label, "label");
    this.probability = Objects.requireNonNull(probability, "probability");
    if (!Double.isFinite(cutoff)) {
      throw new IllegalArgumentException("Cannot check fairness: cutoff must be finite: " + cutoff);
    }
    this.cutoff = cutoff;
  }

  /**
   * One group of an attribute; {@code impactRatio} is its approval rate over the highest group's.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Group(
      String group,
      long rows,
      long approved,
      double approvalRate,
      double defaultRate,
      double impactRatio) {}

  /**
   * One attribute's groups (age bands in age order, other values sorted, {@value #MISSING} last),
   * the groups with the lowest and highest approval rates, their ratio, and whether it is below
   * four fifths.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Attribute(
      String attribute,
      List<Group> groups,
      String lowestGroup,
      String highestGroup,
      double adverseImpactRatio,
      boolean belowFourFifths) {}

  /** The check of every attribute at one cutoff, in the order asked for. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Report(double cutoff, List<Attribute> attributes, boolean anyBelowFourFifths) {}

  /** Checks the approvals of {@code scored} across the groups of each of {@code attributes}. */
  public Report check(Dataset<Row> scored, List<String> attributes) {
    if (attributes.isEmpty()) {
      throw new IllegalArgumentException("Cannot check fairness: no protected attributes given");
    }
    ScoredColumns.requireSchema(scored, label, probability, ACTION);
    CustomerSchema.require(scored, attributes, ACTION);
    ScoredColumns.totals(scored, label, probability, ACTION, false);

    Column[] groups =
        attributes.stream()
            .map(a -> struct(lit(a).as("attribute"), groupOf(scored, a).as("group")))
            .toArray(Column[]::new);
    List<Row> counts =
        scored
            .select(
                explode(array(groups)).as("g"),
                col(probability).cast("double").as("p"),
                col(label).cast("double").as("y"))
            .groupBy(col("g.attribute").as("attribute"), col("g.group").as("group"))
            .agg(
                count(lit(1)).as("rows"),
                count_if(col("p").lt(cutoff)).as("approved"),
                count_if(col("y").equalTo(1.0)).as("events"))
            .collectAsList();

    Map<String, List<Row>> byAttribute = new LinkedHashMap<>();
    attributes.forEach(a -> byAttribute.put(a, new ArrayList<>()));
    counts.forEach(r -> byAttribute.get(r.<String>getAs("attribute")).add(r));
    List<Attribute> results = new ArrayList<>();
    byAttribute.forEach((a, rows) -> results.add(attribute(a, rows, isAgeBanded(scored, a))));
    return new Report(
        cutoff, List.copyOf(results), results.stream().anyMatch(Attribute::belowFourFifths));
  }

  private static Attribute attribute(String name, List<Row> rows, boolean ageBanded) {
    Comparator<String> order =
        ageBanded
            ? Comparator.comparingInt(
                g -> g.equals(MISSING) ? AGE_BANDS.size() : AGE_BANDS.indexOf(g))
            : Comparator.<String, Boolean>comparing(MISSING::equals)
                .thenComparing(Comparator.naturalOrder());
    rows.sort(Comparator.comparing(r -> r.<String>getAs("group"), order));
    double highest = rows.stream().mapToDouble(FairnessCheck::approvalRate).max().orElse(0);
    List<Group> groups = new ArrayList<>();
    Group lowestGroup = null;
    Group highestGroup = null;
    for (Row r : rows) {
      long n = r.<Long>getAs("rows");
      double rate = approvalRate(r);
      Group g =
          new Group(
              r.<String>getAs("group"),
              n,
              r.<Long>getAs("approved"),
              rate,
              (double) r.<Long>getAs("events") / n,
              highest == 0 ? 1 : rate / highest);
      groups.add(g);
      if (lowestGroup == null || rate < lowestGroup.approvalRate()) {
        lowestGroup = g;
      }
      if (highestGroup == null || rate > highestGroup.approvalRate()) {
        highestGroup = g;
      }
    }
    double ratio = lowestGroup.impactRatio();
    return new Attribute(
        name,
        List.copyOf(groups),
        lowestGroup.group(),
        highestGroup.group(),
        ratio,
        ratio < FOUR_FIFTHS);
  }

  private static double approvalRate(Row r) {
    return (double) r.<Long>getAs("approved") / r.<Long>getAs("rows");
  }

  private static boolean isAgeBanded(Dataset<Row> data, String attribute) {
    return attribute.equals(AGE)
        && data.schema().apply(attribute).dataType() instanceof NumericType;
  }

  /** The group of a row: its age band, or its value as text; {@value #MISSING} for null or NaN. */
  private static Column groupOf(Dataset<Row> data, String attribute) {
    Column x = col(attribute);
    if (!isAgeBanded(data, attribute)) {
      return coalesce(x.cast("string"), lit(MISSING));
    }
    Column band = when(x.isNull().or(isnan(x)), MISSING);
    for (int b = 0; b < AGE_BOUNDS.length; b++) {
      band = band.when(x.lt(AGE_BOUNDS[b]), AGE_BANDS.get(b));
    }
    return band.otherwise(AGE_BANDS.get(AGE_BANDS.size() - 1));
  }
}
