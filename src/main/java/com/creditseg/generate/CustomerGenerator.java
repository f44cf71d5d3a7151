package com.creditseg.generate;

import com.creditseg.config.GenerateSettings;
import com.creditseg.schema.CustomerSchema;
import java.util.Objects;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synthesizes {@code generate.rows} customers in the canonical schema ({@link
 * CustomerSchema#schema()}: same columns, order and types), lazily and distributed: {@code
 * spark.range} split into {@code generate.partitions} partitions (0 = Spark's default parallelism)
 * and one row built per id on the executors, so nothing passes through the driver.
 *
 * <p>Every draw for row {@code id} comes from a generator seeded by ({@code generate.seed}, id)
 * alone, in a fixed order, so the same seed gives the same rows whatever the partition count.
 *
 * <p>Each row draws a latent risk z ~ N(0, 1) (higher is riskier). Numeric features follow a
 * Gaussian copula with truncated normal marginals: each feature's normal has a fixed correlation
 * with z (income, payment history, history length fall with z; utilization, late payments,
 * inquiries, interest rate rise), is mapped to a uniform and from there to a normal truncated to
 * the feature's plausible range. Education and employment lean the same way through z; gender,
 * marital status, loan term and type are independent of it. {@code customer_id} is "C" and the id
 * zero-padded to 10 digits. {@code defaulted} is 1 with probability Phi(a + 1.5 z), a chosen so the
 * mean is exactly {@code generate.default-rate}.
 *
 * <p>Faults ({@code generate.faults.*}, default 0) are applied after the clean values, each at its
 * per-row rate and independently: a null numeric feature, a NaN or +/-Infinity double feature, a
 * numeric feature made negative ({@code -value - 1}), a numeric feature pushed 10,000 times above
 * the top of its range, and the previous row's {@code customer_id}. Int columns only get nulls,
 * negatives and out-of-range values; {@code defaulted} is never faulted.
 */
public final class CustomerGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(CustomerGenerator.class);

  private final SparkSession spark;
  private final GenerateSettings settings;

  public CustomerGenerator(SparkSession spark, GenerateSettings settings) {
    this.spark = Objects.requireNonNull(spark, "spark");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** {@code settings.rows()} customers in the canonical schema, lazily, distributed. */
  public Dataset<Row> generate() {
    int partitions =
        settings.partitions() > 0
            ? settings.partitions()
            : spark.sparkContext().defaultParallelism();
    LOG.info(
        "Generating {} customers in {} partitions with seed {}",
        settings.rows(),
        partitions,
        settings.seed());
    CustomerRowGenerator rows =
        new CustomerRowGenerator(settings.seed(), settings.defaultRate(), settings.faults());
    return spark
        .range(0, settings.rows(), 1, partitions)
        .map((MapFunction<Long, Row>) rows::row, Encoders.row(CustomerSchema.schema()));
  }
}
