package com.creditseg.config;

import com.typesafe.config.Config;

/** {@code generate.*}: synthetic customers; see reference.conf for each value's meaning. */
public record GenerateSettings(
    long rows, int partitions, long seed, String output, double defaultRate, Faults faults) {

  /** Per-row probabilities of injected faults, each in [0, 1]. */
  public record Faults(
      double nullRate,
      double nanRate,
      double infinityRate,
      double negativeRate,
      double outOfRangeRate,
      double duplicateIdRate) {

    public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0);
  }

  static GenerateSettings from(Config config) {
    String output = config.getString("generate.output").trim();
    return new GenerateSettings(
        Checks.longAtLeast(config, "generate.rows", 1),
        Checks.intIn(config, "generate.partitions", 0, 1_000_000),
        Checks.read(config, "generate.seed", () -> config.getLong("generate.seed")),
        output.isEmpty() ? config.getString("input.path").trim() : output,
        Checks.doubleIn(config, "generate.default-rate", 0.001, 0.999),
        new Faults(
            rate(config, "null-rate"),
            rate(config, "nan-rate"),
            rate(config, "infinity-rate"),
            rate(config, "negative-rate"),
            rate(config, "out-of-range-rate"),
            rate(config, "duplicate-id-rate")));
  }

  private static double rate(Config config, String name) {
    return Checks.doubleIn(config, "generate.faults." + name, 0, 1);
  }
}
