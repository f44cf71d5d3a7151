package com.creditseg.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code rfm.*}: the snapshot, the named segments of the R × F map, KMeans on the log-scaled RFM
 * values (a {@link SegmentSettings} read from {@code rfm.kmeans}) and the loyalty model.
 */
public record RfmSettings(
    boolean snapshotAtRunDate,
    List<NamedSegment> segments,
    SegmentSettings kmeans,
    Loyalty loyalty) {

  /** The clustering features KMeans sees; see reference.conf rfm.kmeans. */
  public static final List<String> KMEANS_FEATURES =
      List.of("log_recency", "log_frequency", "log_monetary");

  /** One named segment: the cells with R score in [rLow, rHigh] and F score in [fLow, fHigh]. */
  public record NamedSegment(String name, int rLow, int rHigh, int fLow, int fHigh) {
    public boolean covers(int r, int f) {
      return r >= rLow && r <= rHigh && f >= fLow && f <= fHigh;
    }
  }

  /** {@code rfm.loyalty.*}; {@code cutoff} is null for "auto" (horizon-days before snapshot). */
  public record Loyalty(
      boolean enabled,
      LocalDate cutoff,
      int horizonDays,
      double testShare,
      long seed,
      String predictor,
      double threshold,
      int logisticMaxIterations,
      double logisticRegParam,
      int gbtMaxIterations,
      int gbtMaxDepth,
      int knnK,
      int knnMaxTrainRows) {
    public static final List<String> PREDICTORS = List.of("logistic", "gbt", "knn");
  }

  static RfmSettings from(Config config) {
    String snapshot = Checks.oneOf(config, "rfm.snapshot", List.of("last-transaction", "run-date"));
    return new RfmSettings(
        snapshot.equals("run-date"), segments(config), kmeans(config), loyalty(config));
  }

  private static List<NamedSegment> segments(Config config) {
    List<NamedSegment> segments = new ArrayList<>();
    List<? extends Config> list =
        Checks.read(config, "rfm.segments", () -> config.getConfigList("rfm.segments"));
    for (int i = 0; i < list.size(); i++) {
      Config s = list.get(i);
      String key = "rfm.segments[" + i + "]";
      if (!s.hasPath("name") || !s.hasPath("r") || !s.hasPath("f")) {
        throw new InvalidSettingsException(
            key + " is not valid: expected { name, r = [lo, hi], f = [lo, hi] }");
      }
      int[] r = range(s, key, "r");
      int[] f = range(s, key, "f");
      segments.add(new NamedSegment(s.getString("name"), r[0], r[1], f[0], f[1]));
    }
    for (int r = 1; r <= 5; r++) {
      for (int f = 1; f <= 5; f++) {
        int rr = r;
        int ff = f;
        List<String> covering =
            segments.stream().filter(s -> s.covers(rr, ff)).map(NamedSegment::name).toList();
        if (covering.size() != 1) {
          throw new InvalidSettingsException(
              String.format(
                  "rfm.segments is not valid: the cell R=%d F=%d is covered by %s; each of the 25"
                      + " cells must be covered exactly once",
                  r, f, covering.isEmpty() ? "no segment" : String.join(", ", covering)));
        }
      }
    }
    return List.copyOf(segments);
  }

  private static int[] range(Config s, String key, String axis) {
    List<Integer> v = Checks.read(s, axis, () -> s.getIntList(axis));
    if (v.size() != 2 || v.get(0) < 1 || v.get(1) > 5 || v.get(0) > v.get(1)) {
      throw new InvalidSettingsException(
          key
              + "."
              + axis
              + " = "
              + v
              + " is not valid: expected [lo, hi] with 1 <= lo <= hi <= 5");
    }
    return new int[] {v.get(0), v.get(1)};
  }

  /** rfm.kmeans read as a segment block, on the fixed log-scaled RFM features. */
  private static SegmentSettings kmeans(Config config) {
    Config block =
        config
            .getConfig("rfm.kmeans")
            .withValue("features", ConfigValueFactory.fromIterable(KMEANS_FEATURES))
            .withValue("feature-weights", ConfigFactory.empty().root());
    try {
      return SegmentSettings.from(block.atPath("segment"), c -> DataTypes.DoubleType);
    } catch (InvalidSettingsException e) {
      throw new InvalidSettingsException(e.getMessage().replace("segment.", "rfm.kmeans."), e);
    }
  }

  private static Loyalty loyalty(Config config) {
    String p = "rfm.loyalty.";
    String cutoff = config.getString(p + "cutoff").trim();
    LocalDate date = null;
    if (!cutoff.equals("auto")) {
      try {
        date = LocalDate.parse(cutoff);
      } catch (DateTimeParseException e) {
        throw new InvalidSettingsException(
            p + "cutoff = '" + cutoff + "' is not valid: expected auto or yyyy-MM-dd", e);
      }
    }
    return new Loyalty(
        Checks.read(config, p + "enabled", () -> config.getBoolean(p + "enabled")),
        date,
        Checks.intIn(config, p + "horizon-days", 1, 3650),
        Checks.doubleIn(config, p + "test-share", 0.01, 0.99),
        Checks.read(config, p + "seed", () -> config.getLong(p + "seed")),
        Checks.oneOf(config, p + "predictor", Loyalty.PREDICTORS),
        Checks.doubleIn(config, p + "threshold", 0.001, 0.999),
        Checks.intIn(config, p + "logistic.max-iterations", 1, 10_000),
        Checks.doubleIn(config, p + "logistic.reg-param", 0, 1e6),
        Checks.intIn(config, p + "gbt.max-iterations", 1, 1000),
        Checks.intIn(config, p + "gbt.max-depth", 1, 20),
        Checks.intIn(config, p + "knn.k", 1, 1000),
        Checks.intIn(config, p + "knn.max-train-rows", 10, 1_000_000));
  }
}
