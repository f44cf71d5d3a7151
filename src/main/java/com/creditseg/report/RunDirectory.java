package com.creditseg.report;

import com.creditseg.io.RunOutput;
import com.creditseg.metrics.RunMetrics;
import com.creditseg.schema.InputContractException;
import com.creditseg.segment.SegmentModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The outputs of one committed (or staged) run, on any Hadoop file system: {@code metrics.json},
 * {@code profiles/}, {@code segments/} and {@code model/} (see {@link RunOutput}). Opening checks
 * that all four are there and names the ones that are not.
 */
final class RunDirectory {
  static final String METRICS = "metrics.json";
  static final String PROFILES = "profiles";
  static final String SEGMENTS = "segments";
  static final String MODEL = "model";
  static final String SCORECARD = "models/scorecard";

  private final SparkSession spark;
  private final FileSystem fs;
  private final Path root;

  private RunDirectory(SparkSession spark, FileSystem fs, Path root) {
    this.spark = spark;
    this.fs = fs;
    this.root = root;
  }

  /** Opens {@code location}; throws {@link InputContractException} when it is not a run. */
  static RunDirectory open(SparkSession spark, String location) {
    Path root = new Path(location);
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path qualified = fs.makeQualified(root);
      List<String> missing = new ArrayList<>();
      for (String name : List.of(METRICS, PROFILES, SEGMENTS, MODEL)) {
        if (!fs.exists(new Path(qualified, name))) {
          missing.add(name);
        }
      }
      if (!missing.isEmpty()) {
        throw new InputContractException(
            "Cannot build the report: "
                + qualified
                + " is not a run directory (missing "
                + String.join(", ", missing)
                + ")");
      }
      return new RunDirectory(spark, fs, qualified);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the run directory " + location, e);
    }
  }

  /** The fully qualified location, e.g. {@code file:/out/run_date=2026-01-31}. */
  Path root() {
    return root;
  }

  FileSystem fileSystem() {
    return fs;
  }

  RunMetrics metrics() {
    try (InputStream in = fs.open(new Path(root, METRICS))) {
      return RunOutput.JSON.readValue(in, RunMetrics.class);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + new Path(root, METRICS), e);
    }
  }

  /** The profile table: one row per segment, k rows. */
  Dataset<Row> profiles() {
    return spark.read().parquet(new Path(root, PROFILES).toString());
  }

  /** The segmented customers; {@code segment} comes back as a partition column. */
  Dataset<Row> segments() {
    return spark.read().parquet(new Path(root, SEGMENTS).toString());
  }

  /**
   * The supervised scorecard, one row per feature and bin; empty when the run fitted no supervised
   * models (they are optional, so opening does not require it).
   */
  Optional<Dataset<Row>> scorecard() {
    Path table = new Path(root, SCORECARD);
    try {
      return fs.exists(table)
          ? Optional.of(spark.read().parquet(table.toString()))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + table, e);
    }
  }

  SegmentModel model() {
    return SegmentModel.load(spark, new Path(root, MODEL).toString());
  }
}
