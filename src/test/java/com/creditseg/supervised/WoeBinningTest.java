package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Trend;
import com.creditseg.schema.InputContractException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class WoeBinningTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("x", DataTypes.DoubleType)
          .add("z", DataTypes.DoubleType)
          .add("cat", DataTypes.StringType)
          .add("defaulted", DataTypes.IntegerType);

  private static final SupervisedSettings.Binning BINNING =
      new SupervisedSettings.Binning(5, 0.1, Trend.AUTO, List.of(-1.0), 0.02, 0.5, 2.0);

  /**
   * 100 customers: x = 1..10, ten each; of the ten with value v, the first (5,4,4,3,3,2,2,1,1,0)[v]
   * defaulted, so the five quintile bins (-inf,2], (2,4], ... hold 20 customers with 9, 7, 5, 3, 1
   * defaults. z is x but -1 (special) for the first 10 and missing for the next 10. cat: A for 50,
   * B for 40, C for 5 (rare at a 10 % minimum), missing for 5.
   */
  static Dataset<Row> fixture() {
    int[] eventsPerValue = {5, 4, 4, 3, 3, 2, 2, 1, 1, 0};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      int v = i / 10 + 1;
      int label = i % 10 < eventsPerValue[v - 1] ? 1 : 0;
      Double z = i < 10 ? Double.valueOf(-1) : i < 20 ? null : Double.valueOf(v);
      int c = i % 20;
      String cat = c < 10 ? "A" : c < 18 ? "B" : c == 18 ? "C" : null;
      rows.add(RowFactory.create(String.format("c%03d", i), (double) v, z, cat, label));
    }
    return SharedSpark.spark().createDataFrame(rows, SCHEMA);
  }

  private static FeatureBins table(WoeBinningModel model, String feature) {
    return model.tables().stream().filter(t -> t.feature().equals(feature)).findFirst().get();
  }

  @Test
  void numericBinsAreQuantileRangesWithHandComputedWoe() {
    WoeBinningModel model =
        new WoeBinning("defaulted", List.of("x"), List.of(), BINNING).fit(fixture());
    FeatureBins x = table(model, "x");
    assertEquals("descending", x.trend());
    assertEquals(5, x.bins().size());
    List<String> ranges = x.bins().stream().map(WoeBin::describe).toList();
    assertEquals(List.of("(-inf, 2]", "(2, 4]", "(4, 6]", "(6, 8]", "(8, +inf)"), ranges);
    assertEquals(List.of(9L, 7L, 5L, 3L, 1L), x.bins().stream().map(WoeBin::events).toList());
    // 25 events, 75 non-events, 5 bins, smoothing 0.5: good share (20 - e + 0.5) / 77.5, bad
    // share (e + 0.5) / 27.5. e = 9: ln((11.5 / 77.5) / (9.5 / 27.5)) = -0.845037.
    double[] woe = {-0.8450366949, -0.4483052668, 0.0, 0.5733459807, 1.5288574258};
    for (int i = 0; i < 5; i++) {
      assertEquals(woe[i], x.bins().get(i).woe(), 1e-9, "bin " + i);
    }
    // IV = sum (good - bad) * woe: 0.166529 + 0.044173 + 0 + 0.056494 + 0.301288.
    assertEquals(0.5684843602, x.iv(), 1e-9);
  }

  @Test
  void specialAndMissingValuesGetBinsOfTheirOwn() {
    WoeBinningModel model =
        new WoeBinning("defaulted", List.of("z"), List.of(), BINNING).fit(fixture());
    FeatureBins z = table(model, "z");
    WoeBin special = z.bins().get(z.bins().size() - 2);
    WoeBin missing = z.bins().get(z.bins().size() - 1);
    assertEquals(WoeBin.Kind.SPECIAL, special.kind());
    assertEquals(-1.0, special.special());
    assertEquals(10, special.count());
    assertEquals(5, special.events());
    assertEquals(WoeBin.Kind.MISSING, missing.kind());
    assertEquals(10, missing.count());
    assertEquals(4, missing.events());
    long inRanges =
        z.bins().stream().filter(b -> b.kind() == WoeBin.Kind.RANGE).mapToLong(WoeBin::count).sum();
    assertEquals(80, inRanges);
  }

  @Test
  void rareCategoriesArePooledAndUnseenOnesAreNeutral() {
    WoeBinningModel model =
        new WoeBinning("defaulted", List.of(), List.of("cat"), BINNING).fit(fixture());
    FeatureBins cat = table(model, "cat");
    assertEquals(
        List.of("A", "B", "C", "missing"), cat.bins().stream().map(WoeBin::describe).toList());
    assertEquals(List.of(50L, 40L, 5L, 5L), cat.bins().stream().map(WoeBin::count).toList());
    List<Row> unseen =
        SharedSpark.spark()
            .createDataFrame(
                List.of(
                    RowFactory.create("n1", 1.0, 1.0, "D", 0),
                    RowFactory.create("n2", 1.0, 1.0, "B", 0)),
                SCHEMA)
            .transform(model::transform)
            .orderBy("customer_id")
            .select("woe_cat")
            .collectAsList();
    // A category the training part never showed gets WoE 0.
    assertEquals(0.0, unseen.get(0).getDouble(0), 0.0);
    assertEquals(cat.bins().get(1).woe(), unseen.get(1).getDouble(0), 1e-12);
  }

  @Test
  void transformAddsEachCustomersBinWoe() {
    WoeBinningModel model =
        new WoeBinning("defaulted", List.of("x"), List.of("cat"), BINNING).fit(fixture());
    List<Row> rows =
        model.transform(fixture()).orderBy("customer_id").select("x", "woe_x").collectAsList();
    FeatureBins x = table(model, "x");
    for (Row r : rows) {
      int bin = (int) ((r.getDouble(0) - 1) / 2);
      assertEquals(x.bins().get(bin).woe(), r.getDouble(1), 1e-12, "x = " + r.getDouble(0));
    }
  }

  @Test
  void featuresBelowTheIvThresholdAreDroppedAndListed() {
    SupervisedSettings.Binning strict =
        new SupervisedSettings.Binning(5, 0.1, Trend.AUTO, List.of(-1.0), 0.3, 0.5, 2.0);
    WoeBinningModel model =
        new WoeBinning("defaulted", List.of("x"), List.of("cat"), strict).fit(fixture());
    assertEquals(List.of("x"), model.kept().stream().map(FeatureBins::feature).toList());
    assertEquals(List.of("cat"), model.dropped().stream().map(FeatureBins::feature).toList());
    assertTrue(List.of(model.transform(fixture()).columns()).contains("woe_x"));
    assertTrue(!List.of(model.transform(fixture()).columns()).contains("woe_cat"));
  }

  @Test
  void aLabelWithOneClassIsRefusedNamingIt() {
    Dataset<Row> allGood = fixture().withColumn("defaulted", functions.lit(0));
    InputContractException e =
        assertThrows(
            InputContractException.class,
            () -> new WoeBinning("defaulted", List.of("x"), List.of(), BINNING).fit(allGood));
    assertTrue(e.getMessage().contains("'defaulted' needs both"), e.getMessage());
  }

  @Test
  void monotoneMergingPoolsViolatorsThenSmallBins() {
    List<BinMerger.Range> prebins =
        List.of(
            new BinMerger.Range(null, 1.0, 100, 10),
            new BinMerger.Range(1.0, 2.0, 100, 30),
            new BinMerger.Range(2.0, 3.0, 100, 20),
            new BinMerger.Range(3.0, null, 100, 40));
    BinMerger.Merged merged = BinMerger.merge(prebins, Trend.AUTO, 0);
    assertTrue(merged.ascending());
    // 0.3 then 0.2 goes against the ascending trend: pooled to 50 / 200.
    assertEquals(
        List.of(
            new BinMerger.Range(null, 1.0, 100, 10),
            new BinMerger.Range(1.0, 3.0, 200, 50),
            new BinMerger.Range(3.0, null, 100, 40)),
        merged.ranges());
    // At least 150 customers a bin: the first (100, rate 0.10) joins its only neighbour, then the
    // last (100) joins what is left: one bin.
    List<BinMerger.Range> large = BinMerger.largeEnough(merged.ranges(), 150);
    assertEquals(1, large.size());
    assertEquals(new BinMerger.Range(null, null, 400, 100), large.get(0));
  }

  @Test
  void aConfiguredTrendIsFollowedEvenAgainstTheData() {
    List<BinMerger.Range> prebins =
        List.of(
            new BinMerger.Range(null, 1.0, 100, 10),
            new BinMerger.Range(1.0, 2.0, 100, 20),
            new BinMerger.Range(2.0, null, 100, 30));
    BinMerger.Merged merged = BinMerger.merge(prebins, Trend.DESCENDING, 0);
    assertEquals(List.of(new BinMerger.Range(null, null, 300, 60)), merged.ranges());
  }
}
