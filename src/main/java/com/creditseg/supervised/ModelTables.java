package com.creditseg.supervised;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The supervised models' tables as the run writes them under models/: every feature's bins with
 * their counts, WoE and IV ({@code woe_bins}), and the scorecard, one row per feature and bin with
 * its points ({@code scorecard}). Small: features times bins.
 */
public final class ModelTables {
  private ModelTables() {}

  private static final StructType BINS =
      new StructType()
          .add("feature", DataTypes.StringType)
          .add("feature_iv", DataTypes.DoubleType)
          .add("status", DataTypes.StringType)
          .add("trend", DataTypes.StringType)
          .add("bin", DataTypes.IntegerType)
          .add("kind", DataTypes.StringType)
          .add("values", DataTypes.StringType)
          .add("lower", DataTypes.DoubleType)
          .add("upper", DataTypes.DoubleType)
          .add("customers", DataTypes.LongType)
          .add("events", DataTypes.LongType)
          .add("non_events", DataTypes.LongType)
          .add("event_rate", DataTypes.DoubleType)
          .add("woe", DataTypes.DoubleType)
          .add("iv", DataTypes.DoubleType);

  private static final StructType SCORECARD =
      new StructType()
          .add("feature", DataTypes.StringType)
          .add("coefficient", DataTypes.DoubleType)
          .add("bin", DataTypes.IntegerType)
          .add("values", DataTypes.StringType)
          .add("customers", DataTypes.LongType)
          .add("woe", DataTypes.DoubleType)
          .add("points", DataTypes.DoubleType);

  /**
   * Every offered feature's bin table, with its status (kept, low_iv, suspected_leak, collinear,
   * wrong_sign).
   */
  public static Dataset<Row> bins(SparkSession spark, RiskModels.Fitted fitted) {
    List<Row> rows = new ArrayList<>();
    for (RiskModels.FeatureIv f : fitted.report().features()) {
      FeatureBins t =
          fitted.allTables().stream()
              .filter(x -> x.feature().equals(f.feature()))
              .findFirst()
              .orElseThrow();
      for (WoeBin b : t.bins()) {
        rows.add(
            RowFactory.create(
                t.feature(),
                t.iv(),
                f.status(),
                t.trend(),
                b.index(),
                b.kind().name().toLowerCase(Locale.ROOT),
                b.describe(),
                b.lower(),
                b.upper(),
                b.count(),
                b.events(),
                b.nonEvents(),
                b.eventRate(),
                b.woe(),
                b.iv()));
      }
    }
    return spark.createDataFrame(rows, BINS);
  }

  /** The scorecard: feature, bin and points. */
  public static Dataset<Row> scorecard(SparkSession spark, Scorecard card) {
    List<Row> rows = new ArrayList<>();
    for (Scorecard.Feature f : card.features()) {
      for (Scorecard.BinPoints b : f.bins()) {
        rows.add(
            RowFactory.create(
                f.feature(), f.coefficient(), b.index(), b.bin(), b.count(), b.woe(), b.points()));
      }
    }
    return spark.createDataFrame(rows, SCORECARD);
  }
}
