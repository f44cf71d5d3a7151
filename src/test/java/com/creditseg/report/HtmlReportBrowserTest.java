package com.creditseg.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.creditseg.SharedSpark;
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

  static String dom;
  static int features;
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
    features = ReportFixture.embeddedData(Files.readString(page)).get("features").size();
    dom = render(chromium.get(), page);
  }

  /** Per test, so a run without a browser reports each test as skipped. */
  @BeforeEach
  void requireBrowser() {
    assumeTrue(skipped == null, skipped);
  }

  @Test
  void pageLogsNoJavaScriptErrors() {
    Matcher m = ERRORS.matcher(dom);
    assertTrue(m.find(), "no #js-errors element in the DOM");
    assertEquals("", m.group(1).trim(), "JavaScript errors");
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
    assertEquals(10 + features, charts.size(), "chart divs: " + charts);
    for (int i = 0; i < charts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : dom.length();
      String chart = dom.substring(starts.get(i), end);
      assertTrue(chart.contains("class=\"main-svg\""), charts.get(i) + " has no Plotly SVG");
    }
    assertTrue(dom.contains("data-charts=\"" + (10 + features) + "\""));
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

  private static String render(Path chromium, Path page) throws Exception {
    Path profile = Files.createTempDirectory("creditseg-chromium");
    Path log = Path.of("target", "report-chromium.log").toAbsolutePath();
    Files.deleteIfExists(SCREENSHOT);
    try {
      Process process =
          new ProcessBuilder(
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
                  "--window-size=1400,5600",
                  "--screenshot=" + SCREENSHOT,
                  "--dump-dom",
                  page.toUri().toString())
              .redirectError(log.toFile())
              .start();
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
