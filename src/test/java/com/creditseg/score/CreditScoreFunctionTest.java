package com.creditseg.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.ReasonCodeValues;
import com.creditseg.SharedSpark;
import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.ScoreSettings;
import com.creditseg.config.ScoreSettings.FactorInput;
import com.creditseg.config.ScoreSettings.ScoreFactor;
import com.creditseg.config.SettingsLoader;
import com.creditseg.schema.InputContractException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The score against values computed by hand. */
@ExtendWith(SharedSpark.class)
class CreditScoreFunctionTest {
  // Two factors: payment (weight 3, two inputs) and owed (weight 1); 300..850, range 550.
  static final ScoreSettings SETTINGS =
      new ScoreSettings(
          300,
          850,
          4,
          Set.of("age"),
          List.of(
              new ScoreFactor(
                  "owed", 1, List.of(new FactorInput("credit_utilization_ratio", 0.9, 0.1))),
              new ScoreFactor(
                  "payment",
                  3,
                  List.of(
                      new FactorInput("payment_history", 0.8, 1.0),
                      new FactorInput("late_payments_24m", 8, 0)))));
  static final ScoreCard CARD =
      ScoreCard.forColumns(
          SETTINGS, List.of("credit_utilization_ratio", "payment_history", "late_payments_24m"));

  static CreditScoreFunction.Result score(ScoreCard card, Double util, Double pay, Double late) {
    Map<String, Double> values = new HashMap<>();
    values.put("credit_utilization_ratio", util);
    values.put("payment_history", pay);
    values.put("late_payments_24m", late);
    return CreditScoreFunction.score(card, values::get);
  }

  @Test
  void bestAndWorstCustomersGetTheEndsOfTheRange() {
    assertEquals(850, score(CARD, 0.1, 1.0, 0.0).score());
    assertEquals(List.of(), score(CARD, 0.0, 1.0, 0.0).reasonCodes());
    assertEquals(300, score(CARD, 0.95, 0.5, 12.0).score());
  }

  @Test
  void weightedGoodnessByHand() {
    // owed: (0.5-0.9)/(0.1-0.9) = 0.5; payment: mean((0.9-0.8)/0.2, (2-8)/(0-8)) = mean(0.5, 0.75)
    // = 0.625; score = 300 + 550 * (0.25*0.5 + 0.75*0.625) = 300 + 550*0.59375 = 626.5625 -> 627.
    CreditScoreFunction.Result r = score(CARD, 0.5, 0.9, 2.0);
    assertEquals(627, r.score());
    // lost points: payment 550*0.75*0.375 = 154.7; owed 550*0.25*0.5 = 68.75
    assertEquals(List.of("payment", "owed"), r.reasonCodes());
  }

  @Test
  void missingValuesDropOutAndTheWeightIsSpread() {
    // late payments missing: payment goodness = 0.5 alone -> 300 + 550*(0.25*0.5+0.75*0.5) = 575
    assertEquals(575, score(CARD, 0.5, 0.9, null).score());
    // NaN and infinity count as missing
    assertEquals(575, score(CARD, 0.5, 0.9, Double.NaN).score());
    // the owed factor missing: payment alone decides: 300 + 550*0.625 = 643.75 -> 644
    assertEquals(644, score(CARD, null, 0.9, 2.0).score());
    assertEquals(List.of("payment"), score(CARD, null, 0.9, 2.0).reasonCodes());
    // nothing usable: no score, no reasons
    CreditScoreFunction.Result none = score(CARD, null, Double.POSITIVE_INFINITY, null);
    assertNull(none.score());
    assertEquals(List.of(), none.reasonCodes());
  }

  @Test
  void aFactorAbsentFromTheInputIsDroppedAndNamed() {
    ScoreCard card = ScoreCard.forColumns(SETTINGS, List.of("payment_history"));
    assertEquals(List.of("owed"), card.droppedFactors());
    assertEquals(Set.of("payment_history"), card.inputColumns());
    // payment goodness (0.9-0.8)/0.2 = 0.5 with all the weight: 575
    assertEquals(575, score(card, 0.1, 0.9, 0.0).score());
    InputContractException e =
        assertThrows(
            InputContractException.class,
            () ->
                ScoreCard.forColumns(
                    SETTINGS, List.of("age", "parse_errors", "source_record", "_line")));
    assertTrue(e.getMessage().startsWith("Cannot score customers: no score factor"));
    // The input's columns only, not the reader's own.
    assertTrue(e.getMessage().endsWith("; have: [age])"), e.getMessage());
  }

