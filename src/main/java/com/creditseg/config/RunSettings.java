package com.creditseg.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * {@code run.*}: the business date whose output directory the run writes, and how old a lock on
 * that date may be before another run takes it over.
 */
public record RunSettings(LocalDate date, Duration lockTimeout) {

  static RunSettings from(Config config, LocalDate today) {
    String raw = Checks.nonEmpty(config, "run.date", "a date yyyy-MM-dd or 'today'");
    Duration lockTimeout =
        Checks.read(config, "run.lock-timeout", () -> config.getDuration("run.lock-timeout"));
    if (lockTimeout.isNegative() || lockTimeout.isZero()) {
      throw new InvalidSettingsException(
          "run.lock-timeout = " + lockTimeout + " is not valid: expected a positive duration");
    }
    if (raw.equals("today")) {
      return new RunSettings(today, lockTimeout);
    }
    try {
      return new RunSettings(LocalDate.parse(raw), lockTimeout);
    } catch (DateTimeParseException e) {
      throw new InvalidSettingsException(
          "run.date = '" + raw + "' is not valid: expected yyyy-MM-dd or 'today'", e);
    }
  }
}
