package com.creditseg.supervised;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.creditseg.config.SupervisedSettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Weight-of-evidence binning, learnt from labelled customers: an Estimator whose {@link
 * WoeBinningModel} adds a {@code woe_<feature>} column per kept feature.
 *
 * <p>Numeric features are cut at {@code quantile-bins} quantiles of their valid values (special
 * values and missing ones set aside), counted in one pass with the categorical features, and the
 * pre-bins merged on the driver by {@link BinMerger} until the default rate follows the trend and
 * every range holds {@code min-bin-share} of the customers. Categories holding less than that share
 * are pooled into one bin. Missing values (null, NaN) and each special value get a bin of their
 * own. WoE = ln(share of non-events / share of events), each share taken after adding {@code
 * smoothing} to every bin's events and non-events; IV = sum over bins of (share of non-events -
 * share of events) * WoE. Features whose IV is below {@code min-iv} are kept in the tables but get
 * no WoE column.
 *
 * <p>Reads the label (0/1) and the features; fails naming a column that is missing, of the wrong
 * type, or a label with other values than 0 and 1.
 */
public final class WoeBinning extends Estimator<WoeBinningModel> {
  private static final long serialVersionUID = 1L;

  private static final String MISSING = "missing";
  private static final String SPECIAL = "special";
  private static final String RANGE = "range";
  private static final String CATEGORY = "category";

  private final String uid;
  private final String label;
  private final List<String> numeric;
  private final List<String> categorical;
  private final SupervisedSettings.Binning settings;

  public WoeBinning(
      String label,
      List<String> numeric,
      List<String> categorical,
      SupervisedSettings.Binning settings) {
    this(Identifiable.randomUID("woeBinning"), label, numeric, categorical, settings);
  }

