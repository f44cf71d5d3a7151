package com.creditseg.stability;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.StabilitySettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreBands;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How far a run's customers moved from the previous run's: the population stability index (PSI) of
 * the credit score by score band and of every clustering feature by the previous run's deciles, and
 * the migration of customers between segments.
 *
 * <pre>
 *   PSI = sum over bins of (c - p) * ln(c / p)
 * </pre>
 *
 * where p and c are the previous and the current run's shares of customers in a bin, each at least
 * {@value #FLOOR} (an empty bin would make the logarithm infinite). Customers without a value count
 * in a bin of their own. Deciles come from the previous run's segments (approximate percentiles,
 * accuracy 10,000); repeated decile values collapse into one bin edge. Verdicts: below
 * stability.psi-investigate "stable", below stability.psi-significant "investigate", else
 * "significant". Each table is one Spark aggregation per run (the migration one join on
 * customer_id); only bin counts and segment pairs reach the driver.
 */
public final class PopulationStability {
  public static final double FLOOR = 1.0e-4;
  public static final String STABLE = "stable";
  public static final String INVESTIGATE = "investigate";
  public static final String SIGNIFICANT = "significant";
  private static final String MISSING = "missing";

  private final StabilitySettings settings;

  public PopulationStability(StabilitySettings settings) {
    this.settings = settings;
  }

  /** One bin of one variable: customers and shares in each run. */
  public record Bin(
      String bin, long previous, long current, double previousShare, double currentShare) {}

  /** One variable's PSI, its verdict and its bins. */
  public record Psi(String variable, double psi, String verdict, List<Bin> bins) {}

  /**
   * Customers of {@code previousCluster} (null: not in the previous run) now in {@code cluster}
   * (null: not in this run); {@code share} of the previous segment's customers.
   */
  public record Flow(
      Integer previousCluster,
      String previousSegment,
      Integer cluster,
      String segment,
      long customers,
      double share) {}

  /** The PSI of the score (by band) and of each feature both runs have (by previous deciles). */
  public record Shift(Psi score, List<Psi> features, String verdict) {}

  public Shift shift(
      Dataset<Row> previous,
      Dataset<Row> current,
      int scoreMin,
      int scoreMax,
      List<String> features) {
    List<String> shared =
        features.stream()
            .filter(f -> has(previous, f) && has(current, f))
            .filter(f -> CustomerSchema.isNumeric(current.schema().apply(f).dataType()))
            .toList();
    Map<String, Binning> binnings = new LinkedHashMap<>();
    binnings.put(CreditScorer.SCORE, bands(scoreMin, scoreMax));
    binnings.putAll(deciles(previous, shared));
    Map<String, long[]> before = counts(previous, binnings);
    Map<String, long[]> after = counts(current, binnings);
    List<Psi> all = new ArrayList<>();
    binnings.forEach(
        (variable, binning) ->
            all.add(psi(variable, binning.names(), before.get(variable), after.get(variable))));
    Psi score = all.get(0);
    List<Psi> featurePsi = List.copyOf(all.subList(1, all.size()));
    String verdict = score.verdict();
    for (Psi p : featurePsi) {
      verdict = worse(verdict, p.verdict());
    }
    return new Shift(score, featurePsi, verdict);
  }

  /** The segment-to-segment migration of customers between the runs (a full outer join by id). */
  public List<Flow> migration(Dataset<Row> previous, Dataset<Row> current) {
    String id = CustomerSchema.CUSTOMER_ID;
    Dataset<Row> before =
        previous.select(
            col(id),
            col(SegmentModel.CLUSTER).as("previous_cluster"),
            col(SegmentModel.SEGMENT).as("previous_segment"));
    Dataset<Row> after =
        current.select(col(id), col(SegmentModel.CLUSTER), col(SegmentModel.SEGMENT));
    List<Row> rows =
        before
            .join(after, before.col(id).equalTo(after.col(id)), "full_outer")
            .groupBy("previous_cluster", "previous_segment", "cluster", "segment")
            .count()
            .collectAsList();
    Map<Integer, Long> fromTotals = new TreeMap<>();
    for (Row r : rows) {
      Integer from = r.getAs("previous_cluster");
      fromTotals.merge(from == null ? -1 : from, r.<Long>getAs("count"), Long::sum);
    }
    List<Flow> flows = new ArrayList<>();
    for (Row r : rows) {
      Integer from = r.getAs("previous_cluster");
      long n = r.getAs("count");
      flows.add(
          new Flow(
              from,
              r.getAs("previous_segment"),
              r.getAs("cluster"),
              r.getAs("segment"),
              n,
              (double) n / fromTotals.get(from == null ? -1 : from)));
    }
    flows.sort(
        java.util.Comparator.comparing(
                Flow::previousCluster, java.util.Comparator.nullsLast(Integer::compare))
            .thenComparing(Flow::cluster, java.util.Comparator.nullsLast(Integer::compare)));
    return List.copyOf(flows);
  }

