package com.creditseg.supervised;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.ReasonCodeValues;
import com.creditseg.SharedSpark;
import com.creditseg.config.Settings;
import com.creditseg.config.SettingsLoader;
import com.creditseg.job.SegmentationJob;
import com.creditseg.metrics.RunMetrics;
import com.creditseg.model.PortableModel;
import com.creditseg.sample.HoldoutSplit;
import com.creditseg.schema.CanonicalColumns;
import com.creditseg.schema.ReasonCodeColumns;
import com.creditseg.segment.RiskOrder;
import com.creditseg.serve.CustomerScorer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervised models end to end on the real Statlog German credit file through its mapping
 * (conf/examples/german-credit-bureau.conf): 1,000 applicants, 300 bad.
 */
@ExtendWith(SharedSpark.class)
class SupervisedRunTest {
  @TempDir static Path tmp;
  static RunMetrics metrics;
  static Path runDir;

  @BeforeAll
  static void runStatlog() {
    Settings settings =
        new SettingsLoader()
            .load(
                List.of(new File("conf/examples/german-credit-bureau.conf")),
                List.of("output.path=" + tmp.resolve("out"), "run.date=2026-01-31"),
                LocalDate.of(2026, 1, 31));
    metrics = new SegmentationJob(SharedSpark.spark(), settings).run().metrics();
    runDir = tmp.resolve("out/run_date=2026-01-31");
  }

  private static ModelValidation.Result model(String name) {
    return metrics.supervised().models().stream()
        .filter(m -> m.model().equals(name))
        .findFirst()
        .orElseThrow()
        .validation();
  }

  @Test
  void everyLabelledApplicantIsTrainedOnOrHeldOutAndTheMetricsAreHeldOut() {
    RiskModels.Report r = metrics.supervised();
    assertEquals(1000, r.trainRows() + r.validationRows());
    assertEquals(300, r.trainEvents() + r.validationEvents());
    assertEquals(0.30, r.validationRows() / 1000.0, 0.05, "about 30 % held out");
    assertEquals(r.validationRows(), model(RiskModels.SCORECARD).rows());
    assertEquals(r.validationEvents(), model(RiskModels.SCORECARD).events());
    assertFalse(r.refitted());
    assertEquals(
        List.of(
            RiskModels.SCORECARD, "random-forest", "gradient-boosted-trees", RiskModels.RULE_SCORE),
        r.models().stream().map(RiskModels.ModelReport::model).toList());
  }

  @Test
  void theScorecardRanksLikePublishedModelsOnThisFile() {
    // scikit-learn, 5-fold: logistic regression 0.778 to 0.784, random forest 0.796.
    double scorecard = model(RiskModels.SCORECARD).rocAuc();
    assertTrue(scorecard >= 0.74, "held-out AUC " + scorecard);
    assertTrue(
        scorecard > model(RiskModels.RULE_SCORE).rocAuc(),
        "the scorecard ranks better than the hand-weighted rule score");
    RiskModels.CrossValidation cv = metrics.supervised().crossValidation();
    assertNotNull(cv, "1,000 labelled applicants are below cross-validation.below-rows");
    assertEquals(5, cv.rocAuc().size());
    assertTrue(cv.meanRocAuc() >= 0.76, "cross-validated AUC " + cv.meanRocAuc());
    assertEquals(2 * scorecard - 1, model(RiskModels.SCORECARD).gini(), 1e-12);
  }

