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
