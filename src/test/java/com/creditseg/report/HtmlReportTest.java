package com.creditseg.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.job.ReportCommand;
import com.creditseg.schema.InputContractException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The report of a small run: the numbers it embeds, its escaping, and the report subcommand. */
@ExtendWith(SharedSpark.class)
class HtmlReportTest {
  private static final double TOLERANCE = 1e-9;

  static Path runDir;
  static String html;
  static JsonNode data;
  static JsonNode metrics;

  @BeforeAll
  static void buildOnce() throws Exception {
    runDir = ReportFixture.runDirectory();
    html = Files.readString(ReportFixture.page(), StandardCharsets.UTF_8);
    data = ReportFixture.embeddedData(html);
    metrics = ReportFixture.metrics();
  }

  @Test
  void headerAndProfileTableComeFromTheRun() {
    assertEquals("2026-01-31", data.at("/run/runDate").asText());
    assertEquals(3000, data.at("/run/rowsIn").asLong());
    assertEquals(metrics.at("/rows/out").asLong(), data.at("/run/rowsOut").asLong());
    assertEquals(
        metrics.at("/rows/quarantined").asLong(), data.at("/run/rowsQuarantined").asLong());
    assertTrue(data.at("/run/reconciled").asBoolean());

    int k = metrics.at("/segments/k").asInt();
    JsonNode segments = data.get("segments");
    assertEquals(k, segments.size());
    long customers = 0;
    double share = 0;
    for (int i = 0; i < k; i++) {
      JsonNode s = segments.get(i);
      assertEquals(i + 1, s.get("rank").asInt(), "segments are riskiest first");
      assertTrue(s.get("scoreP25").asDouble() <= s.get("scoreP50").asDouble());
      assertTrue(s.get("scoreP50").asDouble() <= s.get("scoreP75").asDouble());
      assertFalse(s.get("description").asText().isEmpty());
      assertTrue(s.get("defaultRate").isNumber(), "generated customers carry a default label");
      customers += s.get("customers").asLong();
      share += s.get("share").asDouble();
    }
    assertEquals(metrics.at("/rows/out").asLong(), customers);
    assertEquals(1.0, share, 1e-9);
    assertEquals(ReportFixture.XSS, segments.get(0).get("label").asText());
  }

  @Test
  void scoreHistogramAndBandsCountEveryCustomer() {
    JsonNode scores = data.get("scores");
    assertEquals(10, scores.get("binWidth").asInt());
    assertEquals(55, scores.get("binStarts").size());
    assertEquals(300, scores.at("/binStarts/0").asInt());
    assertEquals(840, scores.at("/binStarts/54").asInt());
    List<String> bands = new ArrayList<>();
    scores
        .get("bands")
        .forEach(
            b ->
                bands.add(
                    b.get("name").asText()
                        + " "
                        + b.get("from").asInt()
                        + "-"
                        + b.get("to").asInt()));
    assertEquals(
        List.of(
            "Poor 300-579",
            "Fair 580-669",
            "Good 670-739",
            "Very Good 740-799",
            "Exceptional 800-850"),
        bands);

    long rowsOut = metrics.at("/rows/out").asLong();
    assertEquals(rowsOut, total(scores.get("histogram")));
    assertEquals(rowsOut, total(scores.get("bandCounts")));
    for (int i = 0; i < data.get("segments").size(); i++) {
      long inSegment = data.at("/segments/" + i + "/customers").asLong();
      assertEquals(inSegment, sum(scores.at("/histogram/" + i + "/counts")));
      assertEquals(inSegment, sum(scores.at("/bandCounts/" + i + "/counts")));
    }

    Dataset<Row> segments =
        SharedSpark.spark().read().parquet(runDir.resolve("segments").toString());
    long poorBand = segments.filter("credit_score <= 579").count();
    long poorInReport = 0;
    for (JsonNode c : scores.get("bandCounts")) {
      poorInReport += c.at("/counts/0").asLong();
    }
    assertEquals(poorBand, poorInReport);
  }