  @Test
  void protectedAttributesAreNeverModelInputsButAreCheckedForFairness() {
    List<String> features =
        metrics.supervised().features().stream().map(RiskModels.FeatureIv::feature).toList();
    assertFalse(features.contains("gender"), features.toString());
    assertFalse(features.contains("age"), features.toString());
    assertFalse(features.contains("defaulted"), features.toString());
    FairnessCheck.Report fairness = metrics.supervised().fairness();
    assertEquals(
        List.of("age", "gender"),
        fairness.attributes().stream().map(FairnessCheck.Attribute::attribute).sorted().toList());
    assertEquals(model(RiskModels.SCORECARD).decision().cutoff(), fairness.cutoff(), 0.0);
    // An attribute below the four-fifths rule is a warning of the run, not only a report table.
    for (FairnessCheck.Attribute a : fairness.attributes()) {
      boolean warned =
          metrics.warnings().stream()
              .anyMatch(
                  w ->
                      w.startsWith(a.attribute() + ": the scorecard approves group '")
                          && w.contains("below the four-fifths rule"));
      assertEquals(a.belowFourFifths(), warned, a + " / " + metrics.warnings());
    }
  }

  @Test
  void theCheckingAccountCarriesTheMostEvidence() {
    RiskModels.FeatureIv strongest =
        metrics.supervised().features().stream()
            .max(Comparator.comparingDouble(RiskModels.FeatureIv::iv))
            .orElseThrow();
    assertEquals("checking_account", strongest.feature());
    assertEquals("kept", strongest.status());
    assertTrue(strongest.coefficient() < 0, "a higher WoE (safer) lowers the log-odds of default");
    // Features below min-iv are listed as dropped, never kept.
    metrics.supervised().features().stream()
        .filter(f -> f.iv() < 0.02)
        .forEach(f -> assertEquals("low_iv", f.status(), f.toString()));
    // Every feature the regression let go says why; every feature kept has the right sign; no
    // feature left for collinearity while a weaker feature correlated with it stayed (its note
    // names a stronger partner).
    for (RiskModels.FeatureIv f : metrics.supervised().features()) {
      switch (f.status()) {
        case "kept" -> assertTrue(f.coefficient() < 0, f.toString());
        case "collinear", "wrong_sign" -> {
          assertNotNull(f.note(), f.toString());
          assertTrue(f.note().contains("wrong sign"), f.toString());
        }
        default -> assertNull(f.note(), f.toString());
      }
      if (f.status().equals("collinear") && f.note().startsWith("coefficient")) {
        assertTrue(f.note().contains("which has more information value"), f.note());
      }
    }
  }

  @Test
  void binTablesCountEveryTrainingApplicantOncePerFeature() throws Exception {
    Dataset<Row> bins =
        SharedSpark.spark().read().parquet(runDir.resolve("models/woe_bins").toString());
    Map<String, Long> perFeature =
        bins.groupBy("feature").sum("customers").collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
    assertEquals(metrics.supervised().features().size(), perFeature.size());
    perFeature.forEach(
        (f, n) -> assertEquals(metrics.supervised().trainRows(), n, "customers binned for " + f));
    assertEquals(
        bins.count() + 1, Files.readAllLines(runDir.resolve("models/woe_bins.csv")).size());
    assertTrue(Files.exists(runDir.resolve("models/scorecard.csv")));
    assertTrue(Files.exists(runDir.resolve("model/scorecard.json")));
    // A challenger (XGBoost by default) is its category index in MLlib's layout and its trees in
    // XGBoost's JSON format, which XGBoost loads back: the forest is one round of trees.
    Path forest = runDir.resolve("model/challengers/random-forest");
    assertTrue(Files.exists(forest.resolve("categories/metadata")));
    assertEquals(
        1, XGBoost.loadModel(forest.resolve("xgboost.json").toString()).getNumBoostedRound());
  }

