package com.creditseg.config;

import com.creditseg.schema.Names;
import com.creditseg.schema.TransactionSchema;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code transactions.*}: where transactions are read from and how their columns map onto {@link
 * TransactionSchema} (the same reader options as {@code input.*}), how times are parsed, what a
 * cancellation is, the quality gate, and the transaction generator.
 *
 * @param input path, format and CSV options as for customers; its mapping is unused (see {@code
 *     columns})
 * @param mappingName shown in error messages
 * @param columns canonical transaction column -> where it comes from (open map)
 * @param timeFormats patterns tried in order for a textual transaction_time
 */
public record TransactionSettings(
    InputSettings input,
    String mappingName,
    Map<String, InputSettings.ColumnSource> columns,
    List<String> timeFormats,
    String cancellationIdPattern,
    double maxQuarantinedShare,
    double maxIdShare,
    Generate generate) {

  /** {@code transactions.generate.*}; see reference.conf. */
  public record Generate(
      long customers,
      int partitions,
      long seed,
      String output,
      LocalDate startDate,
      int days,
      double purchasesPerYear,
      double lifetimeDays,
      double returnRate,
      double faultRate)
      implements Serializable {}

  static TransactionSettings from(Config config) {
    // The input block has the shape of input.*: read it with InputSettings, under its own name.
    Config inputBlock =
        config
            .getConfig("transactions.input")
            .withoutPath("mapping")
            .withFallback(
                ConfigFactory.parseString(
                    "mapping { name = x, columns {}, categories {}, extra-columns {} }"));
    InputSettings input;
    try {
      input = InputSettings.from(inputBlock.atPath("input"));
    } catch (InvalidSettingsException e) {
      throw new InvalidSettingsException("transactions." + e.getMessage(), e);
    }
    Map<String, InputSettings.ColumnSource> columns = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e :
        config.getObject("transactions.input.mapping.columns").entrySet()) {
      String key = "transactions.input.mapping.columns." + e.getKey();
      if (!TransactionSchema.columns().contains(e.getKey())) {
        throw new InvalidSettingsException(
            key
                + " maps to '"
                + e.getKey()
                + "', which is not a canonical transaction column"
                + Names.closest(e.getKey(), TransactionSchema.columns())
                    .map(c -> ": did you mean '" + c + "'?")
                    .orElse("")
                + " (one of "
                + String.join(", ", TransactionSchema.columns())
                + ")");
      }
      InputSettings.ColumnSource source = InputSettings.columnSource(key, e.getValue());
      if (source.dateFormat() != null && !e.getKey().equals(TransactionSchema.TRANSACTION_TIME)) {
        throw new InvalidSettingsException(key + ".date-format is only for transaction_time");
      }
      columns.put(e.getKey(), source);
    }
    List<String> formats =
        Checks.read(
            config,
            "transactions.date-formats",
            () -> config.getStringList("transactions.date-formats"));
    if (formats.isEmpty()) {
      throw new InvalidSettingsException(
          "transactions.date-formats is empty: give at least one pattern");
    }
    for (String f : formats) {
      try {
        DateTimeFormatter.ofPattern(f);
      } catch (IllegalArgumentException e) {
        throw new InvalidSettingsException(
            "transactions.date-formats: '" + f + "' is not a valid date pattern", e);
      }
    }
    String pattern = config.getString("transactions.cancellation-id-pattern");
    try {
      Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new InvalidSettingsException(
          "transactions.cancellation-id-pattern = '"
              + pattern
              + "' is not a regular expression: "
              + e.getDescription(),
          e);
    }
    return new TransactionSettings(
        input,
        config.getString("transactions.input.mapping.name"),
        Map.copyOf(columns),
        List.copyOf(formats),
        pattern,
        Checks.doubleIn(config, "transactions.max-quarantined-share", 0, 1),
        Checks.doubleIn(config, "transactions.max-id-share", 0, 1),
        generate(config));
  }

  private static Generate generate(Config config) {
    String p = "transactions.generate.";
    String start = config.getString(p + "start-date").trim();
    LocalDate startDate;
    try {
      startDate = LocalDate.parse(start);
    } catch (DateTimeParseException e) {
      throw new InvalidSettingsException(
          p + "start-date = '" + start + "' is not valid: expected yyyy-MM-dd", e);
    }
    return new Generate(
        Checks.longAtLeast(config, p + "customers", 1),
        Checks.intIn(config, p + "partitions", 0, 1_000_000),
        Checks.read(config, p + "seed", () -> config.getLong(p + "seed")),
        config.getString(p + "output").trim(),
        startDate,
        Checks.intIn(config, p + "days", 30, 36_500),
        Checks.doubleIn(config, p + "mean-purchases-per-year", 1e-3, 1e4),
        Checks.doubleIn(config, p + "mean-lifetime-days", 1, 1e6),
        Checks.doubleIn(config, p + "return-rate", 0, 0.5),
        Checks.doubleIn(config, p + "fault-rate", 0, 0.5));
  }

  /** Fails unless a transaction input and an output are named, as the rfm subcommand needs. */
  public void requirePaths(String outputPath) {
    if (input.path().isEmpty()) {
      throw new InvalidSettingsException(
          "transactions.input.path is required: where to read transactions from"
              + " (--set transactions.input.path=...)");
    }
    if (outputPath.isEmpty()) {
      throw new InvalidSettingsException(
          "output.path is required: where to write results (--set output.path=...)");
    }
  }
}
