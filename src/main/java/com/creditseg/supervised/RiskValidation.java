package com.creditseg.supervised;

import static com.creditseg.supervised.TrainingPart.LABEL;
import static com.creditseg.supervised.TrainingPart.PD;
import static com.creditseg.supervised.TrainingPart.timed;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;

import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Balance;
import com.creditseg.sample.HoldoutSplit;
import com.creditseg.score.CreditScorer;
import com.creditseg.supervised.RiskModels.BalanceTrial;
import com.creditseg.supervised.RiskModels.CrossValidation;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the supervised models are judged by, as opposed to what fits them: each model's {@link
 * ModelValidation} on the held-out customers (the rule score's PD being its place in the score
 * range), the scorecard's approval rates by protected group at its cutoff ({@link FairnessCheck}),
 * its balance trials and its cross-validation. Reads {@code _label} and {@code _pd}.
 */
final class RiskValidation {
  private static final Logger LOG = LoggerFactory.getLogger(RiskValidation.class);

  private final SupervisedSettings settings;
  private final ScorecardTraining training;
  private final ModelValidation validation;

  RiskValidation(SupervisedSettings settings, ScorecardTraining training) {
    this.settings = settings;
    this.training = training;
    this.validation =
        new ModelValidation(
            LABEL,
            PD,
            new ModelValidation.Costs(
                settings.costs().missedDefault(), settings.costs().refusedGood()));
  }

  /** The scorecard's held-out validation and, with protected groups, their approval rates. */
  record ScorecardCheck(ModelValidation.Result validation, FairnessCheck.Report fairness) {}

  /**
   * The scorecard's validation on {@code validScored} (the held-out customers with its {@code _pd})
   * and, when {@code protectedGroups} is not empty, their approval rates at its cutoff.
   */
  ScorecardCheck scorecard(Dataset<Row> validScored, List<String> protectedGroups) {
    ModelValidation.Result result =
        timed("scorecard validation", () -> validation.validate(validScored));
    return new ScorecardCheck(
        result,
        protectedGroups.isEmpty()
            ? null
            : new FairnessCheck(LABEL, PD, result.decision().cutoff())
                .check(validScored, protectedGroups));
  }

  /** The challenger {@code name}'s validation on the held-out customers. */
  ModelValidation.Result challenger(String name, ChallengerModel model, Dataset<Row> valid) {
    return timed(name + " validation", () -> validation.validate(model.probability(valid)));
  }

  /**
   * The rule score's validation on the held-out customers: its PD is its place in [{@code
   * scoreMin}, {@code scoreMax}], so only its ranking measures mean anything.
   */
  ModelValidation.Result ruleScore(Dataset<Row> valid, int scoreMin, int scoreMax) {
    double range = scoreMax - scoreMin;
    Column rulePd =
        least(
            lit(1.0),
            greatest(
                lit(0.0), lit((double) scoreMax).minus(col(CreditScorer.SCORE)).divide(range)));
    return timed("rule score validation", () -> validation.validate(valid.withColumn(PD, rulePd)));
  }

  /**
   * With balance = none and compare-balance on: the same scorecard fitted with the other balance
   * settings, and what they would change.
   */
  List<BalanceTrial> balanceTrials(
      WoeBinningModel binning, Dataset<Row> train, Dataset<Row> validWoe) {
    List<BalanceTrial> trials = new ArrayList<>();
    if (settings.compareBalance() && settings.balance() == Balance.NONE) {
      for (Balance b : List.of(Balance.WEIGHTS, Balance.OVERSAMPLE)) {
        ScorecardRegression.Card other = training.card(binning, train, b);
        Dataset<Row> scored = validWoe.withColumn(PD, other.scorecard().probability());
        double brier =
            scored
                .agg(avg(pow(col(PD).minus(col(LABEL)), 2)).as("brier"))
                .first()
                .<Double>getAs("brier");
        trials.add(new BalanceTrial(b, auc(scored), brier));
      }
      LOG.info("Supervised: balance trials {}", trials);
    }
    return trials;
  }

  /** The scorecard fitted on all folds but one and its AUC on that one, for each fold. */
  CrossValidation crossValidate(Dataset<Row> data, RiskModels.Features features) {
    return timed(
        "cross-validation",
        () -> {
          int folds = settings.crossValidationFolds();
          Column fold = HoldoutSplit.fold(folds);
          List<Double> aucs = new ArrayList<>();
          for (int k = 0; k < folds; k++) {
            Dataset<Row> train = data.filter(fold.notEqual(k));
            Dataset<Row> test = data.filter(fold.equalTo(k));
            WoeBinningModel binning = training.binning(train, features);
            ScorecardRegression.Card card = training.card(binning, train);
            aucs.add(auc(binning.transform(test).withColumn(PD, card.scorecard().probability())));
          }
          return new CrossValidation(
              folds,
              List.copyOf(aucs),
              aucs.stream().mapToDouble(Double::doubleValue).average().orElse(0));
        });
  }

  /** The ROC AUC of {@code _pd} (one MLlib evaluation: where the full validation is not needed). */
  private static double auc(Dataset<Row> scored) {
    return new BinaryClassificationEvaluator()
        .setLabelCol(LABEL)
        .setRawPredictionCol(PD)
        .setMetricName("areaUnderROC")
        .evaluate(scored);
  }
}
