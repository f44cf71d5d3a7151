package com.creditseg.rfm;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.sum;

import com.creditseg.schema.CustomerSchema;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The named R × F segments and the R × F grid of metrics.json and the report, from the scored
 * customers ({@link RfmScorer}). Reads {@code rfm_segment}, {@code r_score}, {@code f_score},
 * {@code recency_days}, {@code frequency}, {@code monetary} and, when present, {@code p_loyal}.
 * Each is one group-by; one row per segment or cell reaches the driver.
 */
public final class RfmSummary {
  private RfmSummary() {}

  /** One named R × F segment: size, value and spend quartiles. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NamedSegment(
      String name,
      long customers,
      double share,
      double totalMonetary,
      double valueShare,
      double meanRecencyDays,
      double meanFrequency,
      double meanMonetary,
      double monetaryP25,
      double monetaryP50,
      double monetaryP75,
      Double meanPLoyal) {}

  /** One cell of the R × F grid. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record GridCell(int r, int f, String segment, long customers, double meanMonetary) {}

  /**
   * Size, value and spend quartiles of each named segment, in the map's order, then {@value
   * RfmScorer#RETURNS_ONLY} when there are such customers.
   */
  public static List<NamedSegment> namedSegments(Dataset<Row> customers, RfmSegmentMap map) {
    CustomerSchema.require(
        customers,
        List.of(
            RfmScorer.SEGMENT,
            RfmCalculator.RECENCY,
            RfmCalculator.FREQUENCY,
            RfmCalculator.MONETARY),
        "summarise the named segments");
    boolean hasP = List.of(customers.columns()).contains(LoyaltyModel.P_LOYAL);
    Map<String, Row> bySegment = new HashMap<>();
    customers
        .groupBy(RfmScorer.SEGMENT)
        .agg(
            count(lit(1)).as("n"),
            sum(RfmCalculator.MONETARY).as("total"),
            avg(RfmCalculator.RECENCY).as("mean_recency"),
            avg(RfmCalculator.FREQUENCY).as("mean_frequency"),
            avg(RfmCalculator.MONETARY).as("mean_monetary"),
            percentile_approx(
                    col(RfmCalculator.MONETARY), lit(new double[] {0.25, 0.5, 0.75}), lit(10_000))
                .as("monetary_quartiles"),
            (hasP ? avg(LoyaltyModel.P_LOYAL) : lit(null).cast("double")).as("mean_p_loyal"))
        .collectAsList()
        .forEach(r -> bySegment.put(r.getAs(RfmScorer.SEGMENT), r));
    long all = bySegment.values().stream().mapToLong(r -> r.<Long>getAs("n")).sum();
    double value = bySegment.values().stream().mapToDouble(r -> r.<Double>getAs("total")).sum();
    List<String> names = new ArrayList<>(map.names());
    if (bySegment.containsKey(RfmScorer.RETURNS_ONLY)) {
      names.add(RfmScorer.RETURNS_ONLY);
    }
    List<NamedSegment> out = new ArrayList<>();
    for (String name : names) {
      Row r = bySegment.get(name);
      out.add(
          r == null
              ? new NamedSegment(name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null)
              : namedSegment(r, all, value));
    }
    return List.copyOf(out);
  }

  private static NamedSegment namedSegment(Row r, long all, double value) {
    long n = r.getAs("n");
    double total = r.getAs("total");
    List<Double> q = r.getList(r.fieldIndex("monetary_quartiles"));
    return new NamedSegment(
        r.getAs(RfmScorer.SEGMENT),
        n,
        (double) n / all,
        total,
        value == 0 ? 0 : total / value,
        r.getAs("mean_recency"),
        r.getAs("mean_frequency"),
        r.getAs("mean_monetary"),
        q.get(0),
        q.get(1),
        q.get(2),
        r.getAs("mean_p_loyal"));
  }

  /**
   * The 25 cells of the R × F grid, empty ones included; customers without a purchase are in none.
   */
  public static List<GridCell> grid(Dataset<Row> customers, RfmSegmentMap map) {
    CustomerSchema.require(
        customers,
        List.of(RfmScorer.SEGMENT, RfmScorer.R_SCORE, RfmScorer.F_SCORE, RfmCalculator.MONETARY),
        "build the R × F grid");
    Map<String, Row> cells = new HashMap<>();
    customers
        .filter(col(RfmScorer.SEGMENT).notEqual(RfmScorer.RETURNS_ONLY))
        .groupBy(RfmScorer.R_SCORE, RfmScorer.F_SCORE)
        .agg(count(lit(1)).as("n"), avg(RfmCalculator.MONETARY).as("mean_monetary"))
        .collectAsList()
        .forEach(r -> cells.put(r.getAs(RfmScorer.R_SCORE) + ":" + r.getAs(RfmScorer.F_SCORE), r));
    List<GridCell> out = new ArrayList<>();
    for (int r = 1; r <= 5; r++) {
      for (int f = 1; f <= 5; f++) {
        Row c = cells.get(r + ":" + f);
        out.add(
            new GridCell(
                r,
                f,
                map.nameOf(r, f),
                c == null ? 0 : c.<Long>getAs("n"),
                c == null ? 0 : c.<Double>getAs("mean_monetary")));
      }
    }
    return List.copyOf(out);
  }
}