  @Test
  void reasonCodesAreCappedAndTiesBreakByName() {
    ScoreSettings four =
        new ScoreSettings(
            300,
            850,
            2,
            Set.of(),
            List.of(
                new ScoreFactor("b", 1, List.of(new FactorInput("x", 0, 1))),
                new ScoreFactor("a", 1, List.of(new FactorInput("y", 0, 1))),
                new ScoreFactor("c", 1, List.of(new FactorInput("z", 0, 1)))));
    ScoreCard card = ScoreCard.forColumns(four, List.of("x", "y", "z"));
    Map<String, Double> v = Map.of("x", 0.2, "y", 0.2, "z", 0.9);
    assertEquals(List.of("a", "b"), CreditScoreFunction.score(card, v::get).reasonCodes());
  }

  @Test
  void registeredUdfIsCallableFromSqlAndNullSafe() {
    StructType schema =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("customer_id", DataTypes.StringType, true),
                DataTypes.createStructField("credit_utilization_ratio", DataTypes.DoubleType, true),
                DataTypes.createStructField("payment_history", DataTypes.DoubleType, true),
                DataTypes.createStructField("late_payments_24m", DataTypes.IntegerType, true)));
    Dataset<Row> customers =
        SharedSpark.spark()
            .createDataFrame(
                List.of(
                    RowFactory.create("a", 0.5, 0.9, 2), RowFactory.create("b", null, null, null)),
                schema);
    CreditScorer.register(SharedSpark.spark(), CARD);
    customers.createOrReplaceTempView("score_test_customers");
    List<Row> rows =
        SharedSpark.spark()
            .sql(
                "SELECT customer_id, credit_score(struct(*)) AS s,"
                    + " credit_score_reasons(struct(*)) AS r FROM score_test_customers"
                    + " ORDER BY customer_id")
            .collectAsList();
    assertEquals(627, rows.get(0).getInt(1));
    assertEquals(List.of("payment", "owed"), rows.get(0).getList(2));
    assertTrue(rows.get(1).isNullAt(1));

    Dataset<Row> scored = new CreditScorer(SharedSpark.spark(), CARD).score(customers);
    Row a = scored.filter("customer_id = 'a'").first();
    assertEquals(627, a.<Integer>getAs("credit_score"));
    // Two reasons of the four columns: the other two are null.
    assertEquals(
        Arrays.asList("payment", "owed", null, null), ReasonCodeValues.of(a, "reason_code", 4));
    Row b = scored.filter("customer_id = 'b'").first();
    assertTrue(b.isNullAt(b.fieldIndex("credit_score")));
    assertEquals(Arrays.asList(null, null, null, null), ReasonCodeValues.of(b, "reason_code", 4));
  }

  @Test
  void reasonCodesAreAsManyStringColumnsAsTheMaximumWhateverTheData() {
    StructType schema =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("customer_id", DataTypes.StringType, true),
                DataTypes.createStructField("credit_utilization_ratio", DataTypes.DoubleType, true),
                DataTypes.createStructField("payment_history", DataTypes.DoubleType, true),
                DataTypes.createStructField("late_payments_24m", DataTypes.IntegerType, true)));
    // Nobody loses points: no reasons at all, and still the four columns.
    Dataset<Row> customers =
        SharedSpark.spark().createDataFrame(List.of(RowFactory.create("a", 0.1, 1.0, 0)), schema);
    Dataset<Row> scored = new CreditScorer(SharedSpark.spark(), CARD).score(customers);
    List<String> added = new ArrayList<>(List.of(scored.columns()));
    added.removeAll(List.of(customers.columns()));
    assertEquals(
        List.of("credit_score", "reason_code_1", "reason_code_2", "reason_code_3", "reason_code_4"),
        added);
    for (String c : added.subList(1, 5)) {
      StructField f = scored.schema().apply(c);
      assertEquals(DataTypes.StringType, f.dataType(), c);
      assertTrue(f.nullable(), c);
    }
    Row row = scored.first();
    assertEquals(850, row.<Integer>getAs("credit_score"));
    assertEquals(Arrays.asList(null, null, null, null), ReasonCodeValues.of(row, "reason_code", 4));
  }

  @Test
  void scoringFailsFastOnAMissingColumn() {
    Dataset<Row> customers = SharedSpark.spark().range(1).toDF("customer_id");
    InputContractException e =
        assertThrows(
            InputContractException.class,
            () -> new CreditScorer(SharedSpark.spark(), CARD).score(customers));
    assertEquals(
        "Cannot score customers: missing columns 'credit_utilization_ratio', "
            + "'late_payments_24m', 'payment_history' (have: customer_id)",
        e.getMessage());
  }

  @Test
  void aCategoricalInputScoresEachValueItsGoodness() {
    var settings =
        new SettingsLoader()
            .load(
                List.of(),
                List.of(
                    "score.factors.amounts_owed.weight=0",
                    "score.factors.employment={weight=1, inputs=[{column=employment_status,"
                        + " values={Employed=1.0, Self-Employed=0.8, Unemployed=0.0}}]}",
                    "score.factors.owed={weight=1, inputs=[{column=credit_utilization_ratio,"
                        + " worst=0.9, best=0.1}]}"),
                LocalDate.of(2026, 1, 31))
            .score();
    ScoreCard card =
        ScoreCard.forColumns(settings, List.of("employment_status", "credit_utilization_ratio"));
    StructType schema =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("customer_id", DataTypes.StringType, true),
                DataTypes.createStructField("employment_status", DataTypes.StringType, true),
                DataTypes.createStructField(
                    "credit_utilization_ratio", DataTypes.DoubleType, true)));
    Dataset<Row> customers =
        SharedSpark.spark()
            .createDataFrame(
                List.of(
                    RowFactory.create("a", "Self-Employed", 0.5),
                    RowFactory.create("b", "unemployed ", 0.1),
                    RowFactory.create("c", "Retired", 0.5),
                    RowFactory.create("d", "Employed", null)),
                schema);
    List<Row> rows =
        new CreditScorer(SharedSpark.spark(), card)
            .score(customers)
            .orderBy("customer_id")
            .select("credit_score", "reason_code_1", "reason_code_2")
            .collectAsList();
    // a: 300 + 550 * (0.5 * 0.8 + 0.5 * 0.5) = 657.5 -> 658
    assertEquals(658, rows.get(0).getInt(0));
    // b: 300 + 550 * (0.5 * 0.0 + 0.5 * 1.0) = 575; all the points lost are employment's
    assertEquals(575, rows.get(1).getInt(0));
    assertEquals("employment", rows.get(1).getString(1));
    assertTrue(rows.get(1).isNullAt(2));
    // c: a value not listed is missing: the score is utilisation's alone, 300 + 550 * 0.5
    assertEquals(575, rows.get(2).getInt(0));
    assertEquals("owed", rows.get(2).getString(1));
    assertTrue(rows.get(2).isNullAt(2));
    // d: employment alone, at its best
    assertEquals(850, rows.get(3).getInt(0));
  }

  @Test
  void categoricalInputsAreCheckedAtStartUp() {
    Function<String, String> error =
        input ->
            assertThrows(
                    InvalidSettingsException.class,
                    () ->
                        new SettingsLoader()
                            .load(
                                List.of(),
                                List.of("score.factors.extra={weight=1, inputs=[" + input + "]}"),
                                LocalDate.of(2026, 1, 31)))
                .getMessage();
    assertEquals(
        "score.factors.extra.inputs uses protected attribute 'gender': score.protected-attributes"
            + " may never be score inputs",
        error.apply("{column=gender, values={Female=1, Male=1}}"));
    assertEquals(
        "score.factors.extra.inputs for 'employment_status': it is a category, so give each value"
            + " a goodness in [0, 1]: values { Employed = ..., Self-Employed = ..., Unemployed ="
            + " ..., Other = ... }",
        error.apply("{column=employment_status, worst=0, best=1}"));
    String outOfRange = error.apply("{column=employment_status, values={Employed=1.5}}");
    assertTrue(outOfRange.contains("Employed") && outOfRange.contains("1.5"), outOfRange);
  }
}
