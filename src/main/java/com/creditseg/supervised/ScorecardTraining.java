package com.creditseg.supervised;

import static com.creditseg.supervised.TrainingPart.LABEL;
import static com.creditseg.supervised.TrainingPart.WEIGHT;
import static com.creditseg.supervised.TrainingPart.balanced;
import static com.creditseg.supervised.TrainingPart.timed;

import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Balance;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The scorecard as fitted on a training part: the {@link WoeBinning} of its features, then the
 * {@link ScorecardRegression} on their weights of evidence under a balance setting. The same for
 * the scorecard that scores, its balance trials and its cross-validation folds.
 */
final class ScorecardTraining {
  private final SupervisedSettings settings;

  ScorecardTraining(SupervisedSettings settings) {
    this.settings = settings;
  }

  /** The weight-of-evidence binning of {@code train}'s features. */
  WoeBinningModel binning(Dataset<Row> train, RiskModels.Features features) {
    return timed(
        "binning",
        () ->
            new WoeBinning(
                    settings.label(),
                    features.numeric(),
                    features.categorical(),
                    settings.binning())
                .fit(train));
  }

  /** The scorecard fitted on {@code train} with the configured balance. */
  ScorecardRegression.Card card(WoeBinningModel binning, Dataset<Row> train) {
    return timed("scorecard regression", () -> card(binning, train, settings.balance()));
  }

  /** The scorecard fitted on {@code train} with {@code balance}. */
  ScorecardRegression.Card card(WoeBinningModel binning, Dataset<Row> train, Balance balance) {
    // One partition: the regression's gradient sums are merged on the driver in the order its
    // tasks finish, so over several partitions (the oversampled copies are a second one) two runs
    // of the same input could differ in the last bits of every probability. The sample is
    // bounded, and each iteration is a small job either way.
    return new ScorecardRegression(LABEL, WEIGHT, settings.points())
        .fit(binning, balanced(binning.transform(train), balance).coalesce(1));
  }
}
