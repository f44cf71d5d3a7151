package com.creditseg.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's HTML report: reads a run directory ({@code metrics.json}, {@code profiles/}, {@code
 * segments/}, {@code model/}) and writes {@code report/index.html} into it, with plotly.js beside
 * it as {@code report/plotly.js}. The page is self-contained otherwise and opens from the file
 * system with no network access.
 *
 * <p>Every number on the page comes from the run directory. The page's data is bounded by {@value
 * #SAMPLE_POINTS} projected customers, the segments, features, score bins and reason codes, so the
 * page stays a few hundred kilobytes at any input size; the aggregates are computed in Spark. Works
 * on any Hadoop file system.
 */
public final class HtmlReport {
  /** At most this many customers are drawn in the 2-D projection. */
  public static final int SAMPLE_POINTS = 2000;

  static final String DIRECTORY = "report";
  static final String PAGE = "index.html";
  private static final Logger LOG = LoggerFactory.getLogger(HtmlReport.class);

  private final SparkSession spark;
  private final int samplePoints;

  public HtmlReport(SparkSession spark) {
    this(spark, SAMPLE_POINTS);
  }

  HtmlReport(SparkSession spark, int samplePoints) {
    this.spark = spark;
    this.samplePoints = samplePoints;
  }

  /**
   * Reads the run directory and writes {@code report/index.html} (+ plotly.js) into it, replacing
   * an earlier report. Returns the fully qualified path of index.html.
   *
   * @throws com.creditseg.schema.InputContractException when {@code runDirectory} is not a run
   */
  public String write(String runDirectory) {
    // Both checks come before any Spark work, so a bad directory or classpath fails at once.
    RunDirectory run = RunDirectory.open(spark, runDirectory);
    PlotlyBundle plotly = PlotlyBundle.fromClasspath();
    ReportData data = new ReportDataCollector(samplePoints).collect(run);
    byte[] page =
        ReportPage.render(data, PlotlyBundle.FILE, plotly.version())
            .getBytes(StandardCharsets.UTF_8);

    FileSystem fs = run.fileSystem();
    Path directory = new Path(run.root(), DIRECTORY);
    Path index = new Path(directory, PAGE);
    try {
      fs.mkdirs(directory);
      try (OutputStream out = fs.create(index, true)) {
        out.write(page);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report " + index, e);
    }
    plotly.copyTo(fs, directory);
    LOG.info(
        "Report written to {} ({} KB, {} of {} customers projected; plotly.js {})",
        index,
        page.length / 1024,
        data.projection().sampled(),
        data.projection().population(),
        plotly.version());
    return index.toString();
  }
}
