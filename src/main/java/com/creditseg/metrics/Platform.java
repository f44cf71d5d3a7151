package com.creditseg.metrics;

import com.creditseg.model.Versions;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.apache.spark.sql.SparkSession;

/**
 * What a run ran on, recorded in metrics.json so that figures from two runs can be compared only
 * when they are comparable: creditseg's build, the driver's Java (version and vendor) and Spark.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Platform(String creditseg, String java, String javaVendor, String spark) {

  /** The driver's platform now. */
  public static Platform of(SparkSession spark) {
    return new Platform(
        Versions.creditseg(),
        System.getProperty("java.version"),
        System.getProperty("java.vendor"),
        spark.version());
  }
}
