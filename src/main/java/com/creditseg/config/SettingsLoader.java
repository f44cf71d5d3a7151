package com.creditseg.config;

import com.creditseg.schema.Names;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Builds {@link Settings} from {@code reference.conf}, config files (later files win) and {@code
 * key=value} overrides (which win over files), in the way Typesafe Config recommends: merge, check
 * against the reference, then read every value once. Unknown keys are rejected with the closest
 * valid key as a suggestion.
 */
public final class SettingsLoader {

  /** Keys below these paths are the user's to choose (see reference.conf, "open map"). */
  private static final List<String> OPEN_MAPS =
      List.of(
          "input.mapping.columns.",
          "input.mapping.categories.",
          "input.mapping.extra-columns.",
          "quality.columns.",
          "score.factors.",
          "segment.labels.",
          "segment.feature-weights.",
          "transactions.input.mapping.columns.",
          "rfm.kmeans.labels.");

  private final Config reference;

  public SettingsLoader() {
    this.reference = ConfigFactory.parseResources(SettingsLoader.class, "/reference.conf");
  }

  /** Loads, merges and validates; throws {@link InvalidSettingsException} naming the problem. */
  public Settings load(List<File> files, List<String> overrides, LocalDate today) {
    return Settings.from(merge(files, overrides), today);
  }

  /**
   * Loads, merges and validates for the rfm subcommand: the run's settings and the {@code
   * transactions} and {@code rfm} blocks.
   */
  public RfmRunSettings loadRfm(List<File> files, List<String> overrides, LocalDate today) {
    Config merged = merge(files, overrides);
    return new RfmRunSettings(
        Settings.from(merged, today), TransactionSettings.from(merged), RfmSettings.from(merged));
  }

  private Config merge(List<File> files, List<String> overrides) {
    Config user = ConfigFactory.empty();
    for (File file : files) {
      if (file.isDirectory()) {
        throw new InvalidSettingsException(
            "--config " + file + " is a directory; name a config file (.conf) in it");
      }
      if (!file.isFile()) {
        throw new InvalidSettingsException("Config file not found: " + file);
      }
      try {
        user =
            ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false))
                .withFallback(user);
      } catch (ConfigException e) {
        throw new InvalidSettingsException(
            "Cannot read config file " + file + ": " + includeProblem(e), e);
      }
    }
    for (String override : overrides) {
      user = parseOverride(override).withFallback(user);
    }
    rejectUnknownKeys(user);
    Config merged;
    try {
      merged = user.withFallback(reference).resolve();
      merged.checkValid(reference);
    } catch (ConfigException.ValidationFailed e) {
      String problems =
          StreamSupport.stream(e.problems().spliterator(), false)
              .map(p -> p.path() + ": " + p.problem())
              .collect(Collectors.joining("; "));
      throw new InvalidSettingsException("Invalid settings: " + problems, e);
    } catch (ConfigException e) {
      throw new InvalidSettingsException("Invalid settings: " + e.getMessage(), e);
    }
    return merged;
  }

  /**
   * What went wrong reading a config file, in a user's words: an include of a file that is not
   * there reaches Typesafe Config's classpath fallback last, whose message speaks of the classpath
   * and drops the path's leading slash.
   */
  private static String includeProblem(ConfigException e) {
    String message = String.valueOf(e.getMessage());
    Matcher m = Pattern.compile("resource not found on classpath: (\\S+)").matcher(message);
    if (e instanceof ConfigException.IO && m.find()) {
      return "it includes '"
          + m.group(1)
          + "' (or '/"
          + m.group(1)
          + "'), which is no file (relative to the including file, or absolute) and no resource;"
          + " check the path in its include";
    }
    return message;
  }

  /**
   * {@code key=value}. A value starting with {@code [} or {@code {} is parsed as HOCON (lists and
   * objects), and so is a quoted one ({@code "3"} is the text 3, which a number setting takes, as
   * Typesafe Config's getters do); anything else is taken literally, so paths such as {@code
   * s3a://bucket/x} survive.
   */
  static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new InvalidSettingsException(
          "--set '" + override + "' is not valid: expected key=value");
    }
    String key = override.substring(0, eq).trim();
    String value = override.substring(eq + 1).trim();
    try {
      ConfigValue parsed;
      boolean quoted = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"");
      if (value.startsWith("[") || value.startsWith("{") || quoted) {
        parsed = ConfigFactory.parseString("v = " + value).getValue("v");
      } else {
        parsed = ConfigValueFactory.fromAnyRef(value, "--set " + key);
      }
      return ConfigFactory.empty().withValue(key, parsed);
    } catch (ConfigException e) {
      throw new InvalidSettingsException(
          "--set '" + override + "' is not valid: " + e.getMessage(), e);
    }
  }

  private void rejectUnknownKeys(Config user) {
    for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
      String path = entry.getKey();
      if (reference.hasPathOrNull(path) || OPEN_MAPS.stream().anyMatch(path::startsWith)) {
        continue;
      }
      String where = Optional.ofNullable(entry.getValue().origin().description()).orElse("");
      throw new InvalidSettingsException(
          "Unknown key '"
              + path
              + "' ("
              + where
              + ")"
              + suggestion(path).map(s -> ": did you mean '" + s + "'?").orElse(""));
    }
  }

  private Optional<String> suggestion(String path) {
    return Names.closest(
        path,
        reference.entrySet().stream()
            .map(Map.Entry::getKey)
            .filter(k -> OPEN_MAPS.stream().noneMatch(k::startsWith))
            .toList());
  }
}