  private WoeBinning(
      String uid,
      String label,
      List<String> numeric,
      List<String> categorical,
      SupervisedSettings.Binning settings) {
    this.uid = uid;
    this.label = label;
    this.numeric = List.copyOf(numeric);
    this.categorical = List.copyOf(categorical);
    this.settings = settings;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public WoeBinning copy(ParamMap extra) {
    return new WoeBinning(uid, label, numeric, categorical, settings);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    requireColumns(schema);
    StructType out = schema;
    for (String f : features()) {
      out = out.add(DataTypes.createStructField("woe_" + f, DataTypes.DoubleType, false));
    }
    return out;
  }

  private List<String> features() {
    List<String> all = new ArrayList<>(numeric);
    all.addAll(categorical);
    return all;
  }

  private void requireColumns(StructType schema) {
    Map<String, StructField> fields = new HashMap<>();
    for (StructField f : schema.fields()) {
      fields.put(f.name(), f);
    }
    List<String> needed = new ArrayList<>(features());
    needed.add(label);
    List<String> missing = needed.stream().filter(c -> !fields.containsKey(c)).toList();
    if (!missing.isEmpty()) {
      throw new InputContractException(
          "Cannot bin features: missing column"
              + (missing.size() == 1 ? " '" : "s '")
              + String.join("', '", missing)
              + "' (have: "
              + String.join(", ", schema.fieldNames())
              + ")");
    }
    for (String c : numeric) {
      if (!CustomerSchema.isNumeric(fields.get(c).dataType())) {
        throw new InputContractException(
            "Cannot bin '" + c + "' as a number: it is " + fields.get(c).dataType().simpleString());
      }
    }
    if (!CustomerSchema.isNumeric(fields.get(label).dataType())) {
      throw new InputContractException(
          "Cannot bin features: the label '"
              + label
              + "' is "
              + fields.get(label).dataType().simpleString()
              + ", not a 0/1 number");
    }
  }

  @Override
  public WoeBinningModel fit(Dataset<?> dataset) {
    requireColumns(dataset.schema());
    Dataset<Row> data = dataset.toDF();
    Map<String, double[]> edges = edges(data);
    List<Column> keys = new ArrayList<>();
    for (String f : numeric) {
      keys.add(numericKey(f, edges.get(f)));
    }
    for (String f : categorical) {
      Column c = col(f);
      keys.add(
          struct(
              lit(f).as("feature"),
              when(c.isNull(), lit(MISSING)).otherwise(lit(CATEGORY)).as("kind"),
              c.cast("string").as("key")));
    }
    Column y = col(label).cast("double");
    List<Row> counted =
        data.filter(col(label).isNotNull())
            .select(explode(array(keys.toArray(Column[]::new))).as("k"), y.as("y"))
            .groupBy(
                col("k.feature").as("feature"), col("k.kind").as("kind"), col("k.key").as("key"))
            .agg(
                count(lit(1)).as("n"),
                sum(col("y")).as("events"),
                sum(notBinary(col("y"))).as("bad"))
            .collectAsList();
    Map<String, List<Row>> byFeature = new LinkedHashMap<>();
    features().forEach(f -> byFeature.put(f, new ArrayList<>()));
    for (Row r : counted) {
      if (r.<Long>getAs("bad") > 0) {
        throw new InputContractException(
            "Cannot bin features: the label '" + label + "' has values other than 0 and 1");
      }
      byFeature.get(r.<String>getAs("feature")).add(r);
    }
    long total =
        byFeature.values().iterator().next().stream().mapToLong(r -> r.<Long>getAs("n")).sum();
    long events =
        byFeature.values().iterator().next().stream()
            .mapToLong(r -> Math.round(r.<Double>getAs("events")))
            .sum();
    if (total == 0 || events == 0 || events == total) {
      throw new InputContractException(
          String.format(
              "Cannot bin features: the label '%s' needs both defaulters and non-defaulters among"
                  + " %d labelled customers (%d defaulted)",
              label, total, events));
    }
    long minCount = (long) Math.ceil(settings.minBinShare() * total);
    List<FeatureBins> tables = new ArrayList<>();
    for (String f : numeric) {
      tables.add(numericBins(f, edges.get(f), byFeature.get(f), minCount, total, events));
    }
    for (String f : categorical) {
      tables.add(categoricalBins(f, byFeature.get(f), minCount, total, events));
    }
    return new WoeBinningModel(uid, tables, settings.minIv(), settings.maxIv());
  }

  /** Counts a label value that is neither 0 nor 1 (non-zero fails the fit). */
  private static Column notBinary(Column y) {
    return when(y.notEqual(0).and(y.notEqual(1)), 1).otherwise(0);
  }

  /** The distinct inner quantile edges of each numeric feature's valid, non-special values. */
  private Map<String, double[]> edges(Dataset<Row> data) {
    Map<String, double[]> edges = new HashMap<>();
    if (numeric.isEmpty()) {
      return edges;
    }
    int n = settings.quantileBins();
    double[] probabilities = new double[n - 1];
    for (int i = 1; i < n; i++) {
      probabilities[i - 1] = (double) i / n;
    }
    Column[] regular =
        numeric.stream().map(f -> regular(col(f).cast("double")).as(f)).toArray(Column[]::new);
    double[][] q =
        data.filter(col(label).isNotNull())
            .select(regular)
            .stat()
            .approxQuantile(numeric.toArray(String[]::new), probabilities, 1e-4);
    for (int i = 0; i < numeric.size(); i++) {
      edges.put(numeric.get(i), Arrays.stream(q[i]).distinct().sorted().toArray());
    }
    return edges;
  }

  /** The value, or null when it is missing or special. */
  private Column regular(Column x) {
    Column special = isnan(x);
    for (double s : settings.specialValues()) {
      special = special.or(x.equalTo(s));
    }
    return when(x.isNull().or(special), lit(null).cast("double")).otherwise(x);
  }

  private Column numericKey(String f, double[] edges) {
    Column x = col(f).cast("double");
    Column kind = when(x.isNull().or(isnan(x)), lit(MISSING));
    Column key = when(x.isNull().or(isnan(x)), lit(null).cast("string"));
    for (double s : settings.specialValues()) {
      kind = kind.when(x.equalTo(s), lit(SPECIAL));
      key = key.when(x.equalTo(s), lit(Double.toString(s)));
    }
    Column index = lit(edges.length);
    for (int i = edges.length - 1; i >= 0; i--) {
      index = when(x.leq(edges[i]), lit(i)).otherwise(index);
    }
    return struct(
        lit(f).as("feature"),
        kind.otherwise(lit(RANGE)).as("kind"),
        key.otherwise(index.cast("string")).as("key"));
  }

  private FeatureBins numericBins(
      String f, double[] edges, List<Row> rows, long minCount, long total, long events) {
    long[] n = new long[edges.length + 1];
    long[] e = new long[edges.length + 1];
    List<Counted> apart = new ArrayList<>();
    for (Row r : rows) {
      long count = r.<Long>getAs("n");
      long ev = Math.round(r.<Double>getAs("events"));
      switch (r.<String>getAs("kind")) {
        case RANGE -> {
          int i = Integer.parseInt(r.<String>getAs("key"));
          n[i] += count;
          e[i] += ev;
        }
        case SPECIAL ->
            apart.add(
                new Counted(
                    WoeBin.Kind.SPECIAL,
                    null,
                    Double.parseDouble(r.<String>getAs("key")),
                    count,
                    ev));
        default -> apart.add(new Counted(WoeBin.Kind.MISSING, null, null, count, ev));
      }
    }
    List<BinMerger.Range> prebins = new ArrayList<>();
    for (int i = 0; i <= edges.length; i++) {
      if (n[i] > 0) {
        Double lower = prebins.isEmpty() ? null : edges[i - 1];
        Double upper = i < edges.length ? edges[i] : null;
        prebins.add(new BinMerger.Range(lower, upper, n[i], e[i]));
      }
    }
    // An empty pre-bin leaves a gap: close it so the ranges cover the line.
    for (int i = 1; i < prebins.size(); i++) {
      BinMerger.Range r = prebins.get(i);
      prebins.set(
          i, new BinMerger.Range(prebins.get(i - 1).upper(), r.upper(), r.count(), r.events()));
    }
    if (!prebins.isEmpty()) {
      BinMerger.Range last = prebins.get(prebins.size() - 1);
      prebins.set(
          prebins.size() - 1, new BinMerger.Range(last.lower(), null, last.count(), last.events()));
    }
    BinMerger.Merged merged = BinMerger.merge(prebins, settings.trend(), minCount);
    List<Counted> counted = new ArrayList<>();
    for (BinMerger.Range r : merged.ranges()) {
      counted.add(
          new Counted(
              WoeBin.Kind.RANGE,
              new double[] {bound(r.lower()), bound(r.upper())},
              null,
              r.count(),
              r.events()));
    }
    apart.sort(
        Comparator.comparing((Counted c) -> c.kind() == WoeBin.Kind.MISSING)
            .thenComparing(c -> c.special() == null ? 0 : c.special()));
    counted.addAll(apart);
    return table(f, true, merged.ascending() ? "ascending" : "descending", counted, total, events);
  }

  private static double bound(Double b) {
    return b == null ? Double.NaN : b;
  }

  private FeatureBins categoricalBins(
      String f, List<Row> rows, long minCount, long total, long events) {
    List<Counted> counted = new ArrayList<>();
    List<String> rare = new ArrayList<>();
    long rareCount = 0;
    long rareEvents = 0;
    Counted missing = null;
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.comparing(r -> r.<String>getAs("key") == null ? "" : r.<String>getAs("key")));
    for (Row r : sorted) {
      long count = r.<Long>getAs("n");
      long ev = Math.round(r.<Double>getAs("events"));
      if (r.<String>getAs("kind").equals(MISSING)) {
        missing = new Counted(WoeBin.Kind.MISSING, null, null, count, ev);
      } else if (count < minCount) {
        rare.add(r.<String>getAs("key"));
        rareCount += count;
        rareEvents += ev;
      } else {
        counted.add(new Counted(WoeBin.Kind.CATEGORY, List.of(r.<String>getAs("key")), count, ev));
      }
    }
    if (!rare.isEmpty()) {
      counted.add(new Counted(WoeBin.Kind.CATEGORY, rare, rareCount, rareEvents));
    }
    if (missing != null) {
      counted.add(missing);
    }
    return table(f, false, null, counted, total, events);
  }