  /** PSI of two bin counts (same bins, in order), shares floored at {@value #FLOOR}. */
  public static double psi(long[] previous, long[] current) {
    long p = Arrays.stream(previous).sum();
    long c = Arrays.stream(current).sum();
    double psi = 0;
    for (int b = 0; b < previous.length; b++) {
      double ps = Math.max(FLOOR, p == 0 ? 0 : (double) previous[b] / p);
      double cs = Math.max(FLOOR, c == 0 ? 0 : (double) current[b] / c);
      psi += (cs - ps) * Math.log(cs / ps);
    }
    return psi;
  }

  public String verdict(double psi) {
    if (psi < settings.investigate()) {
      return STABLE;
    }
    return psi < settings.significant() ? INVESTIGATE : SIGNIFICANT;
  }

  public static String worse(String a, String b) {
    List<String> order = List.of(STABLE, INVESTIGATE, SIGNIFICANT);
    return order.indexOf(a) >= order.indexOf(b) ? a : b;
  }

  private Psi psi(String variable, List<String> names, long[] previous, long[] current) {
    long p = Arrays.stream(previous).sum();
    long c = Arrays.stream(current).sum();
    List<Bin> bins = new ArrayList<>();
    for (int b = 0; b < names.size(); b++) {
      if (b == names.size() - 1 && previous[b] == 0 && current[b] == 0) {
        continue; // no missing values in either run: no "missing" bin
      }
      bins.add(
          new Bin(
              names.get(b),
              previous[b],
              current[b],
              p == 0 ? 0 : (double) previous[b] / p,
              c == 0 ? 0 : (double) current[b] / c));
    }
    long[] pk = bins.stream().mapToLong(Bin::previous).toArray();
    long[] ck = bins.stream().mapToLong(Bin::current).toArray();
    double value = psi(pk, ck);
    return new Psi(variable, value, verdict(value), List.copyOf(bins));
  }

  /** How a variable is binned: the bin index of a value (null: missing) and the bins' names. */
  private record Binning(Column bin, List<String> names) {}

  private static Binning bands(int min, int max) {
    List<ScoreBands.Band> bands = ScoreBands.of(min, max);
    List<String> names = new ArrayList<>();
    bands.forEach(b -> names.add(b.name() + " (" + b.from() + "-" + b.to() + ")"));
    names.add(MISSING);
    return new Binning(ScoreBands.indexOf(col(CreditScorer.SCORE), bands), names);
  }

  /** Each feature's bins from the previous run's deciles, in one aggregation. */
  private static Map<String, Binning> deciles(Dataset<Row> previous, List<String> features) {
    Map<String, Binning> binnings = new LinkedHashMap<>();
    if (features.isEmpty()) {
      return binnings;
    }
    Column probabilities =
        array(
            Arrays.stream(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9})
                .mapToObj(p -> lit(p))
                .toArray(Column[]::new));
    List<Column> aggregates = new ArrayList<>();
    for (String f : features) {
      aggregates.add(percentile_approx(col(f).cast("double"), probabilities, lit(10_000)).as(f));
    }
    Row row =
        previous
            .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
            .first();
    for (String f : features) {
      List<Double> deciles = row.getList(row.fieldIndex(f));
      double[] edges =
          deciles == null
              ? new double[0]
              : deciles.stream()
                  .filter(d -> d != null)
                  .mapToDouble(d -> d)
                  .distinct()
                  .sorted()
                  .toArray();
      Column x = col(f).cast("double");
      Column bin = lit(0);
      for (double e : edges) {
        bin = bin.plus(when(x.geq(e), 1).otherwise(0));
      }
      List<String> names = new ArrayList<>();
      for (int b = 0; b <= edges.length; b++) {
        names.add(
            edges.length == 0
                ? "all"
                : b == 0
                    ? "< " + edges[0]
                    : b == edges.length
                        ? ">= " + edges[b - 1]
                        : "[" + edges[b - 1] + ", " + edges[b] + ")");
      }
      names.add(MISSING);
      binnings.put(f, new Binning(when(x.isNotNull(), bin), names));
    }
    return binnings;
  }

  /** Customers per bin of every variable, in one aggregation; the last bin counts nulls. */
  private static Map<String, long[]> counts(Dataset<Row> data, Map<String, Binning> binnings) {
    List<Column> aggregates = new ArrayList<>();
    binnings.forEach(
        (variable, binning) -> {
          int missing = binning.names().size() - 1;
          for (int b = 0; b <= missing; b++) {
            Column in = b == missing ? binning.bin().isNull() : binning.bin().equalTo(b);
            aggregates.add(count_if(in).as(variable + "#" + b));
          }
        });
    Row row =
        data.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
            .first();
    Map<String, long[]> counts = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, Binning> e : binnings.entrySet()) {
      long[] c = new long[e.getValue().names().size()];
      for (int b = 0; b < c.length; b++) {
        c[b] = row.getLong(i++);
      }
      counts.put(e.getKey(), c);
    }
    return counts;
  }

  private static boolean has(Dataset<Row> data, String column) {
    return Arrays.asList(data.columns()).contains(column);
  }
}
