package com.creditseg.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.TestSettings;
import com.creditseg.config.ScoreSettings;
import com.creditseg.config.Settings;
import com.creditseg.io.RunOutput;
import com.creditseg.metrics.RunMetrics;
import com.creditseg.model.RunModel;
import com.creditseg.serve.ScoringServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The whole run on a small generated set, checking every output. */
@ExtendWith(SharedSpark.class)
class SegmentationJobTest {
  @TempDir static Path tmp;
  static RunMetrics metrics;
  static Path runDir;

  static Settings settings(String input, String output, String... extra) {
    List<String> overrides =
        new ArrayList<>(
            List.of(
                "input.path=" + input,
                "output.path=" + output,
                "run.date=2026-01-31",
                "generate.output=" + input,
                "generate.rows=6000",
                "generate.partitions=3",
                "segment.fit-sample-rows=4000",
                // On for the run all tests share (runOnce); the others test other things.
                "model.supervised.enabled=false"));
    overrides.addAll(List.of(extra));
    return TestSettings.of(overrides);
  }

  @BeforeAll
  static void runOnce() {
    String input = tmp.resolve("customers").toString();
    String output = tmp.resolve("out").toString();
    Settings settings = settings(input, output, "model.supervised.enabled=auto");
    new GenerateJob(SharedSpark.spark(), settings.generate()).run();
    metrics = new SegmentationJob(SharedSpark.spark(), settings).run().metrics();
    runDir = tmp.resolve("out").resolve("run_date=2026-01-31");
  }

  @Test
  void interpretsExpressionsOnlyOnSmallInputsWhoseUserLeftCodegenAlone() {
    Map<String, String> interpreted =
        Map.of(
            "spark.sql.codegen.wholeStage", "false", "spark.sql.codegen.factoryMode", "NO_CODEGEN");
    assertEquals(interpreted, Sessions.interpretedBelow(5_000, key -> false));
    assertEquals(Map.of(), Sessions.interpretedBelow(Sessions.INTERPRET_BELOW_ROWS, key -> false));
    assertEquals(
        Map.of(), Sessions.interpretedBelow(5_000, "spark.sql.codegen.factoryMode"::equals));
  }

  @Test
  void interpretedRunWritesWhatTheCompiledRunWrote() throws Exception {
    SparkSession spark = SharedSpark.spark();
    Path output = tmp.resolve("interpreted");
    Settings settings =
        settings(
            tmp.resolve("customers").toString(),
            output.toString(),
            "model.supervised.enabled=auto");
    // What the job sets on a small input when the session leaves codegen alone; the shared
    // session pins compiled code, so it is set here for one run.
    Map<String, String> interpreted = Sessions.interpretedBelow(6_000, key -> false);
    Map<String, String> compiled = new HashMap<>();
    interpreted.keySet().forEach(k -> compiled.put(k, spark.conf().get(k)));
    interpreted.forEach(spark.conf()::set);
    try {
      new SegmentationJob(spark, settings).run();
    } finally {
      compiled.forEach(spark.conf()::set);
    }
    Path rerun = output.resolve("run_date=2026-01-31");
    Dataset<Row> before = spark.read().parquet(runDir.resolve("segments").toString());
    Dataset<Row> after = spark.read().parquet(rerun.resolve("segments").toString());
    assertEquals(metrics.rows().out(), after.count());
    assertEquals(0, before.exceptAll(after).count());
    assertEquals(0, after.exceptAll(before).count());
    // Sums may add in another order: the profile's means and the models' measures agree to
    // within rounding, everything else exactly.
    ObjectMapper json = new ObjectMapper();
    for (String file : List.of("profiles.json", "models/validation.json")) {
      assertSameWithinRounding(
          file,
          json.readTree(runDir.resolve(file).toFile()),
          json.readTree(rerun.resolve(file).toFile()));
    }
  }

  private static void assertSameWithinRounding(String at, JsonNode expected, JsonNode actual) {
    if (expected.isFloatingPointNumber() && actual.isNumber()) {
      assertEquals(
          expected.asDouble(),
          actual.asDouble(),
          1e-9 * Math.max(1, Math.abs(expected.asDouble())),
          at);
    } else if (expected.isContainerNode()) {
      assertEquals(expected.size(), actual.size(), at);
      if (expected.isArray()) {
        for (int i = 0; i < expected.size(); i++) {
          assertSameWithinRounding(at + "/" + i, expected.get(i), actual.get(i));
        }
      } else {
        expected
            .fieldNames()
            .forEachRemaining(
                f -> assertSameWithinRounding(at + "/" + f, expected.get(f), actual.get(f)));
      }
    } else {
      assertEquals(expected, actual, at);
    }
  }

