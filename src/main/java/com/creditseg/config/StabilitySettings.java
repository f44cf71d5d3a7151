package com.creditseg.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * {@code stability.*}: which earlier run a run is compared with, the PSI thresholds of the
 * verdicts, and whether a significant shift fails the run (after committing it).
 *
 * @param previousRun {@code auto} (the latest committed run of an earlier date under output.path),
 *     {@code none}, or a run directory
 */
public record StabilitySettings(
    String previousRun, double investigate, double significant, boolean failOnSignificant) {
  public static final String AUTO = "auto";
  public static final String NONE = "none";

  static StabilitySettings from(Config config) {
    String previous =
        Checks.nonEmpty(config, "stability.previous-run", "auto, none or a run directory");
    double investigate = Checks.doubleIn(config, "stability.psi-investigate", 1e-9, 10);
    double significant = Checks.doubleIn(config, "stability.psi-significant", 1e-9, 10);
    if (!(investigate < significant)) {
      throw new InvalidSettingsException(
          "stability.psi-investigate = "
              + investigate
              + " must be below stability.psi-significant = "
              + significant);
    }
    String failOn = Checks.oneOf(config, "stability.fail-on", List.of("none", "significant"));
    return new StabilitySettings(
        previous.trim(), investigate, significant, failOn.equals("significant"));
  }
}
