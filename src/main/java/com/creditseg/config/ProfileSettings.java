package com.creditseg.config;

import com.typesafe.config.Config;

/** {@code profile.*}: how segment descriptions are generated. */
public record ProfileSettings(int descriptionFeatures, double descriptionMinDeviation) {
  static ProfileSettings from(Config config) {
    return new ProfileSettings(
        Checks.intIn(config, "profile.description-features", 1, 10),
        Checks.doubleIn(config, "profile.description-min-deviation", 1e-9, 100));
  }
}
