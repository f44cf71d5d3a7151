package com.creditseg.report;

import com.creditseg.score.CreditScorer;
import com.creditseg.segment.SegmentModel;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The report sections that the run already summarised: the header, k selection and data quality
 * from {@code metrics.json}, and the profile table from {@code profiles/}. Fields a metrics file
 * lacks read as empty or zero, so a report can be rebuilt from an older run.
 */
final class RunSummary {
  private RunSummary() {}

  static ReportData.Run run(JsonNode metrics) {
    JsonNode input = metrics.path("input");
    JsonNode rows = metrics.path("rows");
    JsonNode score = metrics.path("score");
    Map<String, Double> weights = new LinkedHashMap<>();
    score
        .path("factorWeights")
        .fields()
        .forEachRemaining(e -> weights.put(e.getKey(), e.getValue().asDouble()));
    return new ReportData.Run(
        metrics.path("runDate").asText(""),
        metrics.path("status").asText(""),
        metrics.path("startedAt").asText(""),
        metrics.path("finishedAt").asText(""),
        input.path("path").asText(""),
        input.path("format").asText(""),
        input.path("mapping").asText(""),
        rows.path("in").asLong(),
        rows.path("out").asLong(),
        rows.path("quarantined").asLong(),
        rows.path("deduplicated").asLong(),
        rows.path("reconciled").asBoolean(false),
        score.path("min").asInt(300),
        score.path("max").asInt(850),
        Collections.unmodifiableMap(weights),
        strings(score.path("droppedFactors")),
        strings(metrics.path("segments").path("features")));
  }

  static ReportData.KChoice kChoice(JsonNode metrics) {
    JsonNode selection = metrics.path("segments").path("selection");
    List<ReportData.KPoint> points = new ArrayList<>();
    for (JsonNode c : selection.path("candidates")) {
      points.add(
          new ReportData.KPoint(
              c.path("k").asInt(),
              Numbers.finite(c.path("wcss").asDouble(Double.NaN)),
              Numbers.finite(c.path("silhouette").asDouble(Double.NaN))));
    }
    JsonNode elbow = selection.path("elbowK");
    return new ReportData.KChoice(
        selection.path("mode").asText("fixed"),
        selection.path("chosenK").asInt(metrics.path("segments").path("k").asInt()),
        elbow.isInt() ? elbow.asInt() : null,
        points);
  }

  static ReportData.Quality quality(JsonNode metrics) {
    JsonNode quality = metrics.path("quality");
    return new ReportData.Quality(
        quality.path("rowsIn").asLong(),
        quality.path("rowsQuarantined").asLong(),
        quality.path("rowsDeduplicated").asLong(),
        counts(quality.path("quarantinedByReason")),
        counts(quality.path("quarantinedByReasonAndColumn")),
        counts(quality.path("repairsByColumn")));
  }

  /** The profile table's rows (columns as in SegmentProfiler), riskiest segment first. */
  static List<ReportData.Segment> segments(List<Row> profiles) {
    String s = CreditScorer.SCORE + "_";
    return profiles.stream()
        .map(
            r ->
                new ReportData.Segment(
                    r.<Integer>getAs(SegmentModel.SEGMENT_RANK),
                    r.<String>getAs(SegmentModel.SEGMENT),
                    r.<Integer>getAs(SegmentModel.CLUSTER),
                    r.<Long>getAs("customers"),
                    r.<Double>getAs("share"),
                    doubleOrNull(r, s + "mean"),
                    doubleOrNull(r, s + "min"),
                    doubleOrNull(r, s + "p25"),
                    doubleOrNull(r, s + "p50"),
                    doubleOrNull(r, s + "p75"),
                    doubleOrNull(r, s + "max"),
                    doubleOrNull(r, "default_rate"),
                    r.<String>getAs("description")))
        .sorted(Comparator.comparingInt(ReportData.Segment::rank))
        .toList();
  }

  /** A double column of a row; null when the row lacks the column or its value is null/NaN. */
  static Double doubleOrNull(Row row, String column) {
    int i;
    try {
      i = row.fieldIndex(column);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return row.isNullAt(i) ? null : Numbers.finite(((Number) row.get(i)).doubleValue());
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }

  private static Map<String, Long> counts(JsonNode object) {
    Map<String, Long> out = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
    return Collections.unmodifiableMap(out);
  }
}
