package com.creditseg.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * The packaged job submitted as {@code bin/spark-submit} would submit it, without a Spark
 * distribution: {@code java <Spark's module flags> -cp $SPARK_HOME/jars/*
 * org.apache.spark.deploy.SparkSubmit --master ... --class com.creditseg.job.Main creditseg.jar
 * <job args>}, in client deploy mode, with every address on 127.0.0.1 and the job's own log4j2
 * configuration.
 */
final class JobSubmission {
  private final Path sparkHome;
  private final Path jar;
  private final Path logConfig;
  private final String master;
  private final Map<String, String> conf = new LinkedHashMap<>();

  JobSubmission(Path sparkHome, Path jar, Path logConfig, String master) {
    this.sparkHome = sparkHome;
    this.jar = jar;
    this.logConfig = logConfig;
    this.master = master;
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.put("spark.ui.enabled", "false");
    // Two one-core executors: 200 shuffle partitions would be 200 tiny tasks per stage.
    conf.put("spark.sql.shuffle.partitions", "8");
  }

  /** Adds {@code --conf key=value}. */
  JobSubmission conf(String key, String value) {
    conf.put(key, value);
    return this;
  }

  /**
   * Writes a plain-text event log (one JSON event per line) for the application into {@code dir},
   * to be read with {@link EventLog#read}.
   */
  JobSubmission eventLog(Path dir) {
    return conf("spark.eventLog.enabled", "true")
        .conf("spark.eventLog.dir", dir.toUri().toString())
        .conf("spark.eventLog.rolling.enabled", "false")
        .conf("spark.eventLog.compress", "false");
  }

  /** The driver's command line for {@code jobArgs} (the creditseg subcommand and options). */
  List<String> command(List<String> jobArgs) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
    command.add("-Xmx2g");
    command.add("-Dlog4j2.configurationFile=" + logConfig.toAbsolutePath());
    command.add("-cp");
    command.add(sparkHome.resolve("jars") + "/*");
    command.add("org.apache.spark.deploy.SparkSubmit");
    command.add("--master");
    command.add(master);
    command.add("--deploy-mode");
    command.add("client");
    conf.forEach(
        (k, v) -> {
          command.add("--conf");
          command.add(k + "=" + v);
        });
    command.add("--class");
    command.add("com.creditseg.job.Main");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(jobArgs);
    return command;
  }

  /** Starts the driver, its output going to {@code log}. */
  DriverProcess start(List<String> jobArgs, Path log) {
    ProcessBuilder builder = new ProcessBuilder(command(jobArgs));
    LocalStandaloneCluster.sparkEnvironment(builder.environment(), sparkHome);
    return DriverProcess.start(builder, log);
  }
}
