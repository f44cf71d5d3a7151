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
    description = "Write synthetic customers in the canonical schema as partitioned Parquet.")
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

  @Override
  public void run() {
    Settings settings = common.settings(overrides());
    if (settings.generate().output().isEmpty()) {
      throw new InvalidSettingsException(
          "generate.output is required: where to write customers (--output PATH)");
    }
    new GenerateJob(Sessions.get("creditseg generate"), settings.generate()).run();
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
