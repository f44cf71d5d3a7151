package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
class ModelValidationTest {
  static final double EPS = 1e-9;
  static final StructType SCHEMA =
      new StructType().add("defaulted", DataTypes.IntegerType).add("pd", DataTypes.DoubleType);

  static Dataset<Row> scored(double[] pd, int[] defaulted) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < pd.length; i++) {
      rows.add(RowFactory.create(defaulted[i], pd[i]));
    }
    return SharedSpark.spark().createDataFrame(rows, SCHEMA);
  }

  /**
   * Twelve customers, four defaults (P = 4, N = 8), ties at 0.8 (one of each class), 0.5 (two
   * goods), 0.3 (one of each) and 0.1 (two goods).
   */
  static final double[] PD = {0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.5, 0.3, 0.3, 0.2, 0.1, 0.1};

  static final int[] Y = {1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0};

  static ModelValidation.Result twelve(ModelValidation.Costs costs) {
    return new ModelValidation("defaulted", "pd", costs).validate(scored(PD, Y));
  }

  @Test
  void discriminationOfTheTwelveRowsMatchesTheArithmeticByHand() {
    ModelValidation.Result r = twelve(ModelValidation.Costs.DEFAULT);
    assertEquals(12, r.rows());
    assertEquals(4, r.events());
    assertEquals(4.0 / 12, r.eventRate(), EPS);

    // Mann-Whitney: per default, the goods with a lower PD, ties counting 1/2.
    //   0.9: 8;  0.8: 7 + 0.5 (the good at 0.8);  0.6: 6;  0.3: 3 + 0.5 (the good at 0.3)
    //   AUC = (8 + 7.5 + 6 + 3.5) / (4 * 8) = 25 / 32 = 0.78125; Gini = 2 * AUC - 1 = 0.5625
    assertEquals(0.78125, r.rocAuc(), EPS);
    assertEquals(0.5625, r.gini(), EPS);

    // Refusing pd >= t, cumulative (tp, fp) and tpr - fpr:
    //   0.9 (1,0) .25 | 0.8 (2,1) .375 | 0.7 (2,2) .25 | 0.6 (3,2) .5 | 0.5 (3,4) .25
    //   0.3 (4,5) .375 | 0.2 (4,6) .25 | 0.1 (4,8) 0            KS = 0.5 at 0.6
    assertEquals(0.5, r.ks(), EPS);
    assertEquals(0.6, r.ksThreshold(), EPS);

    // (recall, precision) from (0, 1): (.25, 1) (.5, 2/3) (.5, 1/2) (.75, 3/5) (.75, 3/7)
    // (1, 4/9) (1, 4/10) (1, 4/12); trapezoids: .25 * 1 + .25 * (1 + 2/3) / 2 + 0
    // + .25 * (1/2 + 3/5) / 2 + 0 + .25 * (3/7 + 4/9) / 2 + 0 + 0 = 0.70496...
    double pr =
        0.25 * 1
            + 0.25 * (1 + 2.0 / 3) / 2
            + 0.25 * (0.5 + 0.6) / 2
            + 0.25 * (3.0 / 7 + 4.0 / 9) / 2;
    assertEquals(pr, r.prAuc(), EPS);
    assertEquals(0.704960, r.prAuc(), 1e-6);

    // (p - y)^2: .01 .04 .64 .49 .16 .25 .25 .49 .09 .04 .01 .01 = 2.48; / 12
    assertEquals(2.48 / 12, r.brier(), EPS);

    // ROC: the origin (nobody refused, cutoff just above 0.9), then the eight thresholds.
    assertEquals(9, r.roc().size());
    assertEquals(new ModelValidation.RocPoint(Math.nextUp(0.9), 0, 0), r.roc().get(0));
    assertEquals(new ModelValidation.RocPoint(0.6, 0.25, 0.75), r.roc().get(4));
    assertEquals(new ModelValidation.RocPoint(0.1, 1, 1), r.roc().get(8));
    ModelValidation.KsPoint at03 = r.ksCurve().get(6);
    assertEquals(0.3, at03.threshold(), EPS);
    assertEquals(9.0 / 12, at03.refusedShare(), EPS);
    assertEquals(1.0, at03.eventShare(), EPS);
    assertEquals(5.0 / 8, at03.nonEventShare(), EPS);
    assertEquals(0.375, at03.separation(), EPS);
  }

  @Test
  void theCutoffMinimisesFiveTimesMissedDefaultsPlusRefusedGoods() {
    // cost = 5 fn + fp: nobody 20 | 0.9 15 | 0.8 11 | 0.7 12 | 0.6 7 | 0.5 9 | 0.3 5 | 0.2 6 | 0.1
    // 8
    ModelValidation.Decision d = twelve(ModelValidation.Costs.DEFAULT).decision();
    assertEquals(0.3, d.cutoff(), EPS);
    assertEquals(5.0, d.totalCost(), EPS);
    assertEquals(5.0 / 12, d.expectedCost(), EPS);
    assertEquals(4, d.tp());
    assertEquals(5, d.fp());
    assertEquals(3, d.tn());
    assertEquals(0, d.fn());
    assertEquals(4.0 / 9, d.precision(), EPS);
    assertEquals(1.0, d.recall(), EPS);
    // F1 = 2 * (4/9) * 1 / (4/9 + 1) = 8/13
    assertEquals(8.0 / 13, d.f1(), EPS);
    // approved: pd < 0.3, that is 0.2, 0.1, 0.1
    assertEquals(3.0 / 12, d.approvalRate(), EPS);
  }

  @Test
  void equalCostsTieAtThreeAndTheHighestCutoffWins() {
    // cost = fn + fp: nobody 4 | 0.9 3 | 0.8 3 | 0.7 4 | 0.6 3 | 0.5 5 | ... -> 0.9 of 0.9, 0.8,
    // 0.6
    ModelValidation.Decision d = twelve(new ModelValidation.Costs(1, 1)).decision();
    assertEquals(0.9, d.cutoff(), EPS);
    assertEquals(3.0, d.totalCost(), EPS);
    assertEquals(1, d.tp());
    assertEquals(0, d.fp());
    assertEquals(8, d.tn());
    assertEquals(3, d.fn());
    assertEquals(1.0, d.precision(), EPS);
    assertEquals(0.25, d.recall(), EPS);
    assertEquals(2 * 0.25 / 1.25, d.f1(), EPS);
    assertEquals(11.0 / 12, d.approvalRate(), EPS);
  }

  @Test
  void refusingNobodyWinsWhenRefusalsCostMore() {
    // The best-scored default shares its PD with a good, so any refusal refuses a good too.
    ModelValidation.Result r =
        new ModelValidation("defaulted", "pd", new ModelValidation.Costs(1, 10))
            .validate(scored(new double[] {0.8, 0.8, 0.2, 0.1}, new int[] {1, 0, 0, 1}));
    // nobody: 2 | 0.8: 1 + 10 = 11 | 0.2: 1 + 20 | 0.1: 0 + 20 -> refuse nobody
    assertEquals(Math.nextUp(0.8), r.decision().cutoff(), EPS);
    assertEquals(2.0, r.decision().totalCost(), EPS);
    assertEquals(0, r.decision().tp() + r.decision().fp());
    assertEquals(0.0, r.decision().precision(), EPS);
    assertEquals(1.0, r.decision().approvalRate(), EPS);
  }

  @Test
  void perfectSeparationScoresOne() {
    ModelValidation.Result r =
        new ModelValidation("defaulted", "pd")
            .validate(
                scored(new double[] {0.9, 0.7, 0.7, 0.4, 0.2, 0.2}, new int[] {1, 1, 1, 0, 0, 0}));
    assertEquals(1.0, r.rocAuc(), EPS);
    assertEquals(1.0, r.gini(), EPS);
    assertEquals(1.0, r.ks(), EPS);
    assertEquals(0.7, r.ksThreshold(), EPS);
    assertEquals(1.0, r.prAuc(), EPS);
    // cost 0 at 0.7: all three defaults refused, no good refused
    assertEquals(0.7, r.decision().cutoff(), EPS);
    assertEquals(0.0, r.decision().totalCost(), EPS);
    assertEquals(1.0, r.decision().f1(), EPS);
  }

  @Test
  void anOrderUnrelatedToTheLabelScoresAHalf() {
    // Ascending PD, labels 1 0 0 1 1 0 0 1: defaults beat 0, 2, 2 and 4 goods -> 8 / 16.
    ModelValidation.Result shuffled =
        new ModelValidation("defaulted", "pd")
            .validate(
                scored(
                    new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8},
                    new int[] {1, 0, 0, 1, 1, 0, 0, 1}));
    assertEquals(0.5, shuffled.rocAuc(), EPS);
    assertEquals(0.0, shuffled.gini(), EPS);
    // tpr - fpr from the top: .25 .0 -.25 0 .25 0 -.25 0 -> KS 0.25, highest at 0.8
    assertEquals(0.25, shuffled.ks(), EPS);
    assertEquals(0.8, shuffled.ksThreshold(), EPS);

    // One PD for everybody: a single threshold, every pair tied, AUC 1/2 and KS 0.
    ModelValidation.Result tied =
        new ModelValidation("defaulted", "pd")
            .validate(scored(new double[] {0.3, 0.3, 0.3, 0.3}, new int[] {1, 0, 0, 1}));
    assertEquals(0.5, tied.rocAuc(), EPS);
    assertEquals(0.0, tied.ks(), EPS);
    assertEquals(2, tied.roc().size());
    assertEquals(1, tied.calibration().size());

    // Reversed: every default below every good.
    ModelValidation.Result reversed =
        new ModelValidation("defaulted", "pd")
            .validate(scored(new double[] {0.1, 0.2, 0.8, 0.9}, new int[] {1, 1, 0, 0}));
    assertEquals(0.0, reversed.rocAuc(), EPS);
    assertEquals(-1.0, reversed.gini(), EPS);
  }

  /**
   * 100 customers in ten PD groups of ten: group g (0..9) has PD 0.05 + 0.1 g, and its first g
   * customers defaulted (45 defaults in all).
   */
  static Dataset<Row> hundred() {
    double[] pd = new double[100];
    int[] y = new int[100];
    for (int g = 0; g < 10; g++) {
      for (int j = 0; j < 10; j++) {
        pd[10 * g + j] = 0.05 + 0.1 * g;
        y[10 * g + j] = j < g ? 1 : 0;
      }
    }
    return scored(pd, y);
  }

  @Test
  void calibrationDecilesAreTheTenPdGroupsLowestFirst() {
    ModelValidation.Result r = new ModelValidation("defaulted", "pd").validate(hundred());
    assertEquals(10, r.calibration().size());
    for (int g = 0; g < 10; g++) {
      ModelValidation.CalibrationBin b = r.calibration().get(g);
      assertEquals(g + 1, b.decile());
      assertEquals(10, b.rows());
      assertEquals(0.05 + 0.1 * g, b.meanPredicted(), EPS);
      assertEquals(0.05 + 0.1 * g, b.minPredicted(), EPS);
      assertEquals(g / 10.0, b.observedRate(), EPS);
    }
  }

  @Test
  void gainsDecilesRunFromTheHighestPdWithLiftOverTheOverallRate() {
    ModelValidation.Result r = new ModelValidation("defaulted", "pd").validate(hundred());
    // Overall rate 45 / 100. Decile 1 is group 9: 9 events, rate .9, lift .9 / .45 = 2.
    // Cumulative events from the top: 9, 17, 24, 30, 35, 39, 42, 44, 45, 45.
    long[] cumulative = {9, 17, 24, 30, 35, 39, 42, 44, 45, 45};
    assertEquals(10, r.gains().size());
    for (int d = 1; d <= 10; d++) {
      ModelValidation.GainsBin b = r.gains().get(d - 1);
      long events = 10 - d;
      assertEquals(d, b.decile());
      assertEquals(10, b.rows());
      assertEquals(events, b.events());
      assertEquals(events / 10.0, b.eventRate(), EPS);
      assertEquals(cumulative[d - 1] / 45.0, b.cumulativeEventShare(), EPS);
      assertEquals((events / 10.0) / 0.45, b.lift(), EPS);
      assertEquals((cumulative[d - 1] / (10.0 * d)) / 0.45, b.cumulativeLift(), EPS);
    }
    assertEquals(2.0, r.gains().get(0).lift(), EPS);
    assertEquals(1.0, r.gains().get(9).cumulativeLift(), EPS);
  }

  @Test
  void curvesAreDownsampledToAboutTwoHundredPoints() {
    // 1,000 distinct PDs: every fifth threshold counted from the lowest (200), and the origin.
    double[] pd = new double[1000];
    int[] y = new int[1000];
    for (int i = 0; i < 1000; i++) {
      pd[i] = (i + 0.5) / 1000;
      y[i] = i % 3 == 0 ? 1 : 0;
    }
    ModelValidation.Result r = new ModelValidation("defaulted", "pd").validate(scored(pd, y));
    assertEquals(201, r.roc().size());
    assertEquals(201, r.ksCurve().size());
    assertEquals(new ModelValidation.RocPoint(Math.nextUp(0.9995), 0, 0), r.roc().get(0));
    // the 5th highest of 0.9995, 0.9985, ...
    assertEquals(0.9955, r.roc().get(1).threshold(), EPS);
    ModelValidation.RocPoint last = r.roc().get(200);
    assertEquals(0.0005, last.threshold(), EPS);
    assertEquals(1.0, last.fpr(), EPS);
    assertEquals(1.0, last.tpr(), EPS);
    for (int i = 1; i < r.roc().size(); i++) {
      assertTrue(r.roc().get(i).threshold() < r.roc().get(i - 1).threshold());
    }
  }

  @Test
  void theResultRoundTripsThroughJackson() throws Exception {
    ModelValidation.Result r = twelve(ModelValidation.Costs.DEFAULT);
    ObjectMapper json = new ObjectMapper();
    assertEquals(r, json.readValue(json.writeValueAsString(r), ModelValidation.Result.class));
  }

  @Test
  void degenerateInputFailsNamingTheColumn() {
    ModelValidation v = new ModelValidation("defaulted", "pd");
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class, () -> v.validate(scored(new double[0], new int[0])));
    assertEquals(
        "Cannot validate model: no rows (label 'defaulted', probability 'pd')", empty.getMessage());

    IllegalArgumentException oneClass =
        assertThrows(
            IllegalArgumentException.class,
            () -> v.validate(scored(new double[] {0.1, 0.2}, new int[] {0, 0})));
    assertEquals(
        "Cannot validate model: label column 'defaulted' has only one class (0 events in 2 rows)",
        oneClass.getMessage());

    IllegalArgumentException outside =
        assertThrows(
            IllegalArgumentException.class,
            () -> v.validate(scored(new double[] {0.1, 1.5, -0.1}, new int[] {0, 1, 0})));
    assertEquals(
        "Cannot validate model: probability column 'pd' must be in [0, 1]; 2 of 3 rows are null,"
            + " NaN or outside",
        outside.getMessage());

    List<Row> withNull = List.of(RowFactory.create(1, null), RowFactory.create(0, 0.2));
    IllegalArgumentException nullPd =
        assertThrows(
            IllegalArgumentException.class,
            () -> v.validate(SharedSpark.spark().createDataFrame(withNull, SCHEMA)));
    assertTrue(nullPd.getMessage().contains("probability column 'pd'"), nullPd.getMessage());
    assertTrue(nullPd.getMessage().contains("1 of 2 rows"), nullPd.getMessage());

    IllegalArgumentException badLabel =
        assertThrows(
            IllegalArgumentException.class,
            () -> v.validate(scored(new double[] {0.1, 0.2, 0.3}, new int[] {0, 1, 2})));
    assertEquals(
        "Cannot validate model: label column 'defaulted' must be 0 or 1; 1 of 3 rows are null or"
            + " another value",
        badLabel.getMessage());

    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ModelValidation("defaulted", "score").validate(scored(PD, Y)));
    assertEquals(
        "Cannot validate model: missing column 'score' (have: defaulted, pd)",
        missing.getMessage());

    IllegalArgumentException text =
        assertThrows(
            IllegalArgumentException.class,
            () -> v.validate(scored(PD, Y).withColumn("pd", functions.lit("high"))));
    assertEquals(
        "Cannot validate model: column 'pd' must be numeric, is string", text.getMessage());

    assertThrows(IllegalArgumentException.class, () -> new ModelValidation.Costs(-1, 1));
  }
}