  @Test
  void everyApplicantGetsPointsAProbabilityAndReasonCodes() {
    Dataset<Row> segments =
        SharedSpark.spark().read().parquet(runDir.resolve("segments").toString());
    assertEquals(1000, segments.count());
    assertEquals(0, segments.filter(col("scorecard_points").isNull()).count());
    assertEquals(
        0,
        segments
            .filter(col("probability_of_default").leq(0).or(col("probability_of_default").geq(1)))
            .count());
    // points = offset + factor * ln(odds of repaying), rounded: so the log-odds of the probability
    // lie within half a point of the points' (factor = 20 / ln 2).
    double factor = 20 / Math.log(2);
    double offset = 600 - factor * Math.log(50);
    for (Row r :
        segments
            .select(
                "scorecard_points",
                "probability_of_default",
                "scorecard_reason_code_1",
                "scorecard_reason_code_2",
                "scorecard_reason_code_3",
                "scorecard_reason_code_4")
            .collectAsList()) {
      double p = r.getDouble(1);
      double points = offset + factor * Math.log((1 - p) / p);
      assertEquals(r.getInt(0), points, 0.5 + 1e-9);
      // At most four, as max-reason-codes: the codes first, then nulls, never a code twice.
      List<String> codes = ReasonCodeValues.of(r, "scorecard_reason_code", 4);
      int n = codes.indexOf(null) < 0 ? 4 : codes.indexOf(null);
      assertEquals(Collections.nCopies(4 - n, null), codes.subList(n, 4), codes.toString());
      assertEquals(n, new HashSet<>(codes.subList(0, n)).size(), codes.toString());
    }
    assertFalse(
        Arrays.asList(segments.columns()).contains("scorecard_reason_code_5"),
        "as many columns as max-reason-codes");
  }

  @Test
  void serveGivesEachApplicantTheBatchJobsScorecardColumns() throws Exception {
    PortableModel model;
    try (var in = Files.newInputStream(runDir.resolve("model/model.json"))) {
      model = PortableModel.read(in, "model.json");
    }
    assertNotNull(model.scorecard(), "model.json carries the scorecard");
    CustomerScorer scorer = new CustomerScorer(model);
    ObjectMapper json = new ObjectMapper();
    List<Row> rows =
        SharedSpark.spark().read().parquet(runDir.resolve("segments").toString()).collectAsList();
    for (Row row : rows) {
      ObjectNode customer = json.createObjectNode();
      for (String c : model.columnTypes().keySet()) {
        Object v = row.getAs(c);
        if (v == null) {
          customer.putNull(c);
        } else if (v instanceof Integer i) {
          customer.put(c, i);
        } else if (v instanceof Double d) {
          customer.put(c, d);
        } else {
          customer.put(c, v.toString());
        }
      }
      customer.put("customer_id", row.<String>getAs("customer_id"));
      var outcome = scorer.score(customer);
      assertTrue(outcome instanceof CustomerScorer.Scored, outcome.toString());
      ScorecardModel.One one = ((CustomerScorer.Scored) outcome).scorecard();
      String who = row.getAs("customer_id");
      assertEquals(row.<Integer>getAs("scorecard_points"), one.points(), who);
      assertEquals(row.<Double>getAs("probability_of_default"), one.probabilityOfDefault(), who);
      // The codes, then nulls up to the fourth column.
      assertEquals(
          ReasonCodeValues.of(row, "scorecard_reason_code", 4),
          Arrays.asList(ReasonCodeColumns.spread(one.reasonCodes(), 4)),
          who);
    }
  }

