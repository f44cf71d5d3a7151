package com.creditseg.report;

import com.creditseg.SharedSpark;
import com.creditseg.config.Settings;
import com.creditseg.config.SettingsLoader;
import com.creditseg.job.GenerateJob;
import com.creditseg.job.SegmentationJob;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One small run and its report, built once per test JVM and shared by the report tests: 3,000
 * generated customers with a few injected faults (so there is a quarantine and repairs), k chosen
 * automatically over 3–5 with one seed each, and the riskiest segment labelled {@link #XSS} so
 * every test sees a label that would run as a script if it were inserted as markup. The same
 * customers were run the day before, so the run has a stability section. Generated customers carry
 * the {@code defaulted} label, so the supervised models are on (model.supervised.enabled = auto)
 * and the run has a supervised section and a risk order. Kept under {@code target/report-test/} for
 * inspection.
 */
final class ReportFixture {
  static final String XSS = "<script>alert(1)</script>";
  static final Path ROOT = Path.of("target", "report-test").toAbsolutePath();
  private static final Pattern DATA =
      Pattern.compile(
          "<script id=\"report-data\" type=\"application/json\">(.*?)</script>", Pattern.DOTALL);

  private static Path runDirectory;
  private static Path page;

  private ReportFixture() {}

  /** The run directory, with its report written. */
  static synchronized Path runDirectory() {
    if (runDirectory == null) {
      deleteRecursively(ROOT);
      String input = ROOT.resolve("customers").toString();
      String output = ROOT.resolve("out").toString();
      // A run the day before, so the report has a stability section to draw.
      for (String date : List.of("2026-01-30", "2026-01-31")) {
        Settings settings =
            new SettingsLoader()
                .load(
                    List.of(),
                    List.of(
                        "input.path=" + input,
                        "output.path=" + output,
                        "run.date=" + date,
                        "generate.output=" + input,
                        "generate.rows=3000",
                        "generate.partitions=2",
                        "generate.faults.null-rate=0.01",
                        "generate.faults.nan-rate=0.005",
                        "generate.faults.out-of-range-rate=0.01",
                        "generate.faults.duplicate-id-rate=0.005",
                        "segment.k=auto",
                        "segment.auto.min-k=3",
                        "segment.auto.max-k=5",
                        "segment.seeds=1",
                        "segment.fit-sample-rows=2000",
                        "segment.labels.\"3\"=[\"" + XSS + "\", Fair, Good]",
                        "segment.labels.\"4\"=[\"" + XSS + "\", Low, Good, Excellent]",
                        "segment.labels.\"5\"=[\"" + XSS + "\", Poor, Fair, Good, Excellent]",
                        // The supervised section is drawn from the later run: the earlier one is
                        // only there for stability.
                        "model.supervised.enabled="
                            + (date.equals("2026-01-30") ? "false" : "auto")),
                    LocalDate.of(2026, 1, 31));
        if (date.equals("2026-01-30")) {
          new GenerateJob(SharedSpark.spark(), settings.generate()).run();
        }
        new SegmentationJob(SharedSpark.spark(), settings).run().metrics();
      }
      Path run = ROOT.resolve("out").resolve("run_date=2026-01-31");
      page = Path.of(URI.create(new HtmlReport(SharedSpark.spark()).write(run.toString())));
      runDirectory = run;
    }
    return runDirectory;
  }

  /** report/index.html of the run. */
  static synchronized Path page() {
    runDirectory();
    return page;
  }

  static JsonNode metrics() throws IOException {
    return new ObjectMapper().readTree(runDirectory().resolve("metrics.json").toFile());
  }

  /** The JSON object embedded in a page. */
  static JsonNode embeddedData(String html) throws IOException {
    Matcher m = DATA.matcher(html);
    if (!m.find()) {
      throw new AssertionError("No <script id=\"report-data\"> in the page");
    }
    return new ObjectMapper().readTree(m.group(1));
  }

  /**
   * A copy of the fixture's page beside it (so plotly.js loads), named {@code name}, whose embedded
   * data {@code edit} has changed: to see how the page draws a run the fixture is not.
   */
  static Path variant(String name, Consumer<ObjectNode> edit) throws IOException {
    String html = Files.readString(page());
    Matcher m = DATA.matcher(html);
    if (!m.find()) {
      throw new AssertionError("No <script id=\"report-data\"> in the page");
    }
    ObjectNode data = (ObjectNode) new ObjectMapper().readTree(m.group(1));
    edit.accept(data);
    Path variant = page().resolveSibling(name);
    Files.writeString(
        variant,
        html.substring(0, m.start(1)) + HtmlSafeJson.write(data) + html.substring(m.end(1)));
    return variant;
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + root, e);
    }
  }
}