  @Test
  void writesEveryOutputAndReconciles() throws Exception {
    for (String name :
        List.of(
            "segments",
            "profiles",
            "quarantine",
            "model",
            "profiles.csv",
            "profiles.json",
            "metrics.json",
            "report/index.html",
            "report/plotly.js",
            "_SUCCESS")) {
      assertTrue(Files.exists(runDir.resolve(name)), name + " missing");
    }
    assertTrue(Files.exists(runDir.resolve("segments").resolve("segment=Very Poor")));
    assertEquals(6000, metrics.rows().in());
    assertTrue(metrics.rows().reconciled());
    assertEquals(
        metrics.rows().in(),
        metrics.rows().out() + metrics.rows().quarantined() + metrics.rows().deduplicated());

    JsonNode json = new ObjectMapper().readTree(runDir.resolve("metrics.json").toFile());
    assertEquals(6000, json.at("/rows/in").asLong());
    assertEquals(5, json.at("/segments/k").asInt());
    assertEquals(3, json.at("/segments/selection/candidates/0/seeds").size());
    assertTrue(json.at("/stages").size() >= 6);

    SparkSession spark = SharedSpark.spark();
    Dataset<Row> segments = spark.read().parquet(runDir.resolve("segments").toString());
    assertEquals(metrics.rows().out(), segments.count());
    assertEquals(
        0, segments.filter(col("credit_score").lt(300).or(col("credit_score").gt(850))).count());
    assertEquals(5, segments.select("segment").distinct().count());
    JsonNode profiles = new ObjectMapper().readTree(runDir.resolve("profiles.json").toFile());
    assertEquals(5, profiles.size());
    long customers = 0;
    for (JsonNode p : profiles) {
      customers += p.get("customers").asLong();
    }
    assertEquals(metrics.rows().out(), customers);
    assertEquals(6, Files.readAllLines(runDir.resolve("profiles.csv")).size());
  }

  @Test
  void scoreRanksTheSimulatedDefaults() {
    Dataset<Row> segments =
        SharedSpark.spark()
            .read()
            .parquet(runDir.resolve("segments").toString())
            .withColumn("risk", lit(850).minus(col("credit_score")).cast("double"))
            .withColumn("label", col("defaulted").cast("double"));
    double auc =
        new BinaryClassificationEvaluator()
            .setRawPredictionCol("risk")
            .setLabelCol("label")
            .setMetricName("areaUnderROC")
            .evaluate(segments);
    assertTrue(auc >= 0.70, "AUC of the score against defaulted: " + auc);
  }

  @Test
  void theScorecardFittedOnTheLabelRanksAtLeastAsWellAsTheRuleScore() {
    // Both on the same held-out customers; the generator's label comes from the latent risk the
    // rule score's inputs are drawn from.
    var models = metrics.supervised().models();
    double scorecard =
        models.stream()
            .filter(m -> m.model().equals("scorecard"))
            .findFirst()
            .get()
            .validation()
            .rocAuc();
    double rules =
        models.stream()
            .filter(m -> m.model().equals("rule-score"))
            .findFirst()
            .get()
            .validation()
            .rocAuc();
    assertTrue(scorecard >= rules, "scorecard " + scorecard + " vs rule score " + rules);
    assertTrue(metrics.riskOrder().monotone(), metrics.riskOrder().toString());
  }

  /** {@code score} with the shared run's model, on {@code input} into {@code output}. */
  static CommandLine.Outcome score(String input, String output) {
    return CommandLine.execute(
        List.of(
            "score",
            "--model",
            runDir.toString(),
            "--set",
            "input.path=" + input,
            "--set",
            "output.path=" + output,
            "--set",
            "run.date=2026-02-28"));
  }

