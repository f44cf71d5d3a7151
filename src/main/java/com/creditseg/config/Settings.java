package com.creditseg.config;

import com.typesafe.config.Config;
import java.time.LocalDate;

/**
 * Every setting of a creditseg run: one immutable tree built once at start-up by {@link
 * SettingsLoader} and validated before Spark does any work. Steps receive their own sub-record.
 */
public record Settings(
    RunSettings run,
    InputSettings input,
    OutputSettings output,
    GenerateSettings generate,
    QualitySettings quality,
    ScoreSettings score,
    SegmentSettings segment,
    ProfileSettings profile,
    StabilitySettings stability,
    SupervisedSettings supervised) {

  static Settings from(Config config, LocalDate today) {
    InputSettings input = InputSettings.from(config);
    ScoreSettings score = ScoreSettings.from(config, input.mapping()::typeOf);
    return new Settings(
        RunSettings.from(config, today),
        input,
        OutputSettings.from(config),
        GenerateSettings.from(config),
        QualitySettings.from(config),
        score,
        SegmentSettings.from(config, input.mapping()::typeOf),
        ProfileSettings.from(config),
        StabilitySettings.from(config),
        SupervisedSettings.from(config, score.protectedAttributes()));
  }

  /** Fails unless the settings name an input and an output, as the run subcommand needs. */
  public Settings requireInputAndOutput() {
    if (input.path().isEmpty()) {
      throw new InvalidSettingsException(
          "input.path is required: where to read customers from (--set input.path=...)");
    }
    if (output.path().isEmpty()) {
      throw new InvalidSettingsException(
          "output.path is required: where to write results (--set output.path=...)");
    }
    return this;
  }

  /**
   * These settings with a saved model's quality rules and score method in place of the configured
   * ones ({@code score} applies a model with the rules it was fitted with); the mapping, paths and
   * everything else stay.
   */
  public Settings withModelRules(QualitySettings modelQuality, ScoreSettings.Method scoreMethod) {
    return new Settings(
        run,
        input,
        output,
        generate,
        modelQuality,
        new ScoreSettings(
            score.min(),
            score.max(),
            score.maxReasonCodes(),
            score.protectedAttributes(),
            score.factors(),
            scoreMethod),
        segment,
        profile,
        stability,
        supervised);
  }
}
