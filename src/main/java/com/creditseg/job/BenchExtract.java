package com.creditseg.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bench --csv}'s input: generated customers rewritten as one CSV file the way a lender's
 * export carries them (the mapping in {@value #MAPPING}, read back by the job as any extract is),
 * with 20 numeric columns beyond the canonical schema. The same customers give the same file.
 */
final class BenchExtract {
  /** The classpath resource holding the extract's {@code input.mapping}. */
  static final String MAPPING = "bench-csv-mapping.conf";

  /** Numeric columns beyond the canonical schema. */
  static final int EXTRA_COLUMNS = 20;

  private BenchExtract() {}

  /** The customers under {@code parquet} written as a CSV extract under {@code csv}. */
  static void write(SparkSession spark, String parquet, String csv) {
    Dataset<Row> customers = spark.read().parquet(parquet);
    Column late = col("late_payments_24m");
    List<Column> columns =
        new ArrayList<>(
            List.of(
                col("customer_id").as("Customer ID"),
                col("age").as("Age"),
                when(col("gender").equalTo("Female"), "F")
                    .when(col("gender").equalTo("Male"), "M")
                    .when(col("gender").isNotNull(), "X")
                    .as("Sex"),
                col("marital_status").as("Marital Status"),
                col("education_level").as("Education"),
                col("employment_status").as("Employment"),
                round(col("annual_income").divide(12), 2).as("Monthly Income"),
                round(col("credit_utilization_ratio").multiply(100), 2).as("Utilization %"),
                round(col("payment_history").multiply(100), 2).as("On-time %"),
                floor(late.divide(2)).cast("int").as("Late 0-12m"),
                late.minus(floor(late.divide(2))).cast("int").as("Late 13-24m"),
                round(col("credit_history_months").divide(12), 4).as("History (years)"),
                col("recent_inquiries").as("Inquiries"),
                col("number_of_credit_accounts").as("Open Accounts"),
                col("loan_amount").as("Loan Amount"),
                col("interest_rate").as("APR"),
                col("loan_term").as("Term"),
                col("type_of_loan").as("Loan Purpose"),
                col("spending_score").as("Spending Score"),
                when(col("defaulted").equalTo(1), "Y")
                    .when(col("defaulted").equalTo(0), "N")
                    .as("Default")));
    for (int i = 1; i <= EXTRA_COLUMNS; i++) {
      columns.add(
          pmod(xxhash64(col("customer_id"), lit(i)), lit(1_000_000L))
              .divide(1000.0)
              .as(String.format("Bureau Attribute %02d", i)));
    }
    customers
        .select(columns.toArray(Column[]::new))
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .option("header", true)
        .csv(csv);
  }

  /** The {@code --set} overrides that read the extract under {@code csv}. */
  static List<String> settings(String csv) {
    return List.of(
        "input.path=" + csv,
        "input.format=csv",
        "input.csv.header=true",
        "input.mapping=" + mapping());
  }

  private static String mapping() {
    try (InputStream in = BenchExtract.class.getClassLoader().getResourceAsStream(MAPPING)) {
      if (in == null) {
        throw new IllegalStateException(MAPPING + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
