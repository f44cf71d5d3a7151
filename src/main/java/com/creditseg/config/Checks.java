package com.creditseg.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.function.Supplier;

/** Typed reads from a validated config that fail with the key and the offending value. */
final class Checks {
  private Checks() {}

  static int intIn(Config config, String key, int min, int max) {
    int value = read(config, key, () -> config.getInt(key));
    if (value < min || value > max) {
      throw new InvalidSettingsException(
          String.format("%s = %d is out of range: expected %d to %d", key, value, min, max));
    }
    return value;
  }

  static long longAtLeast(Config config, String key, long min) {
    long value = read(config, key, () -> config.getLong(key));
    if (value < min) {
      throw new InvalidSettingsException(
          String.format("%s = %d is out of range: expected at least %d", key, value, min));
    }
    return value;
  }

  static double doubleIn(Config config, String key, double min, double max) {
    double value = read(config, key, () -> config.getDouble(key));
    if (!(value >= min && value <= max)) {
      throw new InvalidSettingsException(
          String.format("%s = %s is out of range: expected %s to %s", key, value, min, max));
    }
    return value;
  }

  static String oneOf(Config config, String key, List<String> allowed) {
    return oneOf(config, key, allowed, key);
  }

  /** Reads {@code key} from a sub-config; {@code fullKey} is what the message names. */
  static String oneOf(Config config, String key, List<String> allowed, String fullKey) {
    String value = read(config, key, () -> config.getString(key));
    if (!allowed.contains(value)) {
      throw new InvalidSettingsException(
          String.format("%s = '%s' is not valid: expected one of %s", fullKey, value, allowed));
    }
    return value;
  }

  static String nonEmpty(Config config, String key, String why) {
    String value = read(config, key, () -> config.getString(key)).trim();
    if (value.isEmpty()) {
      throw new InvalidSettingsException(key + " is required: " + why);
    }
    return value;
  }

  static <T> T read(Config config, String key, Supplier<T> getter) {
    try {
      return getter.get();
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      String raw = config.hasPath(key) ? config.getValue(key).render() : "(absent)";
      throw new InvalidSettingsException(
          String.format("%s = %s is not valid: %s", key, raw, e.getMessage()), e);
    } catch (ConfigException.Missing e) {
      throw new InvalidSettingsException(key + " is missing", e);
    }
  }
}
