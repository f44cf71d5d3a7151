package com.creditseg.supervised;

import static com.creditseg.supervised.TrainingPart.LABEL;
import static com.creditseg.supervised.TrainingPart.SEED;
import static com.creditseg.supervised.TrainingPart.WEIGHT;
import static com.creditseg.supervised.TrainingPart.balanced;
import static com.creditseg.supervised.TrainingPart.timed;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Balance;
import com.creditseg.config.SupervisedSettings.Boosting;
import com.creditseg.config.SupervisedSettings.Challenger;
import com.creditseg.config.SupervisedSettings.Engine;
import com.creditseg.config.SupervisedSettings.Forest;
import com.creditseg.schema.CustomerSchema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
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
 * The tree challengers of the scorecard: a random forest and gradient-boosted trees on the raw
 * features, their hyperparameters from {@code model.supervised.random-forest} and {@code
 * model.supervised.gradient-boosted-trees}, their seed fixed so that reruns agree, each fitted on
 * the training part under the configured balance by the kind's {@code engine}:
 *
 * <ul>
 *   <li>XGBoost ({@link XgboostChallenger}): the categories indexed (unseen ones to an index of
 *       their own), the training part collected to the driver (it is bounded by {@code
 *       model.supervised.sample-rows}) in customer id order, so that the trees do not depend on the
 *       input's partitioning, and trained there on as many threads as Spark has cores.
 *   <li>MLlib ({@link MllibChallenger}): a pipeline (categories indexed, features assembled, the
 *       classifier).
 * </ul>
 *
 * <p>Reads {@code customer_id}, the features and {@code _label} (and {@code _class_weight} under
 * balance = weights). Scoring adds {@code _pd}, the probability of default.
 */
final class Challengers {
  private static final String VECTOR = "_raw";
  private static final String INDEXED = "_idx_";

  private final Balance balance;
  private final Forest forest;
  private final Boosting boosting;

  Challengers(SupervisedSettings settings) {
    this.balance = settings.balance();
    this.forest = settings.randomForest();
    this.boosting = settings.gradientBoostedTrees();
  }

  /** {@code kind} fitted on {@code train}'s {@code features}. */
  ChallengerModel fit(Challenger kind, RiskModels.Features features, Dataset<Row> train) {
    Engine engine = kind == Challenger.RANDOM_FOREST ? forest.engine() : boosting.engine();
    return timed(
        kind.key(),
        () ->
            engine == Engine.XGBOOST
                ? xgboost(kind, features, balanced(train, balance))
                : mllib(kind, features, train));
  }

  private MllibChallenger mllib(Challenger kind, RiskModels.Features features, Dataset<Row> train) {
    List<PipelineStage> stages = new ArrayList<>(indexer(features));
    List<String> inputs = inputs(features);
    stages.add(
        new VectorAssembler().setInputCols(inputs.toArray(String[]::new)).setOutputCol(VECTOR));
    ProbabilisticClassifier<?, ?, ?> classifier = classifier(kind);
    classifier
        .setLabelCol(LABEL)
        .setFeaturesCol(VECTOR)
        .setProbabilityCol(MllibChallenger.PROBABILITY);
    stages.add(classifier);
    PipelineModel fitted =
        new Pipeline()
            .setStages(stages.toArray(PipelineStage[]::new))
            .fit(balanced(MllibChallenger.raw(train, features), balance))
            // A copy drops the training summary, which holds the session (not serializable).
            .copy(new ParamMap());
    return new MllibChallenger(fitted, features);
  }

  /** The categories indexed, unseen ones to an index of their own (no stage without any). */
  private static List<PipelineStage> indexer(RiskModels.Features features) {
    if (features.categorical().isEmpty()) {
      return List.of();
    }
    return List.of(
        new StringIndexer()
            .setInputCols(features.categorical().toArray(String[]::new))
            .setOutputCols(
                features.categorical().stream().map(c -> INDEXED + c).toArray(String[]::new))
            .setHandleInvalid("keep"));
  }

  /** The trees' inputs: the numeric features, then the indexed categories. */
  private static List<String> inputs(RiskModels.Features features) {
    List<String> inputs = new ArrayList<>(features.numeric());
    features.categorical().forEach(c -> inputs.add(INDEXED + c));
    return inputs;
  }

