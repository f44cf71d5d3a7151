package com.creditseg;

import com.creditseg.config.Settings;
import com.creditseg.config.SettingsLoader;
import java.io.File;
import java.time.LocalDate;
import java.util.List;

/**
 * The settings a test runs with: {@code reference.conf} (under any config files given) with {@code
 * key=value} overrides, loaded and validated as the job loads them, on {@link #TODAY}.
 */
public final class TestSettings {
  /** The day the tests' settings are loaded on, so a default run date is the same in every test. */
  public static final LocalDate TODAY = LocalDate.of(2026, 1, 31);

  private TestSettings() {}

  /** {@code reference.conf} with {@code overrides}. */
  public static Settings of(String... overrides) {
    return of(List.of(overrides));
  }

  /** {@code reference.conf} with {@code overrides}. */
  public static Settings of(List<String> overrides) {
    return of(List.of(), overrides);
  }

  /** {@code files} over {@code reference.conf}, with {@code overrides} over both. */
  public static Settings of(List<File> files, List<String> overrides) {
    return new SettingsLoader().load(files, overrides, TODAY);
  }
}
