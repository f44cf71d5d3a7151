package com.creditseg.job;

import com.creditseg.config.GenerateSettings;
import com.creditseg.generate.CustomerGenerator;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code generate} subcommand: synthetic customers written as Parquet to generate.output. */
public final class GenerateJob {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

  private final SparkSession spark;
  private final GenerateSettings settings;

  public GenerateJob(SparkSession spark, GenerateSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  /** Synthetic transactions written as Parquet to transactions.generate.output. */
  public void runTransactions(com.creditseg.config.TransactionSettings.Generate transactions) {
    long start = System.nanoTime();
    org.apache.spark.sql.Observation rows = new org.apache.spark.sql.Observation("generated");
    new com.creditseg.transactions.TransactionGenerator(spark, transactions)
        .generate()
        .observe(rows, org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)))
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(transactions.output());
    double seconds = (System.nanoTime() - start) / 1e9;
    long n = rows.getRow().getLong(0);
    LOG.info(
        String.format(
            "generated %,d transactions of %,d customers to %s in %.1f s (%,.0f rows/s)",
            n, transactions.customers(), transactions.output(), seconds, n / seconds));
  }

  public void run() {
    long start = System.nanoTime();
    new CustomerGenerator(spark, settings)
        .generate()
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(settings.output());
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info(
        String.format(
            "generated %,d customers to %s in %.1f s (%,.0f rows/s)",
            settings.rows(), settings.output(), seconds, settings.rows() / seconds));
  }
}
