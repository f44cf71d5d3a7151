package com.creditseg.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.creditseg.SharedSpark;
import com.creditseg.config.QualitySettings;
import com.creditseg.config.QualitySettings.ColumnRule;
import com.creditseg.config.QualitySettings.MissingPolicy;
import com.creditseg.config.QualitySettings.RangePolicy;
import com.creditseg.metrics.StageTimer;
import com.creditseg.schema.InputContractException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Each policy on a tiny fixture, with the expected outcome beside each input row. */
@ExtendWith(SharedSpark.class)
class CustomerValidatorTest {
  static final StructType SCHEMA =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField("customer_id", DataTypes.StringType, true),
              DataTypes.createStructField("annual_income", DataTypes.DoubleType, true),
              DataTypes.createStructField("payment_history", DataTypes.DoubleType, true),
              DataTypes.createStructField("late_payments_24m", DataTypes.IntegerType, true),
              DataTypes.createStructField("defaulted", DataTypes.IntegerType, true),
              DataTypes.createStructField(
                  "parse_errors", DataTypes.createArrayType(DataTypes.StringType), true)));

  // income: impute median, clip to [0, 1e6]; payment: reject missing, reject out of [0, 1];
  // late payments: impute median, reject out of [0, 240].
  static final QualitySettings SETTINGS =
      new QualitySettings(
          0.5,
          0.1,
          1000,
          Map.of(
              "annual_income",
              new ColumnRule(
                  "annual_income", 0, 1e6, MissingPolicy.IMPUTE_MEDIAN, RangePolicy.CLIP),
              "payment_history",
              new ColumnRule("payment_history", 0, 1, MissingPolicy.REJECT, RangePolicy.REJECT),
              "late_payments_24m",
              new ColumnRule(
                  "late_payments_24m", 0, 240, MissingPolicy.IMPUTE_MEDIAN, RangePolicy.REJECT)));

  /**
   * {@code input} validated as a run validates it ({@link QualityPass}), its quarantine written and
   * read back as the run's is.
   */
  record Validation(QualityPass.Result result, Dataset<Row> quarantine) {
    QualityReport report() {
      return result.quality();
    }

    Dataset<Row> clean() {
      return result.clean(input);
    }
  }

  static Validation validation;

  @TempDir static Path quarantineDir;
  static Dataset<Row> input;

  /** {@code input}'s duplicated ids and medians, for the tests that call the steps one by one. */
  static Duplicates duplicates;

  static Map<String, Double> medians;

  static Row row(
      String id, Double income, Double pay, Integer late, Integer label, String... parseErrors) {
    return RowFactory.create(id, income, pay, late, label, List.of(parseErrors).toArray());
  }

  @BeforeAll
  static void validate() {
    List<Row> rows =
        new ArrayList<>(
            List.of(
                row("ok1", 50_000.0, 0.95, 1, 0), // valid
                row("ok2", 70_000.0, 0.90, 3, 1), // valid
                row("ok3", 60_000.0, 0.99, 0, null), // valid, label unknown
                row("inc-null", null, 0.97, 2, 0), // income imputed: 60,000
                row("inc-nan", Double.NaN, 0.97, 2, 0), // income imputed
                row("inc-big", 5e9, 0.97, 2, 0), // income clipped to 1e6
                row("inc-neg", -5.0, 0.97, 2, 0), // income clipped to 0
                row("late-null", 55_000.0, 0.97, null, 0), // late imputed: median 2
                row("pay-null", 55_000.0, null, 1, 0), // missing_value
                row("pay-nan", 55_000.0, Double.NaN, 1, 0), // not_a_number
                row("pay-inf", 55_000.0, Double.POSITIVE_INFINITY, 1, 0), // infinite
                row("pay-big", 55_000.0, 1.5, 1, 0), // out_of_range
                row("late-neg", 55_000.0, 0.9, -1, 0), // out_of_range
                row("label-2", 55_000.0, 0.9, 1, 2), // out_of_range:defaulted
                row("text", 55_000.0, 0.9, 1, 0, "not_a_number:annual_income"), // from parsing
                row(null, 55_000.0, 0.9, 1, 0), // missing_id
                row(" ", 55_000.0, 0.9, 1, 0), // missing_id
                row("dup", 55_000.0, 0.9, 1, 0), // duplicate_id (both)
                row("dup", 56_000.0, 0.9, 1, 0),
                row("copy", 57_000.0, 0.9, 1, 0), // kept once
                row("copy", 57_000.0, 0.9, 1, 0), // deduplicated
                row("copy", 57_000.0, 0.9, 1, 0))); // deduplicated
    input = SharedSpark.spark().createDataFrame(rows, SCHEMA);
    validation = validated(validator(), input, 22);
    duplicates = Duplicates.find(input);
    medians = validator().medians(input);
  }

  @AfterAll
  static void release() {
    duplicates.release();
    validation.result().release();
  }

  /** {@code input} ({@code rows} rows) through the run's validation, quarantine to a temp dir. */
  static Validation validated(CustomerValidator validator, Dataset<Row> input, long rows) {
    String quarantine = quarantineDir.resolve("quarantine").toString();
    QualityPass.Result result =
        new QualityPass(validator, SETTINGS)
            .run(
                new StageTimer(),
                input,
                rows,
                rows,
                Optional.empty(),
                Optional.empty(),
                rejected -> {
                  rejected.write().mode(SaveMode.Overwrite).parquet(quarantine);
                  return SharedSpark.spark().read().parquet(quarantine);
                });
    return new Validation(result, SharedSpark.spark().read().parquet(quarantine));
  }

  /** The validator of {@code input}: its id and payment history are required. */
  private static CustomerValidator validator() {
    return new CustomerValidator(SETTINGS, Set.of("customer_id", "payment_history"), "2026-01-31");
  }

  @Test
  void countsReconcile() {
    QualityReport r = validation.report();
    assertEquals(22, r.rowsIn());
    assertEquals(9, r.rowsValid());
    assertEquals(11, r.rowsQuarantined());
    assertEquals(2, r.rowsDeduplicated());
    assertEquals(9, validation.clean().count());
    assertEquals(11, validation.quarantine().count());
  }

  @Test
  void validKeepsWhatCleanKeepsWithTheSameValuesAndColumns() {
    CustomerValidator validator = validator();
    Dataset<Row> clean = CustomerValidator.clean(validator.flag(input, medians, duplicates));
    Dataset<Row> valid = validator.valid(input, medians, duplicates);
    assertEquals(clean.schema(), valid.schema());
    List<String> expected = sortedRows(clean);
    assertEquals(9, expected.size());
    assertEquals(expected, sortedRows(valid));
    Row big = valid.filter("customer_id = 'inc-big'").first();
    assertEquals(1e6, big.getDouble(1));
    assertEquals(List.of("clipped:annual_income"), big.getList(big.fieldIndex("repairs")));
  }

  @Test
  void quarantineCountingKeepsWhatQuarantineKeepsAndCountsEveryRow() {
    CustomerValidator validator = validator();
    Dataset<Row> expected =
        CustomerValidator.quarantine(validator.flag(input, medians, duplicates));
    Observation counts = new Observation("quality");
    Dataset<Row> quarantined = validator.quarantineCounting(input, medians, duplicates, counts);
    assertEquals(expected.schema(), quarantined.schema());
    List<String> rows = sortedRows(quarantined);
    assertEquals(11, rows.size());
    assertEquals(sortedRows(expected), rows);
    Row counted = counts.getRow();
    Map<String, Long> byName = new TreeMap<>();
    for (String field : counted.schema().fieldNames()) {
      byName.put(field, ((Number) counted.getAs(field)).longValue());
    }
    assertEquals(
        Map.of(
            "rows", 22L,
            "status:valid", 9L,
            "status:quarantined", 11L,
            "status:deduplicated", 2L,
            "repair:imputed:annual_income", 2L,
            "repair:clipped:annual_income", 2L,
            "repair:imputed:late_payments_24m", 1L),
        byName);
  }

  private static List<String> sortedRows(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  @Test
  void quarantineCountsByReason() {
    QualityReport r = validation.report();
    Map<String, Long> expected =
        new TreeMap<>(
            Map.of(
                "missing_value",
                1L,
                "not_a_number",
                2L,
                "infinite",
                1L,
                "out_of_range",
                3L,
                "missing_id",
                2L,
                "duplicate_id",
                2L));
    assertEquals(expected, r.quarantinedByReason());
    assertEquals(1L, r.quarantinedByReasonAndColumn().get("out_of_range:defaulted"));
    assertEquals(1L, r.quarantinedByReasonAndColumn().get("not_a_number:annual_income"));
    Map<String, Long> repairs =
        new TreeMap<>(
            Map.of(
                "imputed:annual_income",
                2L,
                "clipped:annual_income",
                2L,
                "imputed:late_payments_24m",
                1L));
    assertEquals(repairs, r.repairsByColumn());
  }

  @Test
  void repairsUseMediansAndBounds() {
    // Usable incomes: 50k, 70k, 60k, 55k x9 (incl. quarantined rows), 56k, 57k x3 -> median 55k
    assertEquals(55_000.0, validation.report().imputationMedians().get("annual_income"), 1e-9);
    Map<String, Row> clean = new TreeMap<>();
    validation.clean().collectAsList().forEach(r -> clean.put(r.getString(0), r));
    assertEquals(55_000.0, clean.get("inc-null").getDouble(1), 1e-9);
    assertEquals(55_000.0, clean.get("inc-nan").getDouble(1), 1e-9);
    assertEquals(1e6, clean.get("inc-big").getDouble(1), 1e-9);
    assertEquals(0.0, clean.get("inc-neg").getDouble(1), 1e-9);
    assertEquals(1, clean.get("late-null").getInt(3));
    assertEquals(
        List.of("imputed:late_payments_24m"),
        clean.get("late-null").getList(clean.get("late-null").fieldIndex("repairs")));
    assertEquals(
        Set.of(
            "ok1", "ok2", "ok3", "inc-null", "inc-nan", "inc-big", "inc-neg", "late-null", "copy"),
        clean.keySet());
  }

  @Test
  void mediansAreSparksExactPercentile() {
    // Odd and even counts of usable values, fractional incomes whose middle two differ in every
    // digit, repeated values, and values outside the rule's range that must not count.
    Random random = new Random(11);
    for (int n : new int[] {1, 2, 7, 400, 1001}) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        double income =
            i % 9 == 0 ? -3.0 : i % 13 == 0 ? 2e6 : Math.round(random.nextDouble() * 1e7) / 97.0;
        rows.add(row("c" + i, income, 0.9, random.nextInt(5), 0));
      }
      Dataset<Row> sample = SharedSpark.spark().createDataFrame(rows, SCHEMA);
      Row spark =
          sample
              .agg(
                  functions.expr(
                      "percentile(if(annual_income between 0 and 1e6, annual_income, null), 0.5)"),
                  functions.expr("percentile(cast(late_payments_24m as double), 0.5)"))
              .first();
      Map<String, Double> medians = validator().medians(sample);
      assertEquals(spark.isNullAt(0) ? null : spark.getDouble(0), medians.get("annual_income"));
      assertEquals(spark.getDouble(1), medians.get("late_payments_24m"));
    }
  }

  @Test
  void quarantineKeepsOriginalValuesWithReason() {
    Map<String, Row> q = new TreeMap<>();
    validation
        .quarantine()
        .filter("customer_id is not null and trim(customer_id) != ''")
        .collectAsList()
        .forEach(r -> q.put(r.getString(0) + r.getAs("annual_income"), r));
    Row big = q.get("pay-big55000.0");
    assertEquals("out_of_range", big.getAs("reason"));
    assertEquals("payment_history", big.getAs("reason_column"));
    assertEquals(1.5, big.<Double>getAs("payment_history"), 1e-9);
    assertEquals("2026-01-31", big.getAs("run_date"));
    assertEquals("duplicate_id", q.get("dup56000.0").getAs("reason"));
  }

  @Test
  void missingRequiredColumnFailsFast() {
    Dataset<Row> input = SharedSpark.spark().range(1).toDF("customer_id");
    InputContractException e =
        assertThrows(
            InputContractException.class,
            () ->
                validated(
                    new CustomerValidator(SETTINGS, Set.of("customer_id", "payment_history"), "d"),
                    input,
                    1));
    assertEquals(
        "Cannot validate customers: missing column 'payment_history' (have: customer_id)",
        e.getMessage());
  }
}
