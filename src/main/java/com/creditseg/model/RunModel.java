package com.creditseg.model;

import com.creditseg.schema.InputContractException;
import com.creditseg.score.ScoreCard;
import com.creditseg.segment.SegmentModel;
import com.creditseg.supervised.ScorecardModel;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What a run fitted, as one object: the segmentation (pipeline, cluster labels and ranks), the
 * imputation medians its quality rules used, the score card it scored with, and the manifest
 * (versions, mapping, quality rules, required columns and their types). Everything needed to apply
 * the run to other customers without refitting.
 *
 * <p>Saved under one directory ({@code model/} of a run): the segmentation as {@link
 * SegmentModel#save} lays it out ({@code pipeline/}, {@code segments.json}), plus {@code
 * medians.json}, {@code score-card.json}, {@code manifest.json}, the supervised scorecard {@code
 * scorecard.json} when the run fitted one, {@code population.json} (the customers it was fitted on,
 * binned as the stability check bins them: {@link Population}; absent in bundles written before it
 * was recorded), and the portable export {@code model.json} ({@link PortableModel}). A bundle of
 * another schema version is refused with a message naming both versions.
 */
public record RunModel(
    SegmentModel segments,
    Map<String, Double> medians,
    ScoreCard scoreCard,
    ModelManifest manifest,
    ScorecardModel scorecard,
    Population population) {
  static final String MEDIANS = "medians.json";
  static final String POPULATION = "population.json";
  static final String SCORECARD = "scorecard.json";
  static final String SCORE_CARD = "score-card.json";
  static final String MANIFEST = "manifest.json";
  public static final String PORTABLE = "model.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public RunModel {
    medians = Map.copyOf(medians);
  }

  /** A bundle without a supervised scorecard. */
  public RunModel(
      SegmentModel segments,
      Map<String, Double> medians,
      ScoreCard scoreCard,
      ModelManifest manifest) {
    this(segments, medians, scoreCard, manifest, null, null);
  }

  public void save(SparkSession spark, String directory) {
    segments.save(spark, directory);
    write(spark, new Path(directory, MEDIANS), new TreeMap<>(medians));
    write(spark, new Path(directory, SCORE_CARD), scoreCard);
    write(spark, new Path(directory, MANIFEST), manifest);
    if (scorecard != null) {
      write(spark, new Path(directory, SCORECARD), scorecard);
    }
    if (population != null) {
      write(spark, new Path(directory, POPULATION), population);
    }
    write(spark, new Path(directory, PORTABLE), PortableModel.of(this));
  }

  /** Loads what {@link #save} wrote. */
  public static RunModel load(SparkSession spark, String directory) {
    ModelManifest manifest =
        read(spark, new Path(directory, MANIFEST), new TypeReference<ModelManifest>() {});
    requireSchema(manifest.schemaVersion(), manifest.creditsegVersion(), directory);
    SegmentModel segments = SegmentModel.load(spark, directory);
    Map<String, Double> medians =
        read(spark, new Path(directory, MEDIANS), new TypeReference<Map<String, Double>>() {});
    ScoreCard card = read(spark, new Path(directory, SCORE_CARD), new TypeReference<>() {});
    Path scorecardPath = new Path(directory, SCORECARD);
    ScorecardModel scorecard =
        exists(spark, scorecardPath)
            ? read(spark, scorecardPath, new TypeReference<ScorecardModel>() {})
            : null;
    Path populationPath = new Path(directory, POPULATION);
    Population population =
        exists(spark, populationPath)
            ? read(spark, populationPath, new TypeReference<Population>() {})
            : null;
    return new RunModel(segments, medians, card, manifest, scorecard, population);
  }

  /** Fails unless a bundle of {@code schemaVersion} can be read by this creditseg. */
  static void requireSchema(int schemaVersion, String writtenBy, String where) {
    if (schemaVersion != Versions.SCHEMA) {
      throw new InputContractException(
          String.format(
              "The model at %s has schema version %d (written by creditseg %s); this creditseg"
                  + " (%s) reads schema version %d: rerun the job with this version to refit it",
              where, schemaVersion, writtenBy, Versions.creditseg(), Versions.SCHEMA));
    }
  }

  private static void write(SparkSession spark, Path path, Object value) {
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(path, true)) {
        JSON.writeValue(out, value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path, e);
    }
  }

  private static boolean exists(SparkSession spark, Path path) {
    try {
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
  }

  private static <T> T read(SparkSession spark, Path path, TypeReference<T> type) {
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new InputContractException(
            "Not a creditseg model: " + path.getParent() + " has no " + path.getName());
      }
      try (InputStream in = fs.open(path)) {
        return JSON.readValue(in, type);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
  }
}
