package com.creditseg.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.creditseg.SharedSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loads the report in headless Chromium from {@code file://}, as an analyst would, and checks the
 * DOM the browser ends with: every chart drawn by Plotly, no JavaScript error recorded by the page,
 * data text shown as text. Leaves a screenshot at {@code target/report-screenshot.png}.
 *
 * <p>Skipped when no Chromium is installed, unless {@code CREDITSEG_REQUIRE_BROWSER=true} (or the
 * system property {@code creditseg.require-browser=true}) says the browser must be there, as in CI.
 * {@code CREDITSEG_CHROMIUM} names the binary when it is not {@code chromium} on the PATH.
 */
@ExtendWith(SharedSpark.class)
class HtmlReportBrowserTest {
  static final Path SCREENSHOT = Path.of("target", "report-screenshot.png").toAbsolutePath();
  private static final List<String> BINARIES =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
  private static final Pattern CHART_DIV = Pattern.compile("<div[^>]*\\bid=\"(chart-[^\"]+)\"");
  private static final Pattern ERRORS =
      Pattern.compile("<pre id=\"js-errors\"[^>]*>(.*?)</pre>", Pattern.DOTALL);

  /**
   * Charts besides one per feature: projection, two of scores, correlation, k, two of quality,
   * reasons, two of stability, and four of the supervised models (ROC, KS, calibration, IV).
   */
  static final int CHARTS = 14;

  /** Without the optional parts: stability, the supervised models' charts. */
  static final int CHARTS_OF_AN_OLD_RUN = 8;

  static final String ADVICE = "Order the labels by <b>default rate</b> & rerun";

  static String dom;
  static String oldRunDom;
  static String brokenOrderDom;
  static int features;
  static boolean monotone;
  static String skipped;

  @BeforeAll
  static void loadInChromium() throws Exception {
    Optional<Path> chromium = chromium();
    if (chromium.isEmpty()) {
      String why = "No Chromium found (" + String.join(", ", BINARIES) + " or CREDITSEG_CHROMIUM)";
      if (browserRequired()) {
        fail(why + ", and CREDITSEG_REQUIRE_BROWSER / creditseg.require-browser is true");
      }
      skipped = why + ": skipping the browser test";
      return;
    }
    Path page = ReportFixture.page();
    JsonNode data = ReportFixture.embeddedData(Files.readString(page));
    features = data.get("features").size();
    monotone = data.at("/riskOrder/monotone").asBoolean();
    dom = render(chromium.get(), page, SCREENSHOT);
    // A run from before the supervised models and stability, or of an unlabelled input.
    Path oldRun =
        ReportFixture.variant(
            "old-run.html",
            d -> {
              d.putNull("supervised");
              d.putNull("riskOrder");
              d.putNull("stability");
            });
    oldRunDom = render(chromium.get(), oldRun, null);
    // Labels out of risk order, and a rule score that disagrees.
    Path brokenOrder =
        ReportFixture.variant(
            "broken-order.html",
            d -> {
              ObjectNode order = (ObjectNode) d.get("riskOrder");
              order.put("monotone", false);
              order.put("scoreAgrees", false);
              order.put("advice", ADVICE);
            });
    brokenOrderDom = render(chromium.get(), brokenOrder, null);
  }

  /** Per test, so a run without a browser reports each test as skipped. */
  @BeforeEach
  void requireBrowser() {
    assumeTrue(skipped == null, skipped);
  }

  @Test
  void pageLogsNoJavaScriptErrors() {
    assertEquals("", errors(dom), "JavaScript errors");
    assertTrue(dom.contains("data-status=\"rendered\""), "the page did not finish drawing");
  }

  @Test
  void everyChartIsDrawnByPlotly() {
    List<String> charts = new ArrayList<>();
    Matcher m = CHART_DIV.matcher(dom);
    List<Integer> starts = new ArrayList<>();
    while (m.find()) {
      charts.add(m.group(1));
      starts.add(m.start());
    }
    assertEquals(CHARTS + features, charts.size(), "chart divs: " + charts);
    for (int i = 0; i < charts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : dom.length();
      String chart = dom.substring(starts.get(i), end);
      assertTrue(chart.contains("class=\"main-svg\""), charts.get(i) + " has no Plotly SVG");
    }
    assertTrue(dom.contains("data-charts=\"" + (CHARTS + features) + "\""));
  }

  @Test
  void supervisedSectionIsShownWithItsTables() {
    assertTrue(dom.contains("<section class=\"card\" id=\"supervised\">"), "section hidden");
    String models = table(dom, "model-table");
    for (String model :
        List.of("scorecard", "random forest", "gradient boosted trees", "rule score")) {
      assertTrue(models.contains("<td class=\"text\">" + model + "</td>"), model + ": " + models);
    }
    assertEquals(4, count(models, "<tr>") - 1, "a header and one row per model: " + models);
    assertTrue(dom.contains("only its ranking is meaningful"), "no note on the rule score");
    assertTrue(dom.contains("(AUC 0."), "no AUC in the ROC legend");
    assertTrue(table(dom, "scorecard-table").contains("<td class=\"text\">payment history</td>"));
    assertTrue(dom.contains("The run does not record its minimum IV"), "no word on min-iv");
    assertTrue(table(dom, "fairness-table").contains("<td class=\"text\">gender</td>"));
  }

  @Test
  void riskOrderIsNotedAndABrokenOneWarned() {
    assertTrue(
        dom.contains(
            "<p class=\"explain risk-order\" id=\"risk-order-note\">Segments are labelled"),
        "no risk-order note");
    assertEquals(
        monotone,
        dom.contains("id=\"risk-order-warning\" hidden"),
        "the warning is shown exactly when the fixture's labels are out of risk order");

    assertEquals("", errors(brokenOrderDom), "JavaScript errors");
    int at = brokenOrderDom.indexOf("<div class=\"notice warning\" id=\"risk-order-warning\">");
    assertTrue(at > 0, "no visible warning");
    String warning = brokenOrderDom.substring(at, brokenOrderDom.indexOf("</div>", at));
    assertTrue(warning.contains("not in risk order"), warning);
    assertTrue(
        warning.contains("&lt;b&gt;default rate&lt;/b&gt; &amp; rerun"), "advice: " + warning);
    assertTrue(warning.contains("Default rate by label, riskiest label first: "), warning);
    assertTrue(warning.matches("(?s).*\\d+\\.\\d%.*"), "no default rates: " + warning);
    assertTrue(
        brokenOrderDom.contains("The rule score orders the segments differently"),
        "no note that the score disagrees");
  }

  @Test
  void aRunWithoutTheOptionalPartsDrawsWithoutErrors() {
    assertEquals("", errors(oldRunDom), "JavaScript errors");
    assertTrue(oldRunDom.contains("data-status=\"rendered\""), "the page did not finish drawing");
    assertTrue(
        oldRunDom.contains("data-charts=\"" + (CHARTS_OF_AN_OLD_RUN + features) + "\""),
        "charts drawn");
    assertTrue(oldRunDom.contains("<section class=\"card\" id=\"supervised\" hidden"));
    assertTrue(oldRunDom.contains("<section class=\"card\" id=\"stability\" hidden"));
    assertTrue(oldRunDom.contains("id=\"risk-order-note\" hidden"));
  }

  @Test
  void labelsFromTheDataAreShownAsText() {
    assertFalse(dom.contains(ReportFixture.XSS), "the label became markup");
    assertTrue(
        dom.contains("<span class=\"segment-name\">&lt;script&gt;alert(1)&lt;/script&gt;</span>"),
        "the label is not shown as text in the profile table");
    assertTrue(dom.contains(">&lt;script&gt;alert(1)&lt;/script&gt;<"), "not shown in the charts");
  }

  @Test
  void screenshotIsKept() throws IOException {
    assertTrue(Files.size(SCREENSHOT) > 50_000, "screenshot too small: " + Files.size(SCREENSHOT));
  }

  private static String errors(String dom) {
    Matcher m = ERRORS.matcher(dom);
    assertTrue(m.find(), "no #js-errors element in the DOM");
    return m.group(1).trim();
  }

  /** The markup of the table with id {@code id}. */
  private static String table(String dom, String id) {
    int at = dom.indexOf("<table id=\"" + id + "\"");
    assertTrue(at >= 0, "no table " + id);
    return dom.substring(at, dom.indexOf("</table>", at));
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  /** The DOM Chromium ends with; a screenshot too when {@code screenshot} is not null. */
  private static String render(Path chromium, Path page, Path screenshot) throws Exception {
    Path profile = Files.createTempDirectory("creditseg-chromium");
    Path log = Path.of("target", "report-chromium.log").toAbsolutePath();
    if (screenshot != null) {
      Files.deleteIfExists(screenshot);
    }
    try {
      List<String> command =
          new ArrayList<>(
              List.of(
                  chromium.toString(),
                  "--headless",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-quic",
                  "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update",
                  "--disable-sync",
                  "--hide-scrollbars",
                  "--user-data-dir=" + profile,
                  "--virtual-time-budget=15000",
                  "--window-size=1400,5600"));
      if (screenshot != null) {
        command.add("--screenshot=" + screenshot);
      }
      command.add("--dump-dom");
      command.add(page.toUri().toString());
      Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("Chromium did not finish in 120 s; see " + log);
      }
      assertEquals(0, process.exitValue(), "Chromium failed; see " + log);
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      ReportFixture.deleteRecursively(profile);
    }
  }

  private static boolean browserRequired() {
    return "true".equalsIgnoreCase(System.getProperty("creditseg.require-browser"))
        || "true".equalsIgnoreCase(System.getenv("CREDITSEG_REQUIRE_BROWSER"));
  }

  private static Optional<Path> chromium() {
    String explicit = System.getenv("CREDITSEG_CHROMIUM");
    if (explicit != null && !explicit.isBlank()) {
      Path p = Path.of(explicit);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .flatMap(dir -> BINARIES.stream().map(name -> Path.of(dir, name)))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
