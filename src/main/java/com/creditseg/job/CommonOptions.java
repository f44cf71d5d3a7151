package com.creditseg.job;

import com.creditseg.config.Settings;
import com.creditseg.config.SettingsLoader;
import java.io.File;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every subcommand takes: {@code --config}, {@code --set}, {@code --verbose}. */
final class CommonOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "HOCON config file over reference.conf; repeatable, later files win.")
  List<File> configs = new ArrayList<>();

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one setting, e.g. --set segment.k=auto; repeatable, wins over files.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--verbose", description = "Print stack traces and Spark's own logging.")
  boolean verbose;

  /** The settings from the files and overrides, then {@code extra} overrides (they win). */
  Settings settings(List<String> extra) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(extra);
    return new SettingsLoader().load(configs, all, LocalDate.now());
  }

  /** As {@link #settings}, with the transactions and rfm blocks (the rfm subcommand's). */
  com.creditseg.config.RfmRunSettings rfmSettings(List<String> extra) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(extra);
    return new SettingsLoader().loadRfm(configs, all, LocalDate.now());
  }
}
