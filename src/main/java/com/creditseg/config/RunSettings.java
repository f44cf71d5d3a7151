package com.creditseg.config;

import com.typesafe.config.Config;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** {@code run.*}: the business date whose output directory the run writes. */
public record RunSettings(LocalDate date) {

  static RunSettings from(Config config, LocalDate today) {
    String raw = Checks.nonEmpty(config, "run.date", "a date yyyy-MM-dd or 'today'");
    if (raw.equals("today")) {
      return new RunSettings(today);
    }
    try {
      return new RunSettings(LocalDate.parse(raw));
    } catch (DateTimeParseException e) {
      throw new InvalidSettingsException(
          "run.date = '" + raw + "' is not valid: expected yyyy-MM-dd or 'today'", e);
    }
  }
}