  @Test
  void projectionIsABoundedSampleWithEveryCentre() {
    JsonNode p = data.get("projection");
    long rowsOut = metrics.at("/rows/out").asLong();
    assertEquals(HtmlReport.SAMPLE_POINTS, p.get("bound").asInt());
    assertEquals(Math.min(HtmlReport.SAMPLE_POINTS, rowsOut), p.get("sampled").asLong());
    assertEquals(rowsOut, p.get("population").asLong());
    long points = 0;
    for (JsonNode s : p.get("points")) {
      assertEquals(s.get("x").size(), s.get("y").size());
      points += s.get("x").size();
    }
    assertEquals(p.get("sampled").asLong(), points);
    assertEquals(data.get("segments").size(), p.get("centroids").size());
    assertEquals(2, p.get("explainedVariance").size());
    double explained =
        p.at("/explainedVariance/0").asDouble() + p.at("/explainedVariance/1").asDouble();
    assertTrue(explained > 0 && explained <= 1 + 1e-9, "explained variance " + explained);
  }

  @Test
  void projectionNeverTakesMoreThanItsBound() {
    RunDirectory run = RunDirectory.open(SharedSpark.spark(), runDir.toString());
    Map<Integer, Integer> rankByCluster = new HashMap<>();
    data.get("segments")
        .forEach(s -> rankByCluster.put(s.get("cluster").asInt(), s.get("rank").asInt()));
    ReportData.Projection small =
        new CustomerProjector(100)
            .project(run.segments(), run.model().pipeline(), rankByCluster, 0, 0);
    assertEquals(100, small.sampled());
    assertEquals(100, small.points().stream().mapToInt(s -> s.x().size()).sum());
  }

  @Test
  void correlationMatrixIsSquareAndSymmetricWithUnitDiagonal() {
    JsonNode c = data.get("correlation");
    int n = c.get("columns").size();
    assertTrue(n >= metrics.at("/segments/features").size(), "every clustering feature is in");
    assertEquals(n, c.get("matrix").size());
    for (int i = 0; i < n; i++) {
      assertEquals(n, c.at("/matrix/" + i).size());
      assertEquals(1.0, c.at("/matrix/" + i + "/" + i).asDouble(), TOLERANCE);
      for (int j = 0; j < n; j++) {
        double r = c.at("/matrix/" + i + "/" + j).asDouble();
        assertTrue(r >= -1 && r <= 1);
        assertEquals(r, c.at("/matrix/" + j + "/" + i).asDouble(), TOLERANCE);
      }
    }
  }

  @Test
  void featureBoxesUseTheProfileQuartilesAndWhiskersInsideTheRange() throws Exception {
    JsonNode profiles = new ObjectMapper().readTree(runDir.resolve("profiles.json").toFile());
    JsonNode features = data.get("features");
    assertEquals(metrics.at("/segments/features").size(), features.size());
    for (JsonNode f : features) {
      String name = f.get("feature").asText();
      assertEquals(profiles.size(), f.get("boxes").size(), name);
      for (JsonNode b : f.get("boxes")) {
        JsonNode profile = profiles.get(b.get("rank").asInt() - 1);
        assertEquals(profile.get(name + "_p25").asDouble(), b.get("q1").asDouble(), 1e-3, name);
        assertEquals(profile.get(name + "_p75").asDouble(), b.get("q3").asDouble(), 1e-3, name);
        double[] ordered = {
          b.get("min").asDouble(), b.get("lowerFence").asDouble(), b.get("q1").asDouble(),
          b.get("median").asDouble(), b.get("q3").asDouble(), b.get("upperFence").asDouble(),
          b.get("max").asDouble()
        };
        for (int i = 1; i < ordered.length; i++) {
          assertTrue(ordered[i - 1] <= ordered[i] + 1e-3, name + " box out of order: " + b);
        }
      }
    }
  }

