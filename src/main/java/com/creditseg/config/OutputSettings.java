package com.creditseg.config;

import com.typesafe.config.Config;

/** {@code output.*}: the root under which each run date's directory is written. */
public record OutputSettings(String path) {
  static OutputSettings from(Config config) {
    return new OutputSettings(config.getString("output.path").trim());
  }
}