  private XgboostChallenger xgboost(
      Challenger kind, RiskModels.Features features, Dataset<Row> train) {
    PipelineModel categories =
        new Pipeline().setStages(indexer(features).toArray(PipelineStage[]::new)).fit(train);
    List<String> inputs = inputs(features);
    boolean weighted = balance == Balance.WEIGHTS;
    List<Column> read = new ArrayList<>();
    read.add(col(CustomerSchema.CUSTOMER_ID).cast("string"));
    read.add(col(LABEL));
    read.add(weighted ? col(WEIGHT).cast("double") : lit(1.0));
    inputs.forEach(c -> read.add(col(c).cast("double")));
    List<Row> rows =
        new ArrayList<>(
            categories.transform(train).select(read.toArray(Column[]::new)).collectAsList());
    // XGBoost's row sampling and its histogram sums follow the rows' order: by customer id, the
    // trees are the same whatever the input's partitioning. (Oversampling repeats a customer's
    // identical row, whose copies need no order among themselves.)
    rows.sort(Comparator.comparing(r -> r.getString(0)));

    int n = rows.size();
    int k = inputs.size();
    float[] x = new float[n * k];
    float[] label = new float[n];
    float[] weight = new float[n];
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      label[r] = (float) row.getDouble(1);
      weight[r] = (float) row.getDouble(2);
      for (int c = 0; c < k; c++) {
        x[r * k + c] = XgboostChallenger.value(row, 3 + c);
      }
    }
    int threads = Math.max(1, train.sparkSession().sparkContext().defaultParallelism());
    Map<String, Object> params = params(kind, k, defaultRate(label, weighted ? weight : null));
    params.put("nthread", threads);
    try {
      DMatrix dtrain = new DMatrix(x, n, k, Float.NaN);
      try {
        dtrain.setLabel(label);
        if (weighted) {
          dtrain.setWeight(weight);
        }
        int rounds = kind == Challenger.RANDOM_FOREST ? 1 : boosting.maxIterations();
        Booster booster = XGBoost.train(dtrain, params, rounds, Map.of(), null, null);
        try {
          booster.setAttr(XgboostChallenger.COLUMNS_ATTRIBUTE, String.join("\n", inputs));
          return new XgboostChallenger(categories, inputs, booster.toByteArray("json"));
        } finally {
          booster.dispose();
        }
      } finally {
        dtrain.dispose();
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost could not fit the " + kind.key() + " on " + n + " customers", e);
    }
  }

  /** XGBoost's parameters for {@code kind} on {@code k} features, the default rate {@code p}. */
  Map<String, Object> params(Challenger kind, int k, double p) {
    Map<String, Object> params = new HashMap<>();
    params.put("objective", "binary:logistic");
    params.put("tree_method", "hist");
    params.put("seed", (int) SEED);
    switch (kind) {
      case RANDOM_FOREST -> {
        // One round of parallel trees at learning rate 1 is XGBoost's random forest (it averages
        // them). With the base score at the training default rate p, every customer's gradient is
        // p - y and its hessian p(1 - p): a leaf's value, unshrunk without an L2 penalty, is its
        // default rate's distance from p over p(1 - p), so the averaged trees rank customers as
        // a forest of leaf default rates does; the split gain is the Gini forest's, and a
        // hessian sum of (n - 1/2) p(1 - p) is a child of at least n customers.
        params.put("num_parallel_tree", forest.trees());
        params.put("eta", 1.0);
        params.put("lambda", 0.0);
        params.put("base_score", p);
        params.put("max_depth", forest.maxDepth());
        params.put("min_child_weight", (forest.minInstancesPerNode() - 0.5) * p * (1 - p));
        params.put("subsample", forest.subsample());
        params.put("colsample_bynode", Forest.featureShare(k));
      }
      case GRADIENT_BOOSTED_TREES -> {
        params.put("max_depth", boosting.maxDepth());
        params.put("eta", boosting.stepSize());
      }
    }
    return params;
  }

  /** The share of defaulters among {@code label}, each counted by its {@code weight} if given. */
  private static double defaultRate(float[] label, float[] weight) {
    double events = 0;
    double total = 0;
    for (int i = 0; i < label.length; i++) {
      double w = weight == null ? 1 : weight[i];
      events += w * label[i];
      total += w;
    }
    return events / total;
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