  @Test
  void scoringAnInputWithoutAColumnTheModelReadsStopsBeforeReadingIt() {
    SparkSession spark = SharedSpark.spark();
    RunModel model = RunModel.load(spark, runDir.resolve("model").toString());
    List<String> onlyTheScorecard = new ArrayList<>(model.scorecard().inputColumns());
    onlyTheScorecard.removeAll(metrics.segments().features());
    String missing = onlyTheScorecard.get(0);
    String input = tmp.resolve("customers-without-" + missing).toString();
    spark.read().parquet(tmp.resolve("customers").toString()).drop(missing).write().parquet(input);
    Path output = tmp.resolve("out-scored-without");
    CommandLine.Outcome scored = score(input, output.toString());
    assertEquals(ExitCode.USAGE, scored.code(), scored.describe());
    assertTrue(
        scored
            .lastLine()
            .startsWith(
                "creditseg: Required column "
                    + missing
                    + " not found in "
                    + input
                    + ": "
                    + missing
                    + " is read by the applied model's scorecard: map a source column to it"),
        scored.lastLine());
    assertFalse(Files.exists(output), "no empty output directory is left");
  }

  @Test
  void scoringARunsOwnInputWithItsModelReproducesEveryCustomer() {
    String input = tmp.resolve("customers").toString();
    String output = tmp.resolve("out-scored").toString();
    CommandLine.Outcome scored = score(input, output.toString());
    assertEquals(0, scored.code(), scored.describe());

    String[] compared = {
      "customer_id",
      "credit_score",
      "cluster",
      "segment",
      "segment_rank",
      "scorecard_points",
      "probability_of_default",
      "reason_code_1",
      "reason_code_2",
      "reason_code_3",
      "reason_code_4",
      "scorecard_reason_code_1",
      "scorecard_reason_code_2",
      "scorecard_reason_code_3",
      "scorecard_reason_code_4"
    };
    Dataset<Row> original =
        SharedSpark.spark()
            .read()
            .parquet(runDir.resolve("segments").toString())
            .selectExpr(compared);
    Dataset<Row> again =
        SharedSpark.spark()
            .read()
            .parquet(output + "/run_date=2026-02-28/segments")
            .selectExpr(compared);
    assertEquals(original.count(), again.count());
    assertEquals(0, original.exceptAll(again).count(), "every customer scores and segments alike");
    assertEquals(0, again.exceptAll(original).count());
    // The model's own medians imputed, no k search: the same run, applied.
    assertTrue(
        new File(output + "/run_date=2026-02-28/model/segments.json").exists(),
        "the applied model is kept beside the result");

    // Drift is watched without being told: against the population the model was fitted on (its
    // bundle's population.json, counted over the fit sample: two thirds of these customers).
    RunMetrics scoredMetrics;
    try {
      scoredMetrics =
          RunOutput.JSON.readValue(
              Path.of(output, "run_date=2026-02-28", "metrics.json").toFile(), RunMetrics.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var stability = scoredMetrics.stability();
    assertEquals("2026-01-31", stability.previousRunDate(), stability.toString());
    assertEquals("stable", stability.verdict());
    assertTrue(stability.score().psi() < 0.01, stability.score().toString());
    long sampled = stability.score().bins().stream().mapToLong(b -> b.previous()).sum();
    long current = stability.score().bins().stream().mapToLong(b -> b.current()).sum();
    assertEquals(original.count(), current);
    assertTrue(sampled > current / 2 && sampled < current, sampled + " sampled of " + current);
    assertEquals(metrics.segments().features().size() - 1, stability.features().size());
    assertEquals(
        List.of("probability_of_default", "scorecard_points"),
        stability.models().stream().map(p -> p.variable()).toList());
    for (var p : stability.models()) {
      assertTrue(p.psi() < 0.01, p.toString());
      assertTrue(p.bins().size() >= 9, "by deciles: " + p.bins());
    }
    assertEquals(List.of(), stability.migration());
    assertEquals(
        metrics.riskOrder().orderedBy()
            + " (the applied model's order, from its run of 2026-01-31)",
        scoredMetrics.riskOrder().orderedBy());

    serveAnswersWhatScoreWrote(input, Path.of(output, "run_date=2026-02-28"));
  }

  /**
   * serve, on the model {@code score} applied, answers one customer with the fields {@code score}
   * wrote for it, field by field: the same names, the same values, nulls where it wrote nulls (a
   * customer with fewer than four reason codes of each kind, and at least one).
   */
  private static void serveAnswersWhatScoreWrote(String input, Path scoredRun) {
    SparkSession spark = SharedSpark.spark();
    Row written =
        spark
            .read()
            .parquet(scoredRun.resolve("segments").toString())
            .filter(
                "reason_code_1 IS NOT NULL AND reason_code_4 IS NULL"
                    + " AND scorecard_reason_code_1 IS NOT NULL"
                    + " AND scorecard_reason_code_4 IS NULL AND size(repairs) = 0")
            .orderBy("customer_id")
            .first();
    String id = written.getAs("customer_id");
    Row sent = spark.read().parquet(input).filter(col("customer_id").equalTo(id)).first();
    JsonNode answer;
    try (ScoringServer server = ScoringServerTest.serve(scoredRun)) {
      answer =
          new ObjectMapper()
              .readTree(
                  HttpClient.newBuilder()
                      .version(HttpClient.Version.HTTP_1_1)
                      .build()
                      .send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      "http://127.0.0.1:" + server.address().getPort() + "/score"))
                              .POST(
                                  HttpRequest.BodyPublishers.ofString(
                                      ScoringServerTest.json(sent).toString()))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String who = id + " -> " + answer;
    List<String> fields = new ArrayList<>();
    answer.fieldNames().forEachRemaining(fields::add);
    fields.remove("warnings"); // what the model ignored of the input: no column
    assertEquals(
        List.of(
            "customer_id",
            "credit_score",
            "reason_code_1",
            "reason_code_2",
            "reason_code_3",
            "reason_code_4",
            "cluster",
            "segment",
            "segment_rank",
            "repairs",
            "scorecard_points",
            "probability_of_default",
            "scorecard_reason_code_1",
            "scorecard_reason_code_2",
            "scorecard_reason_code_3",
            "scorecard_reason_code_4"),
        fields,
        who);
    for (String f : fields) {
      Object value = written.getAs(f);
      JsonNode got = answer.get(f);
      if (value == null) {
        assertTrue(got.isNull(), f + ": " + who);
      } else if (value instanceof Integer i) {
        assertTrue(got.isInt(), f + ": " + who);
        assertEquals(i.intValue(), got.intValue(), f + ": " + who);
      } else if (value instanceof Double d) {
        assertEquals(d.doubleValue(), got.doubleValue(), f + ": " + who);
      } else if (value instanceof String text) {
        assertEquals(text, got.textValue(), f + ": " + who);
      } else {
        List<Object> list = new ArrayList<>(written.getList(written.fieldIndex(f)));
        assertEquals(list, new ObjectMapper().convertValue(got, List.class), f + ": " + who);
      }
    }
    assertTrue(answer.get("reason_code_4").isNull(), who);
    assertTrue(answer.get("scorecard_reason_code_4").isNull(), who);
  }

  @Test
  void segmentDistanceScoresFallInEachSegmentsBand() {
    String input = tmp.resolve("customers").toString();
    String output = tmp.resolve("out-distance").toString();
    RunMetrics distance =
        new SegmentationJob(
                SharedSpark.spark(), settings(input, output, "score.method=segment-distance"))
            .run()
            .metrics();
    assertEquals(ScoreSettings.Method.SEGMENT_DISTANCE, distance.score().method());
    assertEquals(ScoreSettings.Method.FACTORS, metrics.score().method());
    List<Row> bands =
        SharedSpark.spark()
            .read()
            .parquet(output + "/run_date=2026-01-31/segments")
            .groupBy("segment_rank")
            .agg(
                functions.min("credit_score"),
                functions.max("credit_score"),
                functions.avg("factor_score"))
            .orderBy("segment_rank")
            .collectAsList();
    assertEquals(5, bands.size());
    double width = 550 / 5.0;
    double previousFactorMean = 0;
    for (Row band : bands) {
      int rank = band.getInt(0);
      assertTrue(band.getInt(1) >= Math.round(300 + width * (rank - 1)), band.toString());
      assertTrue(band.getInt(2) <= Math.round(300 + width * rank), band.toString());
      assertTrue(band.getDouble(3) > previousFactorMean, "factor score orders the segments");
      previousFactorMean = band.getDouble(3);
    }
  }

  @Test
  void defaultRatesFallFromVeryPoorToExcellent() throws Exception {
    JsonNode profiles = new ObjectMapper().readTree(runDir.resolve("profiles.json").toFile());
    List<String> labels = new ArrayList<>();
    double previousRate = 1.0;
    double previousScore = 0;
    for (JsonNode p : profiles) {
      labels.add(p.get("segment").asText());
      double rate = p.get("default_rate").asDouble();
      assertTrue(rate < previousRate, "default rate not falling at " + p);
      assertTrue(p.get("credit_score_mean").asDouble() > previousScore);
      previousRate = rate;
      previousScore = p.get("credit_score_mean").asDouble();
    }
    assertEquals(List.of("Very Poor", "Poor", "Fair", "Good", "Excellent"), labels);
  }

  @Test
  void rerunForTheSameDateReplacesTheResultWithTheSameAssignments() {
    String input = tmp.resolve("customers").toString();
    String output = tmp.resolve("rerun").toString();
    new SegmentationJob(SharedSpark.spark(), settings(input, output, "segment.k=4"))
        .run()
        .metrics();
    Dataset<Row> first =
        SharedSpark.spark()
            .read()
            .parquet(output + "/run_date=2026-01-31/segments")
            .select("customer_id", "segment", "cluster", "credit_score")
            .localCheckpoint();
    RunMetrics second =
        new SegmentationJob(SharedSpark.spark(), settings(input, output, "segment.k=4"))
            .run()
            .metrics();
    Dataset<Row> segments =
        SharedSpark.spark()
            .read()
            .parquet(output + "/run_date=2026-01-31/segments")
            .select("customer_id", "segment", "cluster", "credit_score");
    assertEquals(second.rows().out(), segments.count());
    assertEquals(0, segments.exceptAll(first).count());
    assertEquals(0, first.exceptAll(segments).count());
    assertEquals(List.of("run_date=2026-01-31"), List.of(new File(output).list()));
  }

  @Test
  void aLaterRunKeepsTheSegmentIdsReportsStabilityAndCanStopOnAShift() throws Exception {
    String input = tmp.resolve("customers").toString();
    String output = tmp.resolve("stability").toString();
    // Refit on the same customers with another seed, compared with the first run.
    RunMetrics later =
        new SegmentationJob(
                SharedSpark.spark(),
                settings(
                    input,
                    output,
                    "run.date=2026-02-28",
                    "segment.seed=99",
                    "stability.previous-run=" + runDir))
            .run()
            .metrics();
    var stability = later.stability();
    assertEquals("2026-01-31", stability.previousRunDate());
    assertEquals("stable", stability.verdict(), stability.toString());
    assertTrue(stability.continuity().matched());
    assertTrue(
        stability.continuity().segments().stream()
            .noneMatch(s -> s.newSegment() || s.labelChanged()),
        stability.continuity().toString());
    assertEquals(metrics.segments().features().size() - 1, stability.features().size());
    // Every previous segment's customers mostly stay under the same id and label.
    for (var flow : stability.migration()) {
      if (flow.share() > 0.5) {
        assertEquals(flow.previousCluster(), flow.cluster(), flow.toString());
        assertEquals(flow.previousSegment(), flow.segment(), flow.toString());
      }
    }
    long moved =
        stability.migration().stream()
            .filter(f -> !Objects.equals(f.previousCluster(), f.cluster()))
            .mapToLong(f -> f.customers())
            .sum();
    assertTrue(moved < later.rows().out() / 10, "customers moved: " + moved);
    Path laterDir = tmp.resolve("stability").resolve("run_date=2026-02-28");
    assertEquals(
        stability.migration().size(),
        SharedSpark.spark()
            .read()
            .parquet(laterDir.resolve("stability/migration").toString())
            .count());

    // A population of only the riskier half: a significant shift, which fail-on turns into exit 4
    // after the run is committed.
    String shifted = tmp.resolve("shifted").toString();
    SharedSpark.spark()
        .read()
        .parquet(input)
        .filter("payment_history < 0.9")
        .write()
        .parquet(shifted);
    CommandLine.Outcome gated =
        CommandLine.execute(
            List.of(
                "run",
                "--set",
                "input.path=" + shifted,
                "--set",
                "output.path=" + output,
                "--set",
                "run.date=2026-03-31",
                "--set",
                "segment.fit-sample-rows=4000",
                "--set",
                "stability.fail-on=significant",
                "--set",
                "model.supervised.enabled=false"));
    assertEquals(ExitCode.SHIFT, gated.code(), gated.describe());
    assertTrue(
        gated.lastLine().contains("significant population shift since the run of 2026-02-28"),
        gated.lastLine());
    Path gatedDir = tmp.resolve("stability").resolve("run_date=2026-03-31");
    assertTrue(Files.exists(gatedDir.resolve("_SUCCESS")), "the shifted run is committed");
    RunMetrics gatedMetrics =
        RunOutput.JSON.readValue(gatedDir.resolve("metrics.json").toFile(), RunMetrics.class);
    assertEquals("significant", gatedMetrics.stability().verdict());
    assertTrue(
        gatedMetrics.stability().score().psi() >= 0.25,
        gatedMetrics.stability().score().toString());
  }
}
