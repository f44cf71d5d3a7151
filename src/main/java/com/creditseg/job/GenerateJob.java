package com.creditseg.job;

import com.creditseg.config.GenerateSettings;
import com.creditseg.generate.CustomerGenerator;
import com.creditseg.transactions.TransactionGenerator;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
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
    Observation rows = new Observation("generated");
    new TransactionGenerator(spark, transactions)
        .generate()
        .observe(rows, functions.count(functions.lit(1)).as("rows"))
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(transactions.output());
    double seconds = (System.nanoTime() - start) / 1e9;
    long n = rows.getRow().<Long>getAs("rows");
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