  /**
   * A client may post the source record (Statlog's _c0 … _c20, the codes as the file has them)
   * instead of the canonical one, sending computed only the columns an expression made: the answer
   * is the same to the last digit, and what the model does not read is ignored and listed once.
   */
  @Test
  void serveTakesTheSourceRecordAsWellAsTheCanonicalOne() throws Exception {
    PortableModel model;
    try (var in = Files.newInputStream(runDir.resolve("model/model.json"))) {
      model = PortableModel.read(in, "model.json");
    }
    CustomerScorer scorer = new CustomerScorer(model);
    assertEquals("_c1", model.inputs().get("loan_term").source());
    assertTrue(model.inputs().get("checking_level").computed(), "an expression: send it computed");
    assertEquals(Map.of("1", "0", "2", "1"), model.inputs().get("defaulted").categories());
    assertEquals(21, model.sourceColumns().size());
    // The source columns read plainly, by the canonical or extra column they became.
    Map<String, String> plain = new LinkedHashMap<>();
    model.inputs().entrySet().stream()
        .filter(e -> e.getValue().source() != null && !e.getValue().computed())
        .forEach(e -> plain.put(e.getKey(), e.getValue().source()));
    assertEquals("_c20", plain.get("defaulted"));
    List<String> computed =
        model.inputs().entrySet().stream()
            .filter(e -> e.getValue().computed())
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    assertEquals(
        List.of("checking_level", "employment_status", "gender", "savings_level", "years_employed"),
        computed);
    ObjectMapper json = new ObjectMapper();
    List<Row> rows =
        SharedSpark.spark().read().parquet(runDir.resolve("segments").toString()).collectAsList();
    for (Row row : rows) {
      ObjectNode canonical = json.createObjectNode();
      ObjectNode source = json.createObjectNode();
      canonical.put("customer_id", row.<String>getAs("customer_id"));
      source.put("customer_id", row.<String>getAs("customer_id"));
      for (String c : model.inputs().keySet()) {
        Object v = row.getAs(c);
        String text = v == null ? null : v.toString();
        canonical.put(c, text);
        if (c.equals("defaulted")) {
          // The file's own code: 1 good, 2 bad.
          source.put("_c20", v == null ? null : ((Integer) v) == 1 ? "2" : "1");
        } else if (plain.containsKey(c)) {
          source.put(plain.get(c), text);
        } else {
          source.put(c, text);
        }
      }
      // Columns only an expression reads, and one the mapping never reads.
      source.put("_c6", "A73");
      source.put("_c8", "A93");
      source.put("_c19", "A201");
      var fromCanonical = scorer.score(canonical);
      var fromSource = scorer.score(source);
      String who = row.getAs("customer_id");
      assertTrue(fromSource instanceof CustomerScorer.Scored, fromSource + "");
      var a = (CustomerScorer.Scored) fromCanonical;
      var b = (CustomerScorer.Scored) fromSource;
      assertEquals(a.scorecard(), b.scorecard(), who);
      assertEquals(a.creditScore(), b.creditScore(), who);
      assertEquals(a.cluster(), b.cluster(), who);
      assertEquals(a.repairs(), b.repairs(), who);
      assertEquals(
          row.<Double>getAs("probability_of_default"), b.scorecard().probabilityOfDefault());
      // The run read columns the model does not use: ignored, named in one warning.
      List<String> unused =
          model.inputs().keySet().stream()
              .filter(c -> !model.columnTypes().containsKey(c))
              .filter(c -> !CanonicalColumns.names().contains(c))
              .toList();
      assertEquals(unused.isEmpty() ? 0 : 1, a.warnings().size(), who + ": " + a.warnings());
      assertEquals(1, b.warnings().size(), who + ": " + b.warnings());
      for (String c : unused) {
        assertTrue(a.warnings().get(0).contains(c), c + " in " + a.warnings());
        assertTrue(
            b.warnings().get(0).contains(plain.getOrDefault(c, c)), c + " in " + b.warnings());
      }
      for (String c : List.of("_c6", "_c8", "_c19")) {
        assertTrue(b.warnings().get(0).contains(c), c + " in " + b.warnings());
      }
    }
    // A misspelt field: its closest name, and the known fields once, not per field.
    var rejected =
        (CustomerScorer.Rejected)
            scorer.score(
                json.createObjectNode()
                    .put("customer_id", "x")
                    .put("lone_term", 12)
                    .put("zzz", 1)
                    .put("yyy", 2));
    String message = rejected.message();
    assertTrue(message.contains("unknown field 'lone_term': did you mean 'loan_term'?"), message);
    assertEquals(message.indexOf("known fields: "), message.lastIndexOf("known fields: "), message);
  }

