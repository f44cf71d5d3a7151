package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.creditseg.ReasonCodeValues;
import com.creditseg.SharedSpark;
import com.creditseg.config.SupervisedSettings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class ScorecardTest {
  private static final SupervisedSettings.Points PDO = new SupervisedSettings.Points(600, 50, 20);

  private static FeatureBins bins(String feature, double... woe) {
    List<WoeBin> bins = new ArrayList<>();
    for (int i = 0; i < woe.length; i++) {
      bins.add(
          new WoeBin(
              i, WoeBin.Kind.CATEGORY, null, null, List.of("v" + i), null, 10, 1, 0.1, woe[i], 0));
    }
    return new FeatureBins(feature, false, null, bins, 0.5);
  }

  @Test
  void pdoScalingMatchesHandComputedPoints() {
    // factor = 20 / ln 2 = 28.853901; offset = 600 - 28.853901 * ln 50 = 487.122876.
    assertEquals(28.8539008178, Scorecard.factor(PDO), 1e-9);
    assertEquals(487.1228762045, Scorecard.offset(PDO), 1e-9);
    // One feature, b = -1, b0 = -2: a bin with WoE 1 has log-odds of default -3, so points
    // 487.122876 + 28.853901 * 3 = 573.684579, and PD = 1 / (1 + e^3) = 0.047426.
    Scorecard card = Scorecard.of(List.of(bins("a", 1.0, -0.5)), new double[] {-1}, -2, PDO);
    assertEquals(573.6845786578, card.features().get(0).bins().get(0).points(), 1e-9);
    // WoE -0.5: log-odds -1.5, points 487.122876 + 28.853901 * 1.5 = 530.403727.
    assertEquals(530.4037274312, card.features().get(0).bins().get(1).points(), 1e-9);
  }

  @Test
  void customersGetTheirBinsPointsProbabilityAndReasonCodes() {
    // Two features, b = (-1, -0.5), b0 = -2. Each bin is worth -factor * b * woe + (offset -
    // factor * b0) / 2 = -factor * b * woe + 272.415389.
    Scorecard card =
        Scorecard.of(
            List.of(bins("a", 1.0, -1.0), bins("b", 2.0, 0.0)), new double[] {-1, -0.5}, -2, PDO);
    StructType schema =
        new StructType().add("woe_a", DataTypes.DoubleType).add("woe_b", DataTypes.DoubleType);
    List<Row> rows =
        card.apply(
                SharedSpark.spark()
                    .createDataFrame(
                        List.of(RowFactory.create(1.0, 2.0), RowFactory.create(-1.0, 0.0)), schema),
                4)
            .collectAsList();
    // Best customer: log-odds -2 - 1 - 1 = -4, points 487.122876 + 4 * 28.853901 = 602.5385,
    // PD 1 / (1 + e^4) = 0.017986, nothing lost against the best bins.
    Row best = rows.get(0);
    assertEquals(603, best.<Integer>getAs(Scorecard.POINTS));
    assertEquals(0.0179862100, best.<Double>getAs(Scorecard.PROBABILITY), 1e-9);
    assertEquals(
        Arrays.asList(null, null, null, null),
        ReasonCodeValues.of(best, "scorecard_reason_code", 4));
    // Worst: log-odds -2 + 1 + 0 = -1, points 487.122876 + 28.853901 = 515.9768, PD 0.268941;
    // a loses 2 * 28.853901 = 57.7 points against its best bin, b 1 * 28.853901 = 28.9.
    Row worst = rows.get(1);
    assertEquals(516, worst.<Integer>getAs(Scorecard.POINTS));
    assertEquals(0.2689414214, worst.<Double>getAs(Scorecard.PROBABILITY), 1e-9);
    // Four columns for the four reason codes asked for, whatever the two features: two null.
    assertEquals(
        Arrays.asList("a", "b", null, null),
        ReasonCodeValues.of(worst, "scorecard_reason_code", 4));
    assertEquals(
        List.of(
            "scorecard_points",
            "probability_of_default",
            "scorecard_reason_code_1",
            "scorecard_reason_code_2",
            "scorecard_reason_code_3",
            "scorecard_reason_code_4"),
        List.of(worst.schema().fieldNames()).subList(2, 8));
  }

  @Test
  void halfUpRoundsEveryDoubleAsSparksRoundDoes() {
    // Halves away from zero, and the doubles just below a half, which x + 0.5 would round up.
    List<Double> values =
        new ArrayList<>(
            List.of(
                0.0,
                -0.0,
                0.5,
                -0.5,
                2.5,
                -2.5,
                599.5,
                Math.nextDown(599.5),
                Math.nextUp(599.5),
                0.49999999999999994,
                -0.49999999999999994,
                Math.nextDown(2.5),
                -Math.nextDown(2.5),
                4503599627370495.5,
                1.0e15 + 0.5,
                123456.4999999));
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      values.add((random.nextDouble() - 0.3) * Math.pow(10, random.nextInt(8)));
      values.add(random.nextInt(2000) / 2.0 - 300); // whole numbers and halves
    }
    List<Row> rows = values.stream().map(v -> RowFactory.create(v)).toList();
    Column x = functions.col("x");
    List<Row> rounded =
        SharedSpark.spark()
            .createDataFrame(rows, new StructType().add("x", DataTypes.DoubleType))
            .select(
                x, Scorecard.halfUp(x).cast("double").as("ours"), functions.round(x).as("spark"))
            .collectAsList();
    assertEquals(values.size(), rounded.size());
    for (Row r : rounded) {
      double expected =
          BigDecimal.valueOf(r.getDouble(0)).setScale(0, RoundingMode.HALF_UP).doubleValue();
      assertEquals(expected, r.getDouble(2), 0.0, "Spark's round of " + r.getDouble(0));
      assertEquals(expected, r.getDouble(1), 0.0, "halfUp of " + r.getDouble(0));
    }
  }
}
