package com.creditseg.job;

import com.creditseg.config.InvalidSettingsException;
import com.creditseg.config.Settings;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code generate}: synthetic customers in the canonical schema as partitioned Parquet. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Write synthetic customers in the canonical schema as partitioned Parquet.",
      "With --kind transactions: synthetic purchase histories (transactions.generate.*)."
    })
final class GenerateCommand implements Runnable {
  @Mixin CommonOptions common;

  @Option(names = "--rows", paramLabel = "N", description = "Customers (generate.rows).")
  Long rows;

  @Option(names = "--output", paramLabel = "PATH", description = "Where (generate.output).")
  String output;

  @Option(names = "--seed", description = "Random seed (generate.seed).")
  Long seed;

  @Option(names = "--partitions", paramLabel = "N", description = "Files (generate.partitions).")
  Integer partitions;

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      description = "customers (default) or transactions.")
  String kind = "customers";

  @Option(
      names = "--customers",
      paramLabel = "N",
      description =
          "With --kind transactions: customers to simulate (transactions.generate.customers).")
  Long customers;

  @Override
  public void run() {
    if (kind.equals("transactions")) {
      generateTransactions();
      return;
    }
    if (!kind.equals("customers")) {
      throw new InvalidSettingsException(
          "--kind " + kind + " is not valid: expected customers or transactions");
    }
    if (customers != null) {
      throw new InvalidSettingsException("--customers is for --kind transactions; use --rows");
    }
    Settings settings = common.settings(overrides());
    if (settings.generate().output().isEmpty()) {
      throw new InvalidSettingsException(
          "generate.output is required: where to write customers (--output PATH)");
    }
    new GenerateJob(Sessions.get("creditseg generate"), settings.generate()).run();
  }

  private void generateTransactions() {
    if (rows != null) {
      throw new InvalidSettingsException(
          "--rows is for customers; with --kind transactions use --customers");
    }
    List<String> extra = new ArrayList<>();
    String p = "transactions.generate.";
    if (customers != null) {
      extra.add(p + "customers=" + customers);
    }
    if (output != null) {
      extra.add(p + "output=" + output);
    }
    if (seed != null) {
      extra.add(p + "seed=" + seed);
    }
    if (partitions != null) {
      extra.add(p + "partitions=" + partitions);
    }
    var settings = common.rfmSettings(extra).transactions().generate();
    if (settings.output().isEmpty()) {
      throw new InvalidSettingsException(
          "transactions.generate.output is required: where to write transactions (--output PATH)");
    }
    new GenerateJob(Sessions.get("creditseg generate transactions"), null)
        .runTransactions(settings);
  }

  private List<String> overrides() {
    List<String> extra = new ArrayList<>();
    if (rows != null) {
      extra.add("generate.rows=" + rows);
    }
    if (output != null) {
      extra.add("generate.output=" + output);
    }
    if (seed != null) {
      extra.add("generate.seed=" + seed);
    }
    if (partitions != null) {
      extra.add("generate.partitions=" + partitions);
    }
    return extra;
  }
}
