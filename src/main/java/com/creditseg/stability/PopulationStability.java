package com.creditseg.stability;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.StabilitySettings;
import com.creditseg.model.Population;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreBands;
import com.creditseg.segment.SegmentModel;
import com.creditseg.supervised.Scorecard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How far a run's customers moved from the previous run's, or from the population a model was
 * fitted on ({@link Population}): the population stability index (PSI) of the credit score by score
 * band and of every clustering feature and the scorecard's points and probability of default by the
 * reference's deciles, and the migration of customers between segments.
 *
 * <pre>
 *   PSI = sum over bins of (c - p) * ln(c / p)
 * </pre>
 *
 * where p and c are the previous and the current run's shares of customers in a bin, each at least
 * {@value #FLOOR} (an empty bin would make the logarithm infinite). Customers without a value count
 * in a bin of their own. Deciles come from the reference's customers (approximate percentiles,
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

  /**
   * The PSI of the score (by band), of each feature both runs have and of the model outputs both
   * have ({@link #MODEL_OUTPUTS}; by the reference's deciles), and the worst verdict.
   */
  public record Shift(Psi score, List<Psi> features, List<Psi> models, String verdict) {}

  /** The supervised scorecard's outputs, compared like the features when both runs have them. */
  public static final List<String> MODEL_OUTPUTS = List.of(Scorecard.PROBABILITY, Scorecard.POINTS);

  public Shift shift(
      Dataset<Row> previous,
      Dataset<Row> current,
      int scoreMin,
      int scoreMax,
      List<String> features) {
    List<String> variables = new ArrayList<>(features);
    MODEL_OUTPUTS.stream().filter(m -> !variables.contains(m)).forEach(variables::add);
    List<String> shared =
        variables.stream()
            .filter(f -> has(previous, f) && has(current, f))
            .filter(f -> CustomerSchema.isNumeric(current.schema().apply(f).dataType()))
            .toList();
    return shift(reference(previous, scoreMin, scoreMax, shared), current);
  }

  /**
   * The population a model is fitted on, as the bundle keeps it: the score, every clustering
   * feature and the scorecard's outputs ({@link #MODEL_OUTPUTS}, when {@code data} has them).
   */
  public Population ofModel(Dataset<Row> data, int scoreMin, int scoreMax, List<String> features) {
    List<String> variables = new ArrayList<>(features);
    variables.addAll(MODEL_OUTPUTS);
    return reference(data, scoreMin, scoreMax, variables);
  }

  /**
   * {@code data}'s population: the score by band, and each of {@code variables} that it has as a
   * number by its deciles, with the customers in each bin (one aggregation for the deciles, one for
   * the counts).
   */
  public Population reference(
      Dataset<Row> data, int scoreMin, int scoreMax, List<String> variables) {
    List<String> present =
        variables.stream()
            .filter(v -> !v.equals(CreditScorer.SCORE) && has(data, v))
            .filter(v -> CustomerSchema.isNumeric(data.schema().apply(v).dataType()))
            .toList();
    Map<String, Binning> binnings = new LinkedHashMap<>();
    binnings.put(CreditScorer.SCORE, bands(scoreMin, scoreMax));
    Map<String, double[]> edges = deciles(data, present);
    edges.forEach((v, e) -> binnings.put(v, byEdges(v, e)));
    Map<String, long[]> counts = counts(data, binnings);
    List<Population.Variable> out = new ArrayList<>();
    binnings.forEach(
        (v, binning) ->
            out.add(
                new Population.Variable(
                    v,
                    edges.containsKey(v) ? Arrays.stream(edges.get(v)).boxed().toList() : null,
                    binning.names(),
                    Arrays.stream(counts.get(v)).boxed().toList())));
    long customers = Arrays.stream(counts.get(CreditScorer.SCORE)).sum();
    return new Population(scoreMin, scoreMax, customers, out);
  }

  /** {@code current} against a reference population, bin for bin. */
  public Shift shift(Population reference, Dataset<Row> current) {
    Map<String, Binning> binnings = new LinkedHashMap<>();
    Map<String, long[]> before = new LinkedHashMap<>();
    for (Population.Variable v : reference.variables()) {
      if (v.edges() == null) {
        binnings.put(v.name(), bands(reference.scoreMin(), reference.scoreMax()));
      } else if (has(current, v.name())) {
        binnings.put(v.name(), byEdges(v.name(), v.edges().stream().mapToDouble(d -> d).toArray()));
      } else {
        continue;
      }
      before.put(v.name(), v.customers().stream().mapToLong(c -> c).toArray());
    }
    Map<String, long[]> after = counts(current, binnings);
    Psi score = null;
    List<Psi> features = new ArrayList<>();
    List<Psi> models = new ArrayList<>();
    String verdict = STABLE;
    for (Map.Entry<String, Binning> e : binnings.entrySet()) {
      String v = e.getKey();
      Psi p = psi(v, e.getValue().names(), before.get(v), after.get(v));
      verdict = worse(verdict, p.verdict());
      if (v.equals(CreditScorer.SCORE)) {
        score = p;
      } else if (MODEL_OUTPUTS.contains(v)) {
        models.add(p);
      } else {
        features.add(p);
      }
    }
    return new Shift(score, List.copyOf(features), List.copyOf(models), verdict);
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
        Comparator.comparing(Flow::previousCluster, Comparator.nullsLast(Integer::compare))
            .thenComparing(Flow::cluster, Comparator.nullsLast(Integer::compare)));
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

  /** Each variable's decile edges (distinct, ascending), in one aggregation. */
  private static Map<String, double[]> deciles(Dataset<Row> data, List<String> variables) {
    Map<String, double[]> out = new LinkedHashMap<>();
    if (variables.isEmpty()) {
      return out;
    }
    Column probabilities =
        array(
            Arrays.stream(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9})
                .mapToObj(p -> lit(p))
                .toArray(Column[]::new));
    List<Column> aggregates = new ArrayList<>();
    for (String f : variables) {
      aggregates.add(percentile_approx(col(f).cast("double"), probabilities, lit(10_000)).as(f));
    }
    Row row =
        data.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
            .first();
    for (String f : variables) {
      List<Double> deciles = row.getList(row.fieldIndex(f));
      out.put(
          f,
          deciles == null
              ? new double[0]
              : deciles.stream()
                  .filter(d -> d != null)
                  .mapToDouble(d -> d)
                  .distinct()
                  .sorted()
                  .toArray());
    }
    return out;
  }

  /** A variable binned by {@code edges}: bin i holds the values with i edges at most them. */
  private static Binning byEdges(String variable, double[] edges) {
    Column x = col(variable).cast("double");
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
    return new Binning(when(x.isNotNull(), bin), names);
  }

  /** Customers per bin of every variable, in one aggregation; the last bin counts nulls. */
  private static Map<String, long[]> counts(Dataset<Row> data, Map<String, Binning> binnings) {
    // Each variable's bin once per row, then the counts from it: counted from the bin expression
    // itself, every bin of every variable recomputed it, which made the counts slow.
    List<Column> bins = new ArrayList<>();
    List<Column> aggregates = new ArrayList<>();
    int v = 0;
    for (Map.Entry<String, Binning> e : binnings.entrySet()) {
      String bin = "_bin" + v++;
      bins.add(e.getValue().bin().as(bin));
      int missing = e.getValue().names().size() - 1;
      for (int b = 0; b <= missing; b++) {
        Column in = b == missing ? col(bin).isNull() : col(bin).equalTo(b);
        aggregates.add(count_if(in).as(bin + "#" + b));
      }
    }
    Row row =
        data.select(bins.toArray(Column[]::new))
            .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
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