  @Test
  void reasonCodesAreCountedPerSegment() {
    JsonNode reasons = data.get("reasonCodes");
    List<String> codes = new ArrayList<>();
    reasons.get("codes").forEach(c -> codes.add(c.asText()));
    assertEquals("payment_history", codes.get(0), "heaviest factor first");
    long primary = 0;
    long any = 0;
    for (JsonNode s : reasons.get("segments")) {
      long firsts = sum(s.get("primary"));
      any += sum(s.get("any"));
      assertTrue(firsts <= s.get("customers").asLong());
      for (int i = 0; i < codes.size(); i++) {
        assertTrue(s.at("/any/" + i).asLong() >= s.at("/primary/" + i).asLong());
      }
      primary += firsts;
    }
    Dataset<Row> written =
        SharedSpark.spark().read().parquet(runDir.resolve("segments").toString());
    long withAReason = written.filter("reason_code_1 IS NOT NULL").count();
    assertEquals(withAReason, primary);
    // Every code counted once, whichever of the four columns holds it.
    long codesWritten =
        written
            .selectExpr(
                "(IF(reason_code_1 IS NULL, 0, 1) + IF(reason_code_2 IS NULL, 0, 1)"
                    + " + IF(reason_code_3 IS NULL, 0, 1) + IF(reason_code_4 IS NULL, 0, 1)) AS n")
            .agg(functions.sum("n"))
            .first()
            .getLong(0);
    assertEquals(codesWritten, any);
  }

  @Test
  void kSelectionAndQualityAreThoseOfMetrics() {
    JsonNode k = data.get("kSelection");
    assertEquals("auto", k.get("mode").asText());
    assertEquals(metrics.at("/segments/selection/chosenK").asInt(), k.get("chosenK").asInt());
    assertEquals(3, k.get("candidates").size());
    for (int i = 0; i < 3; i++) {
      JsonNode expected = metrics.at("/segments/selection/candidates/" + i);
      assertEquals(expected.get("k").asInt(), k.at("/candidates/" + i + "/k").asInt());
      assertEquals(
          expected.get("wcss").asDouble(),
          k.at("/candidates/" + i + "/wcss").asDouble(),
          TOLERANCE);
      assertEquals(
          expected.get("silhouette").asDouble(),
          k.at("/candidates/" + i + "/silhouette").asDouble(),
          TOLERANCE);
    }
    assertEquals(
        metrics.at("/quality/quarantinedByReason"), data.at("/quality/quarantinedByReason"));
    assertEquals(metrics.at("/quality/repairsByColumn"), data.at("/quality/repairsByColumn"));
    assertTrue(data.at("/quality/rowsQuarantined").asLong() > 0, "the fixture quarantines rows");
    assertTrue(data.at("/quality/repairsByColumn").size() > 0, "the fixture repairs values");
  }

  @Test
  void supervisedModelsAreThoseOfMetrics() {
    JsonNode expected = metrics.get("supervised");
    JsonNode shown = data.at("/supervised/models");
    assertTrue(expected.isObject(), "the fixture's input has a default label: models are on");
    for (String field :
        List.of(
            "label", "split", "trainRows", "trainEvents", "validationRows", "validationEvents")) {
      assertEquals(expected.get(field), shown.get(field), field);
    }
    assertEquals(expected.get("features"), shown.get("features"), "IV per feature and status");
    assertEquals(expected.get("fairness"), shown.get("fairness"));
    assertTrue(shown.at("/fairness/attributes").size() > 0, "generated customers have age, gender");
    assertEquals(expected.get("crossValidation"), shown.get("crossValidation"));
    assertTrue(
        shown.at("/crossValidation/meanRocAuc").isNumber(),
        "3,000 customers are below cross-validation.below-rows");

    List<String> models = new ArrayList<>();
    for (int i = 0; i < expected.get("models").size(); i++) {
      JsonNode want = expected.at("/models/" + i);
      JsonNode got = shown.at("/models/" + i);
      String model = got.get("model").asText();
      models.add(model);
      assertEquals(want.get("model").asText(), model);
      for (String figure : List.of("rocAuc", "gini", "ks", "ksThreshold", "prAuc", "brier")) {
        assertEquals(
            want.at("/validation/" + figure).asDouble(),
            got.at("/validation/" + figure).asDouble(),
            TOLERANCE,
            model + " " + figure);
      }
      assertEquals(want.at("/validation/decision"), got.at("/validation/decision"), model);
      assertEquals(want.at("/validation/calibration"), got.at("/validation/calibration"), model);
      JsonNode roc = got.at("/validation/roc");
      assertEquals(want.at("/validation/roc").size(), roc.size(), model + " ROC points");
      for (int p = 0; p < roc.size(); p++) {
        assertEquals(
            want.at("/validation/roc/" + p + "/tpr").asDouble(),
            roc.at("/" + p + "/tpr").asDouble(),
            1e-4,
            model + " ROC point " + p + ", rounded for the page");
      }
      int ksPoints = model.equals("scorecard") ? want.at("/validation/ksCurve").size() : 0;
      assertEquals(ksPoints, got.at("/validation/ksCurve").size(), "only the scorecard's KS curve");
      assertEquals(0, got.at("/validation/gains").size(), "gains are not drawn");
    }
    assertEquals(
        List.of("scorecard", "random-forest", "gradient-boosted-trees", "rule-score"), models);
  }

