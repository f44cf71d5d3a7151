package com.creditseg.report;

import com.creditseg.io.RunOutput;
import com.creditseg.metrics.RunMetrics;
import com.creditseg.quality.QualityReport;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.KSelection;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Row;

/**
 * The report sections that the run already summarised: the header, k selection and data quality
 * from {@code metrics.json} (read as the job's own {@link RunMetrics} record), and the profile
 * table from {@code profiles/}. Sections a metrics file lacks read as empty or zero, so a report
 * can be rebuilt from an older run.
 */
final class RunSummary {
  private RunSummary() {}

  static ReportData.Run run(RunMetrics metrics) {
    RunMetrics.Input input =
        Objects.requireNonNullElse(metrics.input(), new RunMetrics.Input("", "", "", false));
    RunMetrics.Rows rows =
        Objects.requireNonNullElse(metrics.rows(), new RunMetrics.Rows(0, 0, 0, 0, false));
    RunMetrics.Score score = metrics.score();
    if (score == null) {
      throw new IllegalArgumentException(
          "metrics.json of run " + metrics.runDate() + " has no score section: not a finished run");
    }
    return new ReportData.Run(
        text(metrics.runDate()),
        metrics.status() == null ? "" : RunOutput.JSON.convertValue(metrics.status(), String.class),
        text(metrics.startedAt()),
        text(metrics.finishedAt()),
        text(input.path()),
        text(input.format()),
        text(input.mapping()),
        rows.in(),
        rows.out(),
        rows.quarantined(),
        rows.deduplicated(),
        rows.reconciled(),
        score.min(),
        score.max(),
        Collections.unmodifiableMap(new LinkedHashMap<>(orEmpty(score.factorWeights()))),
        List.copyOf(orEmpty(score.droppedFactors())),
        metrics.segments() == null ? List.of() : List.copyOf(metrics.segments().features()),
        List.copyOf(orEmpty(metrics.warnings())));
  }

  static ReportData.KChoice kChoice(RunMetrics metrics) {
    RunMetrics.Segments segments = metrics.segments();
    KSelection selection = segments == null ? null : segments.selection();
    if (selection == null) {
      return new ReportData.KChoice("fixed", segments == null ? 0 : segments.k(), null, List.of());
    }
    List<ReportData.KPoint> points = new ArrayList<>();
    for (KSelection.Candidate c : orEmpty(selection.candidates())) {
      points.add(
          new ReportData.KPoint(c.k(), Numbers.finite(c.wcss()), Numbers.finite(c.silhouette())));
    }
    return new ReportData.KChoice(
        selection.mode() == null
            ? "fixed"
            : RunOutput.JSON.convertValue(selection.mode(), String.class),
        selection.chosenK(),
        selection.elbowK(),
        points);
  }

  static ReportData.Quality quality(RunMetrics metrics) {
    QualityReport quality = metrics.quality();
    if (quality == null) {
      return new ReportData.Quality(0, 0, 0, Map.of(), Map.of(), Map.of());
    }
    return new ReportData.Quality(
        quality.rowsIn(),
        quality.rowsQuarantined(),
        quality.rowsDeduplicated(),
        orEmpty(quality.quarantinedByReason()),
        orEmpty(quality.quarantinedByReasonAndColumn()),
        orEmpty(quality.repairsByColumn()));
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

  private static String text(String value) {
    return value == null ? "" : value;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }
}