  /** A bin's counts before its WoE is known. */
  private record Counted(
      WoeBin.Kind kind,
      double[] bounds,
      List<String> categories,
      Double special,
      long count,
      long events) {
    Counted(WoeBin.Kind kind, double[] bounds, Double special, long count, long events) {
      this(kind, bounds, List.of(), special, count, events);
    }

    Counted(WoeBin.Kind kind, List<String> categories, long count, long events) {
      this(kind, null, categories, null, count, events);
    }
  }

  private FeatureBins table(
      String f, boolean isNumeric, String trend, List<Counted> counted, long total, long events) {
    double s = settings.smoothing();
    int k = counted.size();
    double goods = total - events + s * k;
    double bads = events + s * k;
    List<WoeBin> bins = new ArrayList<>();
    double iv = 0;
    for (int i = 0; i < k; i++) {
      Counted c = counted.get(i);
      double good = (c.count() - c.events() + s) / goods;
      double bad = (c.events() + s) / bads;
      double woe = Math.log(good / bad);
      double binIv = (good - bad) * woe;
      iv += binIv;
      Double lower = c.bounds() == null || Double.isNaN(c.bounds()[0]) ? null : c.bounds()[0];
      Double upper = c.bounds() == null || Double.isNaN(c.bounds()[1]) ? null : c.bounds()[1];
      bins.add(
          new WoeBin(
              i,
              c.kind(),
              lower,
              upper,
              c.categories(),
              c.special(),
              c.count(),
              c.events(),
              c.count() == 0 ? 0 : (double) c.events() / c.count(),
              woe,
              binIv));
    }
    return new FeatureBins(f, isNumeric, trend, bins, iv);
  }
}