  @Test
  void theRunsWarningsLeadThePageEscaped() {
    assertEquals("", ReportPage.warningsBlock(List.of()));
    assertEquals(
        "<div class=\"notice warning\" id=\"run-warnings\"><strong>Warnings</strong><ul>"
            + "<li>customer_id &#39;&lt;b&gt;&#39; holds 14.5 %</li></ul></div>",
        ReportPage.warningsBlock(List.of("customer_id '<b>' holds 14.5 %")));
  }

  @Test
  void scorecardTableHasTheRowsOfModelsScorecardCsv() {
    List<Row> csv =
        SharedSpark.spark()
            .read()
            .option("header", true)
            .option("inferSchema", true)
            .csv(runDir.resolve("models").resolve("scorecard.csv").toString())
            .collectAsList();
    JsonNode rows = data.at("/supervised/scorecard");
    assertEquals(csv.size(), rows.size());
    assertTrue(rows.size() > 10, "features times bins: " + rows.size());
    Map<String, Row> byBin = new HashMap<>();
    csv.forEach(r -> byBin.put(r.getAs("feature") + "#" + r.getAs("bin"), r));
    List<String> kept = new ArrayList<>();
    metrics
        .at("/supervised/features")
        .forEach(
            f -> {
              if (f.get("status").asText().equals("kept")) {
                kept.add(f.get("feature").asText());
              }
            });
    List<String> features = new ArrayList<>();
    JsonNode before = null;
    for (JsonNode r : rows) {
      String feature = r.get("feature").asText();
      Row expected = byBin.get(feature + "#" + r.get("bin").asInt());
      assertTrue(expected != null, "not in scorecard.csv: " + r);
      assertEquals(expected.<String>getAs("values"), r.get("values").asText());
      assertEquals(((Number) expected.getAs("customers")).longValue(), r.get("customers").asLong());
      assertEquals(((Number) expected.getAs("woe")).doubleValue(), r.get("woe").asDouble(), 1e-9);
      assertEquals(
          ((Number) expected.getAs("points")).doubleValue(), r.get("points").asDouble(), 1e-9);
      if (before == null || !before.get("feature").asText().equals(feature)) {
        assertFalse(features.contains(feature), "a feature's bins are together: " + feature);
        features.add(feature);
      } else {
        assertEquals(before.get("bin").asInt() + 1, r.get("bin").asInt(), "bins in order");
      }
      before = r;
    }
    assertEquals(kept, features, "the kept features, in the order of metrics.json");
  }

  @Test
  void riskOrderIsThatOfMetrics() {
    assertTrue(metrics.get("riskOrder").isObject(), "a labelled input has a risk order");
    assertEquals(metrics.get("riskOrder"), data.get("riskOrder"));
    assertEquals(data.get("segments").size(), data.at("/riskOrder/segments").size());
  }

