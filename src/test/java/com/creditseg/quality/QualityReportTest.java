package com.creditseg.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict and the causes named when the gate stops a run. */
class QualityReportTest {
  static QualityReport report(long rowsIn, long quarantined) {
    return new QualityReport(
        0.05,
        rowsIn,
        0,
        quarantined,
        rowsIn - quarantined,
        Map.of("unmappable_category", 29_623L, "missing_id", 12L, "not_a_number", 357L),
        Map.of(
            "unmappable_category:marital_status", 29_600L,
            "unmappable_category:education_level", 23L,
            "not_a_number:annual_income", 357L),
        Map.of(),
        Map.of());
  }

  @Test
  void topReasonsNameColumnAndCountMostFirst() {
    QualityReport r = report(30_000, 29_992);

    assertEquals(QualityReport.Verdict.TOO_MANY_QUARANTINED, r.verdict());
    assertFalse(r.passed());
    assertEquals(
        List.of(
            "unmappable_category:marital_status 29,600",
            "not_a_number:annual_income 357",
            "unmappable_category:education_level 23"),
        r.topReasons(3));
    assertEquals(
        List.of(
            "unmappable_category:marital_status 29,600",
            "not_a_number:annual_income 357",
            "unmappable_category:education_level 23",
            "missing_id 12"),
        r.topReasons(10),
        "a reason without a column is named on its own");
  }
}
