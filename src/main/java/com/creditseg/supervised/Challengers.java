package com.creditseg.supervised;

import static com.creditseg.supervised.TrainingPart.LABEL;
import static com.creditseg.supervised.TrainingPart.PD;
import static com.creditseg.supervised.TrainingPart.SEED;
import static com.creditseg.supervised.TrainingPart.WEIGHT;
import static com.creditseg.supervised.TrainingPart.balanced;
import static com.creditseg.supervised.TrainingPart.timed;
import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.when;

import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Balance;
import com.creditseg.config.SupervisedSettings.Boosting;
import com.creditseg.config.SupervisedSettings.Challenger;
import com.creditseg.config.SupervisedSettings.Forest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The tree challengers of the scorecard: an MLlib random forest and gradient-boosted trees on the
 * raw features, their hyperparameters from {@code model.supervised.random-forest} and {@code
 * model.supervised.gradient-boosted-trees}, their seed fixed so that reruns agree. Each is a
 * pipeline (categories indexed, unseen ones to an index of their own; the features assembled; the
 * classifier) fitted on the training part under the configured balance.
 *
 * <p>Reads the features and {@code _label} (and {@code _class_weight} under balance = weights).
 * Missing numeric values reach the trees as {@value #MISSING}, below every real value, so a tree
 * can split them off. Scoring adds {@code _pd}, the probability of default.
 */
final class Challengers {
  /** What a missing numeric value is to the tree challengers. */
  static final double MISSING = -1.0e9;

  private static final String VECTOR = "_raw";
  private static final String PROBABILITY = "_probability";

  private final Balance balance;
  private final Forest forest;
  private final Boosting boosting;

  Challengers(SupervisedSettings settings) {
    this.balance = settings.balance();
    this.forest = settings.randomForest();
    this.boosting = settings.gradientBoostedTrees();
  }

  /** {@code kind} fitted on {@code train}'s {@code features}. */
  PipelineModel fit(Challenger kind, RiskModels.Features features, Dataset<Row> train) {
    return timed(
        kind.key(),
        () ->
            pipeline(kind, features)
                .fit(balanced(raw(train, features), balance))
                // A copy drops the training summary, which holds the session (not serializable).
                .copy(new ParamMap()));
  }

  /** {@code data} scored by a challenger fitted on {@code features}: {@code _pd} added. */
  static Dataset<Row> scored(PipelineModel model, RiskModels.Features features, Dataset<Row> data) {
    return probability(model, raw(data, features));
  }

  /** The challenger's probability of default as {@code _pd}, on features as the trees see them. */
  static Dataset<Row> probability(PipelineModel model, Dataset<Row> data) {
    return model
        .transform(data)
        .withColumn(PD, vector_to_array(col(PROBABILITY), "float64").getItem(1));
  }

  /** The features as the tree challengers see them: missing numbers as {@value #MISSING}. */
  private static Dataset<Row> raw(Dataset<Row> data, RiskModels.Features features) {
    Map<String, Column> filled = new LinkedHashMap<>();
    for (String c : features.numeric()) {
      Column x = col(c).cast("double");
      filled.put(c, when(x.isNull().or(isnan(x)), MISSING).otherwise(x));
    }
    return data.withColumns(filled);
  }

  private Pipeline pipeline(Challenger kind, RiskModels.Features features) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> inputs = new ArrayList<>(features.numeric());
    if (!features.categorical().isEmpty()) {
      String[] indexed =
          features.categorical().stream().map(c -> "_idx_" + c).toArray(String[]::new);
      stages.add(
          new StringIndexer()
              .setInputCols(features.categorical().toArray(String[]::new))
              .setOutputCols(indexed)
              .setHandleInvalid("keep"));
      inputs.addAll(List.of(indexed));
    }
    stages.add(
        new VectorAssembler().setInputCols(inputs.toArray(String[]::new)).setOutputCol(VECTOR));
    ProbabilisticClassifier<?, ?, ?> classifier = classifier(kind);
    classifier.setLabelCol(LABEL).setFeaturesCol(VECTOR).setProbabilityCol(PROBABILITY);
    stages.add(classifier);
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  private ProbabilisticClassifier<?, ?, ?> classifier(Challenger kind) {
    boolean weighted = balance == Balance.WEIGHTS;
    return switch (kind) {
      case RANDOM_FOREST -> {
        RandomForestClassifier rf =
            new RandomForestClassifier()
                .setNumTrees(forest.trees())
                .setMaxDepth(forest.maxDepth())
                .setMinInstancesPerNode(forest.minInstancesPerNode())
                .setSeed(SEED);
        yield weighted ? rf.setWeightCol(WEIGHT) : rf;
      }
      case GRADIENT_BOOSTED_TREES -> {
        GBTClassifier gbt =
            new GBTClassifier()
                .setMaxIter(boosting.maxIterations())
                .setMaxDepth(boosting.maxDepth())
                .setStepSize(boosting.stepSize())
                .setSeed(SEED);
        yield weighted ? gbt.setWeightCol(WEIGHT) : gbt;
      }
    };
  }
}
