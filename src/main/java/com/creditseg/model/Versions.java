package com.creditseg.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The versions a model bundle is stamped with: creditseg's own (from the build) and the schema
 * version, which changes when the canonical columns or the bundle's layout change in a way an older
 * model cannot be read with.
 */
public final class Versions {
  /**
   * 1: the first versioned bundle (manifest.json, model.json beside the pipeline, segments.json,
   * medians.json and score-card.json).
   */
  public static final int SCHEMA = 1;

  private static final String CREDITSEG = load();

  private Versions() {}

  /** creditseg's version, as the build stamped it ({@code 0.1.0-SNAPSHOT}). */
  public static String creditseg() {
    return CREDITSEG;
  }

  private static String load() {
    try (InputStream in = Versions.class.getResourceAsStream("/com/creditseg/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read creditseg's version", e);
    }
  }
}