  @Test
  void textFromTheDataCannotBecomeMarkup() {
    assertFalse(html.contains(ReportFixture.XSS), "raw label in the page");
    assertFalse(html.contains("alert(1)</script>"));
    assertTrue(
        html.contains("\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E"),
        "escaped label in the data");
    String data = html.substring(html.indexOf("<script id=\"report-data\""));
    data = data.substring(0, data.indexOf("</script>"));
    assertFalse(
        data.substring(data.indexOf('>') + 1).matches("(?s).*[<>&'].*"),
        "markup characters in the JSON");
    assertEquals(4, count(html, "<script"), "only the page's own scripts");
    assertEquals(4, count(html, "</script>"));
    assertFalse(
        html.contains("innerHTML")
            || html.contains("insertAdjacentHTML")
            || html.contains("document.write"),
        "the page's script inserts text, never markup");
  }

  @Test
  void htmlSafeJsonEscapesEverythingThatCouldEndTheScript() throws Exception {
    String nasty = "</script><!-- a & b 'q' \u2028 \"x\" -->";
    String json = HtmlSafeJson.write(Map.of("label", nasty));
    assertFalse(json.matches("(?s).*[<>&'\u2028].*"), json);
    assertEquals(nasty, new ObjectMapper().readTree(json).get("label").asText());
  }

  @Test
  void pageIsSmallAndPlotlySitsBesideIt() throws Exception {
    Path page = ReportFixture.page();
    assertEquals(runDir.resolve("report").resolve("index.html"), page);
    long kb = Files.size(page) / 1024;
    assertTrue(kb < 400, "page is " + kb + " KB");
    Path plotly = page.resolveSibling(PlotlyBundle.FILE);
    assertTrue(Files.size(plotly) > 1_000_000, "plotly.js copied whole");
    assertTrue(html.contains("<script src=\"plotly.js\"></script>"));
    assertTrue(html.contains("plotly.js " + PlotlyBundle.fromClasspath().version()));
    assertFalse(html.contains("http://") || html.contains("https://"), "the page fetches nothing");
  }

  @Test
  void reportSubcommandRebuildsThePage() throws Exception {
    Path report = runDir.resolve("report");
    byte[] before = Files.readAllBytes(report.resolve("index.html"));
    Files.delete(report.resolve("index.html"));
    StringWriter out = new StringWriter();
    int code =
        new CommandLine(new ReportCommand())
            .setOut(new PrintWriter(out))
            .execute(runDir.toString());
    assertEquals(0, code);
    assertTrue(out.toString().trim().endsWith("report/index.html"), out.toString());
    assertEquals(
        new String(before, StandardCharsets.UTF_8),
        Files.readString(report.resolve("index.html")),
        "a rebuild from the same run gives the same page");
  }

  @Test
  void reportSubcommandFindsTheRunFromTheSettings() throws Exception {
    StringWriter out = new StringWriter();
    int code =
        new CommandLine(new ReportCommand())
            .setOut(new PrintWriter(out))
            .execute("--set", "output.path=" + runDir.getParent(), "--set", "run.date=2026-01-31");
    assertEquals(0, code);
    assertEquals(
        runDir.resolve("report").resolve("index.html"), Path.of(URI.create(out.toString().trim())));

    StringWriter err = new StringWriter();
    code = new CommandLine(new ReportCommand()).setErr(new PrintWriter(err)).execute();
    assertEquals(1, code);
    assertTrue(err.toString().contains("report needs RUN_DIR, or output.path"), err.toString());
  }

  @Test
  void aDirectoryThatIsNotARunIsAnInputError(@TempDir Path empty) {
    InputContractException e =
        assertThrows(
            InputContractException.class,
            () -> new HtmlReport(SharedSpark.spark()).write(empty.toString()));
    assertTrue(e.getMessage().contains("is not a run directory"), e.getMessage());
    assertTrue(
        e.getMessage().contains("missing metrics.json, profiles, segments, model"), e.getMessage());
  }

  private static long total(JsonNode countsPerSegment) {
    long total = 0;
    for (JsonNode c : countsPerSegment) {
      total += sum(c.get("counts"));
    }
    return total;
  }

  private static long sum(JsonNode array) {
    long sum = 0;
    for (JsonNode n : array) {
      sum += n.asLong();
    }
    return sum;
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
