package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class FairnessCheckTest {
  static final double EPS = 1e-9;
  static final StructType SCHEMA =
      new StructType()
          .add("gender", DataTypes.StringType)
          .add("marital_status", DataTypes.StringType)
          .add("age", DataTypes.IntegerType)
          .add("pd", DataTypes.DoubleType)
          .add("defaulted", DataTypes.IntegerType);

  /** Ten customers; at cutoff 0.5 the PDs below 0.5 are approved (0.5 itself is refused). */
  static Dataset<Row> ten() {
    List<Row> rows =
        List.of(
            RowFactory.create("M", "single", 22, 0.2, 0),
            RowFactory.create("M", "married", 30, 0.6, 1),
            RowFactory.create("M", "married", 41, 0.1, 0),
            RowFactory.create("M", "single", 67, 0.3, 0),
            RowFactory.create("F", "married", 19, 0.7, 1),
            RowFactory.create("F", "single", 28, 0.55, 0),
            RowFactory.create("F", "divorced", 50, 0.2, 0),
            RowFactory.create("F", "married", 38, 0.5, 1),
            RowFactory.create(null, "single", null, 0.4, 0),
            RowFactory.create(null, "married", 60, 0.9, 1));
    return SharedSpark.spark().createDataFrame(rows, SCHEMA);
  }

  static void assertGroup(
      FairnessCheck.Group g, String name, long rows, long approved, double defaultRate, double ir) {
    assertEquals(name, g.group());
    assertEquals(rows, g.rows());
    assertEquals(approved, g.approved());
    assertEquals((double) approved / rows, g.approvalRate(), EPS);
    assertEquals(defaultRate, g.defaultRate(), EPS);
    assertEquals(ir, g.impactRatio(), EPS);
  }

  @Test
  void approvalRatesAndImpactRatiosPerGroup() {
    FairnessCheck.Report report =
        new FairnessCheck("defaulted", "pd", 0.5)
            .check(ten(), List.of("gender", "marital_status", "age"));
    assertEquals(0.5, report.cutoff(), EPS);
    assertEquals(3, report.attributes().size());
    assertTrue(report.anyBelowFourFifths());

    // gender: F 1 of 4 approved (0.2), 2 defaults; M 3 of 4 (0.2 0.1 0.3), 1 default;
    // missing 1 of 2 (0.4), 1 default. Ratio 0.25 / 0.75 = 1/3.
    FairnessCheck.Attribute gender = report.attributes().get(0);
    assertEquals("gender", gender.attribute());
    assertGroup(gender.groups().get(0), "F", 4, 1, 0.5, 1.0 / 3);
    assertGroup(gender.groups().get(1), "M", 4, 3, 0.25, 1.0);
    assertGroup(gender.groups().get(2), "missing", 2, 1, 0.5, 2.0 / 3);
    assertEquals("F", gender.lowestGroup());
    assertEquals("M", gender.highestGroup());
    assertEquals(1.0 / 3, gender.adverseImpactRatio(), EPS);
    assertTrue(gender.belowFourFifths());

    // marital_status: divorced 1 of 1; married 1 of 5 (0.1), 4 defaults; single 3 of 4
    // (0.2 0.3 0.4). Ratio 0.2 / 1.
    FairnessCheck.Attribute marital = report.attributes().get(1);
    assertGroup(marital.groups().get(0), "divorced", 1, 1, 0.0, 1.0);
    assertGroup(marital.groups().get(1), "married", 5, 1, 0.8, 0.2);
    assertGroup(marital.groups().get(2), "single", 4, 3, 0.0, 0.75);
    assertEquals(0.2, marital.adverseImpactRatio(), EPS);

    // age bands: 18-24 {22: .2, 19: .7} 1 of 2; 25-34 {30: .6, 28: .55} 0 of 2;
    // 35-44 {41: .1, 38: .5} 1 of 2; 45-54 {50: .2} 1; 55-64 {60: .9} 0; 65+ {67: .3} 1;
    // missing {.4} 1. No one under 18, so no such group. Ratio 0 / 1.
    FairnessCheck.Attribute age = report.attributes().get(2);
    assertEquals(
        List.of("18-24", "25-34", "35-44", "45-54", "55-64", "65+", "missing"),
        age.groups().stream().map(FairnessCheck.Group::group).toList());
    assertGroup(age.groups().get(0), "18-24", 2, 1, 0.5, 0.5);
    assertGroup(age.groups().get(1), "25-34", 2, 0, 0.5, 0.0);
    assertGroup(age.groups().get(4), "55-64", 1, 0, 1.0, 0.0);
    assertGroup(age.groups().get(5), "65+", 1, 1, 0.0, 1.0);
    assertEquals("25-34", age.lowestGroup());
    assertEquals("45-54", age.highestGroup());
    assertEquals(0.0, age.adverseImpactRatio(), EPS);
  }

  @Test
  void exactlyFourFifthsIsNotFlagged() {
    // A: 4 of 5 approved, B: 5 of 5 -> ratio 0.8, not below four fifths.
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(RowFactory.create("A", "single", 30, i == 0 ? 0.9 : 0.1, i == 0 ? 1 : 0));
      rows.add(RowFactory.create("B", "single", 30, 0.1, 0));
    }
    FairnessCheck.Report report =
        new FairnessCheck("defaulted", "pd", 0.5)
            .check(SharedSpark.spark().createDataFrame(rows, SCHEMA), List.of("gender"));
    FairnessCheck.Attribute gender = report.attributes().get(0);
    assertEquals(0.8, gender.adverseImpactRatio(), EPS);
    assertFalse(gender.belowFourFifths());
    assertFalse(report.anyBelowFourFifths());
  }

  @Test
  void theReportRoundTripsThroughJackson() throws Exception {
    FairnessCheck.Report report =
        new FairnessCheck("defaulted", "pd", 0.5).check(ten(), List.of("gender", "age"));
    ObjectMapper json = new ObjectMapper();
    assertEquals(
        report, json.readValue(json.writeValueAsString(report), FairnessCheck.Report.class));
  }

  @Test
  void badInputFailsNamingTheColumn() {
    FairnessCheck check = new FairnessCheck("defaulted", "pd", 0.5);
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> check.check(ten(), List.of("race")));
    assertEquals(
        "Cannot check fairness: missing column 'race' (have: gender, marital_status, age, pd,"
            + " defaulted)",
        missing.getMessage());
    IllegalArgumentException outside =
        assertThrows(
            IllegalArgumentException.class,
            () -> check.check(ten().withColumn("pd", functions.lit(1.2)), List.of("gender")));
    assertEquals(
        "Cannot check fairness: probability column 'pd' must be in [0, 1]; 10 of 10 rows are"
            + " null, NaN or outside",
        outside.getMessage());
    assertThrows(IllegalArgumentException.class, () -> check.check(ten(), List.of()));
  }
}
