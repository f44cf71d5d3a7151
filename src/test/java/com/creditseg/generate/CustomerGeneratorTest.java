package com.creditseg.generate;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.GenerateSettings;
import com.creditseg.config.GenerateSettings.Faults;
import com.creditseg.schema.CustomerSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class CustomerGeneratorTest {
  private static final double DEFAULT_RATE = 0.12;

  /** The generated range of every numeric feature: {lo, hi}. */
  private static final Map<String, double[]> RANGES = new LinkedHashMap<>();

  static {
    RANGES.put("age", new double[] {18, 90});
    RANGES.put("annual_income", new double[] {8_000, 400_000});
    RANGES.put("credit_utilization_ratio", new double[] {0, 1.3});
    RANGES.put("payment_history", new double[] {0.5, 1.0});
    RANGES.put("late_payments_24m", new double[] {0, 24});
    RANGES.put("credit_history_months", new double[] {3, 480});
    RANGES.put("recent_inquiries", new double[] {0, 15});
    RANGES.put("number_of_credit_accounts", new double[] {1, 25});
    RANGES.put("loan_amount", new double[] {1_000, 200_000});
    RANGES.put("interest_rate", new double[] {2, 30});
    RANGES.put("loan_term", new double[] {12, 60});
    RANGES.put("spending_score", new double[] {1, 100});
  }

  private static final List<String> DOUBLES =
      List.of(
          "annual_income",
          "credit_utilization_ratio",
          "payment_history",
          "loan_amount",
          "interest_rate",
          "spending_score");

  private static Dataset<Row> generate(long rows, int partitions, long seed, Faults faults) {
    return new CustomerGenerator(
            SharedSpark.spark(),
            new GenerateSettings(rows, partitions, seed, "unused", DEFAULT_RATE, faults))
        .generate();
  }

  /** True when the condition holds for any of the columns. */
  private static Column any(List<String> columns, Function<Column, Column> condition) {
    return columns.stream().map(c -> condition.apply(col(c))).reduce(lit(false), Column::or);
  }

  private static List<String> numeric() {
    return List.copyOf(RANGES.keySet());
  }

  @Test
  void sameSeedGivesSameRowsWhateverThePartitionCount() {
    // Faults included: their draws must be as reproducible as the clean values.
    Faults faults = new Faults(0.05, 0.05, 0.05, 0.05, 0.05, 0);
    List<Row> one = generate(2000, 1, 7, faults).orderBy("customer_id").collectAsList();
    List<Row> three = generate(2000, 3, 7, faults).orderBy("customer_id").collectAsList();

    assertEquals(one, three);
  }

  @Test
  void differentSeedGivesDifferentRows() {
    Dataset<Row> first = generate(2000, 2, 7, Faults.NONE);
    Dataset<Row> second = generate(2000, 2, 8, Faults.NONE);

    assertEquals(2000, first.except(second).count());
  }

  @Test
  void writesTheCanonicalSchemaWithOneRowPerId() {
    Dataset<Row> customers = generate(3000, 3, 42, Faults.NONE);

    assertEquals(CustomerSchema.schema(), customers.schema());
    assertEquals(3000, customers.count());
    assertEquals(3000, customers.select(countDistinct("customer_id")).first().getLong(0));
    assertEquals(
        List.of("C0000000000", "C0000000001"),
        customers
            .select("customer_id")
            .orderBy("customer_id")
            .limit(2)
            .as(Encoders.STRING())
            .collectAsList());
  }

  @Test
  void cleanValuesStayInTheirRangesWithPlausibleMeans() {
    Dataset<Row> customers = generate(5000, 2, 42, Faults.NONE).cache();

    for (String column : CustomerSchema.columns()) {
      assertEquals(0, customers.filter(col(column).isNull()).count(), column + " has nulls");
    }
    for (Map.Entry<String, double[]> range : RANGES.entrySet()) {
      Row bounds =
          customers
              .agg(min(range.getKey()).cast("double"), max(range.getKey()).cast("double"))
              .first();
      assertTrue(bounds.getDouble(0) >= range.getValue()[0], range.getKey() + " below range");
      assertTrue(bounds.getDouble(1) <= range.getValue()[1], range.getKey() + " above range");
    }
    assertEquals(
        0,
        customers
            .filter(col("credit_history_months").gt(col("age").minus(17).multiply(12)))
            .count());
    assertEquals(
        Set.of("High School", "Bachelor", "Master", "PhD"), distinct(customers, "education_level"));
    assertEquals(
        Set.of("Employed", "Self-Employed", "Unemployed"),
        distinct(customers, "employment_status"));
    assertEquals(Set.of(12, 24, 36, 48, 60), distinct(customers, "loan_term"));

    // Truncation shifts a mean towards the wider side of its range; the windows allow for that.
    Row means =
        customers
            .agg(
                avg("age"),
                avg("annual_income"),
                avg("payment_history"),
                avg("credit_utilization_ratio"),
                avg("interest_rate"),
                avg("spending_score"))
            .first();
    assertBetween(38, 46, means.getDouble(0), "age");
    assertBetween(60_000, 69_000, means.getDouble(1), "annual_income");
    assertBetween(0.91, 0.935, means.getDouble(2), "payment_history");
    assertBetween(0.36, 0.42, means.getDouble(3), "credit_utilization_ratio");
    assertBetween(8.7, 9.7, means.getDouble(4), "interest_rate");
    assertBetween(47, 53, means.getDouble(5), "spending_score");
    customers.unpersist();
  }

  @Test
  void latentRiskDrivesFeaturesAndDefaults() {
    Dataset<Row> customers = generate(5000, 2, 42, Faults.NONE).cache();

    assertTrue(customers.stat().corr("payment_history", "late_payments_24m") < -0.2);
    assertTrue(customers.stat().corr("credit_utilization_ratio", "payment_history") < 0);
    assertTrue(customers.stat().corr("annual_income", "interest_rate") < 0);
    double defaultRate = customers.agg(avg("defaulted")).first().getDouble(0);
    assertBetween(DEFAULT_RATE - 0.03, DEFAULT_RATE + 0.03, defaultRate, "default rate");
    Row defaulters = byDefault(customers, 1);
    Row payers = byDefault(customers, 0);
    assertTrue(defaulters.getDouble(0) < payers.getDouble(0), "payment history by default");
    assertTrue(defaulters.getDouble(1) > payers.getDouble(1), "unemployment by default");
    customers.unpersist();
  }

  @Test
  void nullFaultsEmptyOneNumericFeatureAtTheirRate() {
    Dataset<Row> faulty = generate(5000, 2, 42, new Faults(0.1, 0, 0, 0, 0, 0));

    long hit = assertRate(faulty, any(numeric(), Column::isNull), 0.1);
    // Faults come after the clean draws: every other row is exactly the clean one.
    assertEquals(hit, faulty.except(generate(5000, 2, 42, Faults.NONE)).count());
  }

  @Test
  void nanFaultsHitDoubleFeaturesAtTheirRate() {
    assertRate(
        generate(5000, 2, 42, new Faults(0, 0.1, 0, 0, 0, 0)), any(DOUBLES, c -> isnan(c)), 0.1);
  }

  @Test
  void infinityFaultsHitDoubleFeaturesWithBothSignsAtTheirRate() {
    Dataset<Row> faulty = generate(5000, 2, 42, new Faults(0, 0, 0.1, 0, 0, 0));

    assertRate(faulty, any(DOUBLES, c -> c.equalTo(Double.POSITIVE_INFINITY)), 0.05);
    assertRate(faulty, any(DOUBLES, c -> c.equalTo(Double.NEGATIVE_INFINITY)), 0.05);
  }

  @Test
  void negativeFaultsHitNumericFeaturesAtTheirRate() {
    assertRate(
        generate(5000, 2, 42, new Faults(0, 0, 0, 0.1, 0, 0)), any(numeric(), c -> c.lt(0)), 0.1);
  }

  @Test
  void outOfRangeFaultsLandFarAboveTheRangeAtTheirRate() {
    Column farAbove =
        RANGES.entrySet().stream()
            .map(r -> col(r.getKey()).gt(r.getValue()[1] * 1000))
            .reduce(lit(false), Column::or);

    assertRate(generate(5000, 2, 42, new Faults(0, 0, 0, 0, 0.1, 0)), farAbove, 0.1);
  }

  @Test
  void duplicateIdFaultsReuseThePreviousIdAtTheirRate() {
    Dataset<Row> faulty = generate(5000, 2, 42, new Faults(0, 0, 0, 0, 0, 0.1));

    long distinct = faulty.select(countDistinct("customer_id")).first().getLong(0);
    assertBetween(0.06, 0.14, (5000 - distinct) / 5000.0, "duplicate id share");
  }

  /** Asserts that about {@code rate} of the rows (+/- 4 points) match; returns how many did. */
  private static long assertRate(Dataset<Row> customers, Column condition, double rate) {
    long hit = customers.filter(condition).count();
    assertBetween(rate - 0.04, rate + 0.04, hit / (double) customers.count(), condition.toString());
    return hit;
  }

  private static Row byDefault(Dataset<Row> customers, int defaulted) {
    return customers
        .filter(col("defaulted").equalTo(defaulted))
        .agg(
            avg("payment_history"),
            avg(col("employment_status").equalTo("Unemployed").cast("double")))
        .first();
  }

  private static Set<Object> distinct(Dataset<Row> customers, String column) {
    return Set.copyOf(
        customers.select(column).distinct().collectAsList().stream().map(r -> r.get(0)).toList());
  }

  private static void assertBetween(double lo, double hi, double actual, String what) {
    assertTrue(
        actual >= lo && actual <= hi,
        what + " = " + actual + ", expected in [" + lo + ", " + hi + "]");
  }
}
