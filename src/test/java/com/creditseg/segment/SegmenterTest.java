package com.creditseg.segment;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.ScoreSettings;
import com.creditseg.config.SettingsLoader;
import com.creditseg.model.ModelManifest;
import com.creditseg.model.PortableModel;
import com.creditseg.model.RunModel;
import com.creditseg.model.Versions;
import com.creditseg.schema.InputColumn;
import com.creditseg.schema.InputContractException;
import com.creditseg.score.ScoreCard;
import com.creditseg.stability.SegmentContinuity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.feature.ElementwiseProduct;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The segmenter on three well separated groups of customers built in code. */
@ExtendWith(SharedSpark.class)
class SegmenterTest {
  @TempDir static Path tmp;
  static Dataset<Row> customers;
  static Segmenter.Fit fit;

  static final StructType SCHEMA =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField("customer_id", DataTypes.StringType, false),
              DataTypes.createStructField("credit_score", DataTypes.IntegerType, false),
              DataTypes.createStructField("annual_income", DataTypes.DoubleType, false)));

  static Segmenter segmenter(String... extra) {
    List<String> overrides =
        new ArrayList<>(
            List.of(
                "segment.features=[credit_score, annual_income]",
                "segment.k=3",
                "segment.seeds=2"));
    overrides.addAll(List.of(extra));
    return new Segmenter(
        new SettingsLoader().load(List.of(), overrides, LocalDate.of(2026, 1, 31)).segment());
  }

  @BeforeAll
  static void fitOnce() {
    // Three groups: (score, income) around (400, 20k), (600, 50k), (800, 90k).
    Random random = new Random(1);
    List<Row> rows = new ArrayList<>();
    int[] scores = {400, 600, 800};
    double[] incomes = {20_000, 50_000, 90_000};
    for (int i = 0; i < 300; i++) {
      int g = i % 3;
      rows.add(
          RowFactory.create(
              "C" + i,
              scores[g] + random.nextInt(21) - 10,
              incomes[g] + random.nextGaussian() * 1_000));
    }
    customers = SharedSpark.spark().createDataFrame(rows, SCHEMA);
    fit = segmenter().fit(customers);
  }

  @Test
  void findsTheGroupsAndLabelsThemByRisk() {
    List<Row> assigned =
        fit.model()
            .assign(customers)
            .select("customer_id", "segment", "segment_rank")
            .collectAsList();
    for (Row r : assigned) {
      int group = Integer.parseInt(r.getString(0).substring(1)) % 3;
      assertEquals(List.of("Poor", "Fair", "Good").get(group), r.getString(1), r.toString());
      assertEquals(group + 1, r.getInt(2));
    }
    assertEquals(3, fit.selection().chosenK());
    assertEquals(2, fit.selection().candidates().get(0).seeds().size());
  }

  @Test
  void autoKSearchesEachCandidateOnceOnTheSilhouetteSampleAndFitsTheChosenKFromEverySeed() {
    Segmenter.Fit auto =
        segmenter(
                "segment.k=auto",
                "segment.auto.min-k=2",
                "segment.auto.max-k=5",
                "segment.silhouette-sample-rows=150")
            .fit(customers);
    KSelection selection = auto.selection();
    // Three groups: the silhouette peaks at k = 3.
    assertEquals(3, selection.chosenK());
    assertEquals(
        List.of(2, 3, 4, 5), selection.candidates().stream().map(KSelection.Candidate::k).toList());
    // The curve: one fit per k, from the first seed (7), on the subsample of about 150 customers.
    assertTrue(selection.searchRows() > 100 && selection.searchRows() < 200, selection.toString());
    for (KSelection.Candidate c : selection.candidates()) {
      assertEquals(1, c.seeds().size(), c.toString());
      assertEquals(7, c.bestSeed());
      assertEquals(c.wcss(), c.seeds().get(0).cost());
    }
    // The chosen k refitted from both seeds on all 300 customers, the lowest cost kept: a cost
    // over twice as many customers as the search's fit of k = 3.
    KSelection.Candidate fitted = selection.fitted();
    assertEquals(3, fitted.k());
    assertEquals(List.of(7L, 8L), fitted.seeds().stream().map(KSelection.SeedFit::seed).toList());
    assertEquals(
        fitted.seeds().stream().mapToDouble(KSelection.SeedFit::cost).min().getAsDouble(),
        fitted.wcss());
    assertTrue(fitted.wcss() > selection.candidates().get(1).wcss(), selection.toString());
    assertTrue(fitted.silhouette() > 0.8, selection.toString());
    // The same segments as the fixed k = 3 fit.
    assertEquals(
        0,
        fit.model()
            .assign(customers)
            .select("customer_id", "segment")
            .exceptAll(auto.model().assign(customers).select("customer_id", "segment"))
            .count());
  }

  @Test
  void renumberedFitKeepsEachLabelsTrainingDefaultRate() {
    Map<Integer, Double> rates = new HashMap<>();
    Map<String, Double> byLabel = Map.of("Poor", 0.30, "Fair", 0.12, "Good", 0.02);
    fit.model().labels().forEach(l -> rates.put(l.cluster(), byLabel.get(l.label())));
    Segmenter.Fit withRates = new Segmenter.Fit(fit.model(), fit.selection(), rates);
    // The previous run's ids: KMeans index i carries id (i + 1) mod 3.
    SegmentModel continued = fit.model().withIds(Map.of(0, 1, 1, 2, 2, 0));
    Segmenter.Fit renumbered = withRates.renumbered(continued);
    assertEquals(3, renumbered.trainingDefaultRates().size());
    for (SegmentLabeler.ClusterLabel l : continued.labels()) {
      assertEquals(
          byLabel.get(l.label()), renumbered.trainingDefaultRates().get(l.cluster()), l.label());
    }
    assertTrue(!renumbered.trainingDefaultRates().equals(rates), "the ids moved");
  }

  @Test
  void nativeAssignmentEqualsTheMllibPipeline() {
    Dataset<Row> mllib =
        fit.model().pipeline().transform(customers).select(col("customer_id"), col("cluster"));
    Dataset<Row> ours = fit.model().assign(customers).select(col("customer_id"), col("cluster"));
    assertEquals(300, ours.count());
    assertEquals(0, ours.exceptAll(mllib).count());
  }

  @Test
  void aFixedSeedGivesFixedCentres() {
    Segmenter.Fit again = segmenter().fit(customers.orderBy(col("annual_income").desc()));
    Vector[] first = fit.model().centers();
    Vector[] second = again.model().centers();
    assertEquals(first.length, second.length);
    for (int c = 0; c < first.length; c++) {
      assertArrayEquals(first[c].toArray(), second[c].toArray(), 1e-9);
    }
    assertEquals(fit.model().labels(), again.model().labels());
  }

  @Test
  void saveAndLoadRoundTrip() {
    String dir = tmp.resolve("model").toString();
    fit.model().save(SharedSpark.spark(), dir);
    SegmentModel loaded = SegmentModel.load(SharedSpark.spark(), dir);
    assertEquals(fit.model().labels(), loaded.labels());
    assertEquals(fit.model().features(), loaded.features());
    assertEquals(
        0,
        fit.model()
            .assign(customers)
            .select("customer_id", "cluster", "segment")
            .exceptAll(loaded.assign(customers).select("customer_id", "cluster", "segment"))
            .count());
  }

  @Test
  void runModelBundleRoundTripsWithItsManifestAndPortableExport() throws Exception {
    String dir = tmp.resolve("run-model").toString();
    var settings = new SettingsLoader().load(List.of(), List.of(), LocalDate.of(2026, 1, 31));
    ScoreCard card = ScoreCard.forColumns(settings.score(), List.of("payment_history", "age"));
    ModelManifest manifest =
        new ModelManifest(
            Versions.SCHEMA,
            Versions.creditseg(),
            "2026-01-31",
            "canonical",
            ScoreSettings.Method.FACTORS,
            List.of("customer_id", "annual_income", "age"),
            Map.of("customer_id", "string", "annual_income", "double", "age", "int"),
            settings.quality(),
            Map.of(
                "annual_income",
                new InputColumn("MONTHLY_INCOME", false, Map.of(), 12, null, null),
                "age",
                new InputColumn(
                    "AGE_BAND",
                    false,
                    Map.of("young", "25"),
                    1,
                    List.of(0.0, 1.0, 0.0, 1.0),
                    "40")),
            List.of("ID", "MONTHLY_INCOME", "AGE_BAND"),
            "mean credit score");
    RunModel model =
        new RunModel(fit.model(), Map.of("annual_income", 52_000.0, "age", 41.0), card, manifest);
    model.save(SharedSpark.spark(), dir);

    RunModel loaded = RunModel.load(SharedSpark.spark(), dir);
    assertEquals(model.medians(), loaded.medians());
    assertEquals(card, loaded.scoreCard());
    assertEquals(manifest, loaded.manifest());
    assertEquals(
        List.of("payment_history"),
        loaded.scoreCard().factors().get(0).inputs().stream().map(i -> i.column()).toList());
    assertEquals(fit.model().labels(), loaded.segments().labels());
    assertEquals(fit.model().labels(), SegmentModel.load(SharedSpark.spark(), dir).labels());

    // The portable export holds the fitted numbers themselves.
    PortableModel portable;
    try (var in = Files.newInputStream(tmp.resolve("run-model").resolve(RunModel.PORTABLE))) {
      portable = PortableModel.read(in, "model.json");
    }
    assertEquals(fit.model().features(), portable.segmentation().features());
    assertEquals(incomeStd(fit), portable.segmentation().std()[1], 0.0);
    assertArrayEquals(fit.model().centers()[2].toArray(), portable.segmentation().centres()[2]);
    assertEquals(fit.model().labels(), portable.segmentation().clusters());
    assertEquals(41.0, portable.quality().medians().get("age"));
    assertEquals(
        List.of("age", "annual_income"),
        portable.quality().rules().stream().map(PortableModel.Rule::column).sorted().toList());
    assertEquals("factors", portable.score().method());
    assertEquals(card.factors(), portable.score().factors());

    // A bundle of another schema version is refused, naming both versions.
    Path manifestPath = tmp.resolve("run-model").resolve("manifest.json");
    Files.writeString(
        manifestPath,
        Files.readString(manifestPath)
            .replaceFirst("\"schemaVersion\" : 1", "\"schemaVersion\" : 99"));
    Files.deleteIfExists(manifestPath.resolveSibling(".manifest.json.crc"));
    InputContractException e =
        assertThrows(InputContractException.class, () -> RunModel.load(SharedSpark.spark(), dir));
    assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
    assertTrue(e.getMessage().contains("reads schema version " + Versions.SCHEMA), e.getMessage());
  }

  @Test
  void aRefitWithAnotherSeedKeepsEverySegmentsIdAndLabel() {
    Segmenter.Fit refit = segmenter("segment.seed=424242").fit(customers);
    SegmentContinuity.Result continued = SegmentContinuity.of(fit.model(), refit.model());
    assertTrue(continued.comparable());
    assertEquals(List.of(), continued.retired());
    assertTrue(
        continued.segments().stream().noneMatch(s -> s.newSegment() || s.labelChanged()),
        continued.segments().toString());
    assertEquals(
        0,
        fit.model()
            .assign(customers)
            .select("customer_id", "cluster", "segment", "segment_rank")
            .exceptAll(
                continued
                    .model()
                    .assign(customers)
                    .select("customer_id", "cluster", "segment", "segment_rank"))
            .count());
  }

  @Test
  void aPlantedGroupIsReportedAsANewSegmentAndTheOthersKeepTheirIds() {
    List<Row> planted = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      planted.add(RowFactory.create("P" + i, 500 + i % 7, 150_000.0 + 100 * i));
    }
    Dataset<Row> more = customers.unionByName(SharedSpark.spark().createDataFrame(planted, SCHEMA));
    Segmenter.Fit four = segmenter("segment.k=4", "segment.labels.\"4\"=[D, C, B, A]").fit(more);
    SegmentContinuity.Result continued = SegmentContinuity.of(fit.model(), four.model());

    List<SegmentContinuity.Continued> added =
        continued.segments().stream().filter(SegmentContinuity.Continued::newSegment).toList();
    assertEquals(1, added.size(), continued.segments().toString());
    assertEquals(3, added.get(0).cluster()); // the first id no previous segment had
    assertEquals(List.of(), continued.retired());
    Dataset<Row> assigned = continued.model().assign(more);
    assertEquals(100, assigned.filter(col("cluster").equalTo(3)).count());
    assertEquals(
        100,
        assigned.filter(col("cluster").equalTo(3).and(col("customer_id").startsWith("P"))).count());
    // The original customers keep the ids they had.
    assertEquals(
        0,
        fit.model()
            .assign(customers)
            .select("customer_id", "cluster")
            .exceptAll(
                assigned
                    .filter(col("customer_id").startsWith("C"))
                    .select("customer_id", "cluster"))
            .count());
  }

  private static double incomeStd(Segmenter.Fit fit) {
    for (var stage : fit.model().pipeline().stages()) {
      if (stage instanceof StandardScalerModel scaler) {
        return scaler.std().apply(fit.model().features().indexOf("annual_income"));
      }
    }
    throw new AssertionError("no scaler");
  }

  /** The three groups, n customers each, plus planted outliers with an income of 1e8. */
  static Dataset<Row> withOutliers(int perGroup, int outliers) {
    Random random = new Random(2);
    List<Row> rows = new ArrayList<>();
    int[] scores = {400, 600, 800};
    double[] incomes = {20_000, 50_000, 90_000};
    for (int i = 0; i < 3 * perGroup; i++) {
      int g = i % 3;
      rows.add(
          RowFactory.create(
              "C" + i,
              scores[g] + random.nextInt(21) - 10,
              incomes[g] + random.nextGaussian() * 1_000));
    }
    for (int i = 0; i < outliers; i++) {
      rows.add(RowFactory.create("X" + i, 800 + i, 1e8));
    }
    return SharedSpark.spark().createDataFrame(rows, SCHEMA);
  }

  @Test
  void aClusterOfAFewOutliersIsMergedIntoItsNearestSegment() {
    // 3 outliers in 603 customers are above the 99.9th percentile's rank, so clipping keeps them,
    // and with k = 4 KMeans gives them a cluster of their own: 0.5 %, below segment.min-size 1 %.
    Dataset<Row> data = withOutliers(200, 3);
    Segmenter.Fit fit4 = segmenter("segment.k=4").fit(data);

    assertEquals(1, fit4.selection().merged().size(), fit4.selection().toString());
    KSelection.MergedCluster merged = fit4.selection().merged().get(0);
    assertEquals(3, merged.customers());
    assertEquals(3 / 603.0, merged.share(), 1e-12);
    assertEquals(3, fit4.model().labels().size(), "four clusters, three segments");
    assertEquals(
        List.of("Poor", "Fair", "Good"),
        fit4.model().labels().stream()
            .sorted(Comparator.comparingInt(l -> l.rank()))
            .map(l -> l.label())
            .toList());

    List<Row> bySegment =
        fit4.model().assign(data).groupBy("segment").count().orderBy("segment").collectAsList();
    assertEquals(3, bySegment.size(), bySegment.toString());
    List<Row> outliers =
        fit4.model()
            .assign(data)
            .filter("customer_id like 'X%'")
            .select("cluster", "segment")
            .distinct()
            .collectAsList();
    assertEquals(1, outliers.size(), "the outliers share one segment: " + outliers);
    assertEquals(merged.into(), outliers.get(0).getInt(0), "and carry the cluster they joined");
    assertEquals(fit4.model().merged(), Map.of(merged.cluster(), merged.into()));

    // The merge is part of the saved model.
    String dir = tmp.resolve("merged-model").toString();
    fit4.model().save(SharedSpark.spark(), dir);
    SegmentModel loaded = SegmentModel.load(SharedSpark.spark(), dir);
    assertEquals(fit4.model().merged(), loaded.merged());
    assertEquals(fit4.model().ranges(), loaded.ranges());
  }

  @Test
  void rareOutliersAreClippedForTheFitAndKeepTheirValuesInTheOutput() {
    // 2 outliers in 3002 customers lie beyond the 99.9th percentile: the scaler and KMeans see
    // them at that percentile, so they join the high-income group instead of stretching the
    // income scale or owning a cluster.
    Dataset<Row> data = withOutliers(1000, 2);
    Segmenter.Fit clipped = segmenter().fit(data);

    assertEquals(List.of(), clipped.selection().merged());
    SegmentModel.FeatureRange income =
        clipped.model().ranges().stream()
            .filter(r -> r.feature().equals("annual_income"))
            .findFirst()
            .orElseThrow();
    assertEquals(90_000, income.high(), 5_000, "the 99.9th percentile lies in the top group");
    assertEquals(20_000, income.low(), 5_000);

    Dataset<Row> assigned = clipped.model().assign(data);
    List<Row> outliers =
        assigned.filter("customer_id like 'X%'").select("segment", "annual_income").collectAsList();
    assertEquals(2, outliers.size());
    for (Row r : outliers) {
      assertEquals("Good", r.getString(0), "the outliers join the safest, high-income group");
      assertEquals(1e8, r.getDouble(1), 0, "the output keeps the real income");
    }
    // Every group is still one segment of its own.
    assertEquals(
        3,
        assigned
            .filter("customer_id like 'C%'")
            .selectExpr("segment", "cast(substring(customer_id, 2) as int) % 3 as g")
            .distinct()
            .count());

    // The income scale is the one of the customers without the outliers; unclipped, the two
    // outliers would stretch it about sixty-fold.
    double withoutOutliers = incomeStd(segmenter().fit(withOutliers(1000, 0)));
    assertEquals(1, incomeStd(clipped) / withoutOutliers, 0.01);
    double unclipped = incomeStd(segmenter("segment.clip-quantiles=[0, 1]").fit(data));
    assertTrue(
        unclipped / withoutOutliers > 50, "unclipped std ratio " + unclipped / withoutOutliers);
  }

  /** A point of the clustering space back in feature units: x = z / weight * std + mean. */
  private static double[] featureValues(SegmentModel model, double[] z) {
    StandardScalerModel scaler = null;
    double[] weights = null;
    for (var stage : model.pipeline().stages()) {
      if (stage instanceof StandardScalerModel s) {
        scaler = s;
      } else if (stage instanceof ElementwiseProduct p) {
        weights = p.getScalingVec().toArray();
      }
    }
    double[] x = new double[z.length];
    for (int f = 0; f < z.length; f++) {
      x[f] = z[f] / weights[f] * scaler.std().apply(f) + scaler.mean().apply(f);
    }
    return x;
  }

  @Test
  void segmentDistanceScoreGivesEachSegmentABandAndMovesCustomersTowardsTheSaferNeighbour() {
    SegmentModel model = fit.model();
    int[] clusterOfRank = new int[4];
    model.labels().forEach(l -> clusterOfRank[l.rank()] = l.cluster());
    Vector poor = model.centers()[clusterOfRank[1]];
    Vector fair = model.centers()[clusterOfRank[2]];
    Vector good = model.centers()[clusterOfRank[3]];
    // At Fair's centre; 40 % of the way from Fair's centre to Good's; at Good's centre.
    double[] towardsGood = new double[2];
    for (int f = 0; f < 2; f++) {
      towardsGood[f] = fair.apply(f) + 0.4 * (good.apply(f) - fair.apply(f));
    }
    List<double[]> points = List.of(fair.toArray(), towardsGood, good.toArray(), poor.toArray());
    StructType schema =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("customer_id", DataTypes.StringType, false),
                DataTypes.createStructField("credit_score", DataTypes.DoubleType, false),
                DataTypes.createStructField("annual_income", DataTypes.DoubleType, false)));
    List<Row> rows = new ArrayList<>();
    for (int p = 0; p < points.size(); p++) {
      double[] x = featureValues(model, points.get(p));
      rows.add(RowFactory.create("P" + p, x[0], x[1]));
    }
    Dataset<Row> customers = SharedSpark.spark().createDataFrame(rows, schema);
    List<Row> scored =
        new SegmentDistanceScore(model, 300, 850)
            .apply(model.assign(customers))
            .orderBy("customer_id")
            .select("credit_score", "segment", "factor_score")
            .collectAsList();

    double width = 550 / 3.0; // three segments: [300, 483.3], [483.3, 666.7], [666.7, 850]
    // At a centre: the middle of its band.
    assertEquals("Fair", scored.get(0).getString(1));
    assertEquals(Math.round(300 + width * 1.5), scored.get(0).getInt(0));
    // 40 % towards Good: up = 0.4 / (0.4 + 0.6), down = 0.4 L / (0.4 L + |P - Poor|).
    double l = Math.sqrt(Vectors.sqdist(fair, good));
    double toPoor = Math.sqrt(Vectors.sqdist(Vectors.dense(towardsGood), poor));
    double expected = 300 + width + width * (0.5 + 0.4 - 0.4 * l / (0.4 * l + toPoor));
    assertEquals("Fair", scored.get(1).getString(1));
    assertEquals(Math.round(expected), scored.get(1).getInt(0));
    assertTrue(scored.get(1).getInt(0) > scored.get(0).getInt(0), "closer to Good scores higher");
    // The safest segment's centre: the middle of the top band; the riskiest's, of the bottom.
    assertEquals(Math.round(300 + width * 2.5), scored.get(2).getInt(0));
    assertEquals(Math.round(300 + width * 0.5), scored.get(3).getInt(0));
    // The factor score the segments were built on is kept.
    assertEquals(featureValues(model, points.get(0))[0], scored.get(0).getDouble(2), 1e-6);
  }
}
