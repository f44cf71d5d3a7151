package com.creditseg.model;

import com.creditseg.config.QualitySettings.ColumnRule;
import com.creditseg.config.ScoreSettings;
import com.creditseg.config.ScoreSettings.ScoreFactor;
import com.creditseg.schema.InputColumn;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.creditseg.segment.SegmentModel;
import com.creditseg.segment.SegmentModel.FeatureRange;
import com.creditseg.supervised.ScorecardModel;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code model/model.json}: a run's model as plain numbers, from which one customer can be scored
 * without Spark (see {@code serve}). It repeats what the bundle's Spark parts hold: the quality
 * rules and imputation medians, the score factors, and the segmentation's arithmetic (clip ranges,
 * scaler means and deviations, feature weights, centres, merges, labels):
 *
 * <pre>
 *   z[f] = (clip(x[f]) - (withMean ? mean[f] : 0)) * (std[f] == 0 ? 0 : 1 / std[f]) * weight[f]
 *   c = the nearest centre (squared Euclidean distance to z, lowest index on a tie)
 *   cluster = ids.getOrDefault(m, m), m = merged.getOrDefault(c, c)
 * </pre>
 *
 * and {@code clusters} gives each cluster id its risk rank (1 = riskiest) and label. {@code
 * scorecard}, when the run fitted one, holds the supervised scorecard's bins and points (null
 * otherwise; see {@link ScorecardModel#scoreOne}). {@code inputs} and {@code sourceColumns} say how
 * the run read its input ({@link ModelManifest}), so that a client may send the source record.
 */
public record PortableModel(
    String format,
    int schemaVersion,
    String creditsegVersion,
    String runDate,
    String mapping,
    Map<String, String> columnTypes,
    List<String> required,
    Quality quality,
    Score score,
    Segmentation segmentation,
    ScorecardModel scorecard,
    Map<String, InputColumn> inputs,
    List<String> sourceColumns) {
  public static final String FORMAT = "creditseg-model";
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * One numeric column's rule: {@code missing} is impute-median, impute-constant or reject; {@code
   * outOfRange} clip or reject; a repaired value is cast to the column's type (an int column's
   * median 2.5 becomes 2, as in the batch job).
   */
  public record Rule(
      String column, double min, double max, String missing, String outOfRange, Double constant) {}

  /** The rules in force and the medians imputed with (from the run's id-hash sample). */
  public record Quality(List<Rule> rules, Map<String, Double> medians) {}

  /**
   * The rule score: {@code method} factors or segment-distance (see {@code CreditScoreFunction} and
   * {@code SegmentDistanceScore}).
   */
  public record Score(
      String method, int min, int max, int maxReasonCodes, List<ScoreFactor> factors) {}

  /** The segmentation's arithmetic; see the class comment. */
  public record Segmentation(
      List<String> features,
      boolean withMean,
      double[] mean,
      double[] std,
      double[] weights,
      List<FeatureRange> clip,
      double[][] centres,
      Map<Integer, Integer> merged,
      Map<Integer, Integer> ids,
      List<ClusterLabel> clusters) {}

  /** The portable form of {@code model}. */
  public static PortableModel of(RunModel model) {
    ModelManifest m = model.manifest();
    SegmentModel s = model.segments();
    List<Rule> rules =
        m.quality().columns().values().stream()
            .filter(r -> m.columnTypes().containsKey(r.column()))
            .map(PortableModel::rule)
            .toList();
    SegmentModel.Arithmetic a = s.arithmetic();
    return new PortableModel(
        FORMAT,
        m.schemaVersion(),
        m.creditsegVersion(),
        m.runDate(),
        m.mapping(),
        new TreeMap<>(m.columnTypes()),
        m.required(),
        new Quality(rules, new TreeMap<>(model.medians())),
        new Score(
            m.scoreMethod() == ScoreSettings.Method.SEGMENT_DISTANCE
                ? "segment-distance"
                : "factors",
            model.scoreCard().min(),
            model.scoreCard().max(),
            model.scoreCard().maxReasonCodes(),
            model.scoreCard().factors()),
        new Segmentation(
            s.features(),
            a.withMean(),
            a.mean(),
            a.std(),
            a.weights(),
            s.ranges(),
            Arrays.stream(s.centers()).map(c -> c.toArray()).toArray(double[][]::new),
            new TreeMap<>(s.merged()),
            new TreeMap<>(s.ids()),
            s.labels()),
        model.scorecard(),
        new TreeMap<>(m.inputs()),
        m.sourceColumns());
  }

  private static Rule rule(ColumnRule r) {
    return new Rule(
        r.column(),
        r.min(),
        r.max(),
        r.missing().name().toLowerCase().replace('_', '-'),
        r.outOfRange().name().toLowerCase(),
        Double.isNaN(r.constant()) ? null : r.constant());
  }

  public void write(OutputStream out) throws IOException {
    JSON.writeValue(out, this);
  }

  /** Reads a model.json; fails on another format or schema version. */
  public static PortableModel read(InputStream in, String where) throws IOException {
    PortableModel model = JSON.readValue(in, PortableModel.class);
    if (!FORMAT.equals(model.format())) {
      throw new IOException(
          where + " is not a creditseg model.json (format " + model.format() + ")");
    }
    RunModel.requireSchema(model.schemaVersion(), model.creditsegVersion(), where);
    return model;
  }
}
