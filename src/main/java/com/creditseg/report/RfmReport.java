package com.creditseg.report;

import com.creditseg.io.RunOutput;
import com.creditseg.metrics.RfmMetrics;
import com.creditseg.schema.InputContractException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTML report of an {@code rfm} run, in the frame and style of the run report: reads the run
 * directory's {@code metrics.json} ({@link RfmMetrics}) and {@code profiles.json} and writes {@code
 * report/index.html} with plotly.js beside it. Sections: the named segments (sizes and value), the
 * R × F grid, spend per named segment, the KMeans segments with their profiles and the choice of k,
 * the loyalty model against the majority class, and data quality. Every number comes from the run
 * directory; the page's data is bounded by the segments, not by customers.
 */
public final class RfmReport {
  private static final Logger LOG = LoggerFactory.getLogger(RfmReport.class);

  private final SparkSession spark;

  /** What the page draws from. */
  record Data(RfmMetrics metrics, JsonNode profiles) {}

  public RfmReport(SparkSession spark) {
    this.spark = spark;
  }

  /** Writes {@code report/index.html} (+ plotly.js) into the run directory; returns its path. */
  public String write(String runDirectory) {
    Path root = new Path(runDirectory);
    PlotlyBundle plotly = PlotlyBundle.fromClasspath();
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path metricsFile = new Path(root, "metrics.json");
      if (!fs.exists(metricsFile)) {
        throw new InputContractException(runDirectory + " is not an rfm run: no metrics.json");
      }
      RfmMetrics metrics;
      try (InputStream in = fs.open(metricsFile)) {
        metrics = RunOutput.JSON.readValue(in, RfmMetrics.class);
      }
      JsonNode profiles;
      try (InputStream in = fs.open(new Path(root, "profiles.json"))) {
        profiles = RunOutput.JSON.readTree(in);
      }
      byte[] page =
          ReportPage.render(
                  "rfm.html",
                  "rfm.js",
                  "RFM segments, run " + metrics.runDate(),
                  new Data(metrics, profiles),
                  metrics.warnings(),
                  PlotlyBundle.FILE,
                  plotly.version())
              .getBytes(StandardCharsets.UTF_8);
      Path directory = new Path(root, HtmlReport.DIRECTORY);
      Path index = new Path(directory, HtmlReport.PAGE);
      fs.mkdirs(directory);
      try (OutputStream out = fs.create(index, true)) {
        out.write(page);
      }
      plotly.copyTo(fs, directory);
      LOG.info("RFM report written to {} ({} KB)", index, page.length / 1024);
      return index.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the RFM report under " + runDirectory, e);
    }
  }
}
