package com.creditseg.report;

import com.creditseg.supervised.ModelValidation;
import com.creditseg.supervised.RiskModels;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The supervised-models section: what {@code metrics.json} says about the models ({@code
 * supervised}), trimmed to what the page draws, and the scorecard read from {@code
 * models/scorecard} (features times bins: small). Absent, so the section stays hidden, for a run
 * without supervised models (an older run, or an input without a default label).
 */
final class SupervisedSummary {
  /** Curves are drawn, not read off: four decimals are finer than a pixel. */
  private static final int CURVE_DIGITS = 4;

  private SupervisedSummary() {}

  /** Null when the run fitted no supervised models. */
  static ReportData.Supervised of(RiskModels.Report report, Optional<Dataset<Row>> scorecard) {
    if (report == null) {
      return null;
    }
    List<RiskModels.ModelReport> models =
        report.models().stream()
            .map(m -> new RiskModels.ModelReport(m.model(), m.inputs(), trimmed(m)))
            .toList();
    RiskModels.Report trimmed =
        new RiskModels.Report(
            report.label(),
            report.split(),
            report.trainRows(),
            report.trainEvents(),
            report.validationRows(),
            report.validationEvents(),
            report.balance(),
            report.refitted(),
            report.features(),
            models,
            report.balanceEffect(),
            report.crossValidation(),
            report.fairness());
    return new ReportData.Supervised(
        trimmed, scorecard.map(card -> scorecardRows(card, report)).orElse(List.of()));
  }

  /**
   * A model's validation as the page needs it: the headline figures as metrics.json has them, the
   * ROC curve and calibration of every model, the KS curve of the scorecard only (the only one the
   * page draws) and no gains table.
   */
  private static ModelValidation.Result trimmed(RiskModels.ModelReport model) {
    ModelValidation.Result v = model.validation();
    List<ModelValidation.RocPoint> roc =
        v.roc().stream()
            .map(
                p ->
                    new ModelValidation.RocPoint(
                        round(p.threshold()), round(p.fpr()), round(p.tpr())))
            .toList();
    List<ModelValidation.KsPoint> ks =
        model.model().equals(RiskModels.SCORECARD)
            ? v.ksCurve().stream()
                .map(
                    p ->
                        new ModelValidation.KsPoint(
                            round(p.threshold()),
                            round(p.refusedShare()),
                            round(p.eventShare()),
                            round(p.nonEventShare()),
                            round(p.separation())))
                .toList()
            : List.of();
    return new ModelValidation.Result(
        v.rows(),
        v.events(),
        v.eventRate(),
        v.rocAuc(),
        v.gini(),
        v.ks(),
        v.ksThreshold(),
        v.prAuc(),
        v.brier(),
        roc,
        ks,
        v.calibration(),
        List.of(),
        v.decision());
  }

  /** The scorecard's rows in the order metrics.json lists the features, then by bin. */
  private static List<ReportData.ScorecardRow> scorecardRows(
      Dataset<Row> card, RiskModels.Report report) {
    Map<String, Integer> order = new HashMap<>();
    report.features().forEach(f -> order.putIfAbsent(f.feature(), order.size()));
    return card.collectAsList().stream()
        .map(
            r ->
                new ReportData.ScorecardRow(
                    r.<String>getAs("feature"),
                    r.<Integer>getAs("bin"),
                    r.<String>getAs("values"),
                    r.<Long>getAs("customers"),
                    Numbers.finite(r.<Double>getAs("woe")),
                    Numbers.finite(r.<Double>getAs("points"))))
        .sorted(
            Comparator.<ReportData.ScorecardRow>comparingInt(
                    r -> order.getOrDefault(r.feature(), Integer.MAX_VALUE))
                .thenComparing(ReportData.ScorecardRow::feature)
                .thenComparingInt(ReportData.ScorecardRow::bin))
        .toList();
  }

  private static double round(double value) {
    Double rounded = Numbers.round(value, CURVE_DIGITS);
    return rounded == null ? value : rounded;
  }
}