  @Test
  void segmentsAreOrderedByTheTrainingDefaultRateAndChecked() {
    RiskOrder order = metrics.riskOrder();
    assertEquals(RiskOrder.BY_DEFAULT_RATE, order.orderedBy());
    List<Double> training =
        order.segments().stream().map(RiskOrder.SegmentRisk::trainingDefaultRate).toList();
    List<Double> sorted = new ArrayList<>(training);
    sorted.sort(Comparator.reverseOrder());
    assertEquals(sorted, training, "rank 1 has the highest training default rate");
  }

  @Test
  void theMonotonicityCheckRaisesItsFlagWhenDefaultRatesBreakTheLabels() {
    List<RiskOrder.SegmentRisk> broken =
        List.of(
            new RiskOrder.SegmentRisk(1, "Poor", 0.30, 0.31, 520),
            new RiskOrder.SegmentRisk(2, "Fair", 0.42, 0.29, 610),
            new RiskOrder.SegmentRisk(3, "Good", 0.05, 0.04, 590));
    RiskOrder order = RiskOrder.check(RiskOrder.BY_DEFAULT_RATE, broken, "fix it");
    assertFalse(order.monotone());
    assertFalse(order.scoreAgrees(), "610 then 590");
    assertEquals("fix it", order.advice());
    RiskOrder fine =
        RiskOrder.check(
            RiskOrder.BY_SCORE,
            List.of(
                new RiskOrder.SegmentRisk(1, "Poor", 0.40, null, 520),
                new RiskOrder.SegmentRisk(2, "Fair", 0.40, null, 610),
                new RiskOrder.SegmentRisk(3, "Good", 0.05, null, 700)),
            "fix it");
    assertTrue(fine.monotone(), "equal rates do not break the order");
    assertTrue(fine.scoreAgrees());
    assertEquals(null, fine.advice());
  }

  @Test
  void theChallengersFinishBesideTheSegmentationAndAreWaitedForBeforeTheMetrics() {
    // supervised is the scorecard; the challengers and validations run on beside fit, segment and
    // profile, and models is the wait for them and the writing of their tables, before the
    // metrics (the report, which reads both, comes after them and is not in them).
    assertEquals(
        List.of(
            "read",
            "duplicates",
            "medians",
            "validate",
            "supervised",
            "fit",
            "segment",
            "population",
            "profile",
            "models"),
        metrics.stages().stream().map(s -> s.name()).toList());
    assertEquals(1000, metrics.stages().get(4).rows());
    assertEquals(1000, metrics.stages().get(9).rows());
    assertTrue(
        Files.exists(runDir.resolve("model/challengers/gradient-boosted-trees/xgboost.json")),
        "the last challenger's model is written");
    assertEquals(4, metrics.supervised().models().size());
    assertNotNull(metrics.supervised().crossValidation(), "1,000 applicants: cross-validated");
  }

  @Test
  void theSplitHoldsOutTheSameCustomersWhateverThePartitioning() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      rows.add(RowFactory.create("id-" + i));
    }
    Dataset<Row> ids =
        SharedSpark.spark()
            .createDataFrame(rows, new StructType().add("customer_id", DataTypes.StringType));
    HoldoutSplit split = new HoldoutSplit(0.3);
    Dataset<Row> once = ids.repartition(1).filter(split.isValidation());
    Dataset<Row> again = ids.repartition(7).filter(split.isValidation());
    long held = once.count();
    assertEquals(0, once.exceptAll(again).count());
    assertEquals(held, again.count());
    assertEquals(0.3, held / 10_000.0, 0.015);
    // Cross-validation folds partition the customers.
    assertEquals(
        10_000,
        ids.groupBy(HoldoutSplit.fold(5).as("fold"))
            .count()
            .agg(functions.sum("count"))
            .first()
            .getLong(0));
  }
}
