package com.creditseg.rfm;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import com.creditseg.config.RfmSettings.Loyalty;
import com.creditseg.sample.IdHashSample;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.TransactionSchema;
import com.creditseg.supervised.ModelValidation;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF5;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who comes back: a classifier of {@code came_back} (a purchase on or after the cutoff) from the
 * RFM features as of the cutoff ({@link RfmCalculator#asOfCutoff}), so nothing from after the
 * cutoff is a feature. Customers are split by a hash of their id into training and held-out sets
 * ({@code rfm.loyalty.test-share}). Fitted: MLlib logistic regression (on standardised log
 * features), MLlib gradient-boosted trees, and a brute-force k-nearest-neighbours baseline ({@link
 * KnnBaseline}, trained on an id-hash sample of at most {@code knn.max-train-rows} training
 * customers and evaluated on at most as many held-out customers, since each query scans every
 * training row). Each is reported with held-out accuracy, ROC AUC, precision and recall at {@code
 * threshold}, beside the accuracy of always predicting the majority class.
 *
 * <p>The {@code predictor} model is then applied to every customer's features as of the snapshot:
 * {@code p_loyal} is the probability of a purchase within the next horizon.
 */
public final class LoyaltyModel {
  public static final String P_LOYAL = "p_loyal";
  private static final Logger LOG = LoggerFactory.getLogger(LoyaltyModel.class);
  private static final String VECTOR = "_loyalty_features";
  private static final String LABEL = "_label";
  private static final String P = "_p";
  private static final String IS_TEST = "_is_test";
  private static final String[] LOG_FEATURES = {
    "_log_recency", "_log_frequency", "_log_monetary", "_log_tenure", "_log_returns"
  };

  private final Loyalty settings;

  /** One model's held-out figures; {@code testRows} is the customers it was evaluated on. */
  public record Evaluation(
      String model,
      long testRows,
      double accuracy,
      double rocAuc,
      double precision,
      double recall) {}

  /** What metrics.json says about the loyalty model. */
  public record Report(
      String cutoff,
      int horizonDays,
      long trainRows,
      long testRows,
      double positiveShare,
      int majorityClass,
      double majorityAccuracy,
      String predictor,
      double threshold,
      int knnTrainRows,
      List<Evaluation> models,
      String note) {}

  /** The report and the customers with {@code p_loyal} (null when no model could be fitted). */
  public record Result(Report report, Dataset<Row> customers) {}

  public LoyaltyModel(Loyalty settings) {
    this.settings = settings;
  }

  /**
   * @param history one row per customer active before the cutoff: the features as of the cutoff and
   *     came_back
   * @param customers every customer with the features as of the snapshot; gains p_loyal
   */
  public Result fit(Dataset<Row> history, Dataset<Row> customers, LocalDate cutoff) {
    List<String> needed = new ArrayList<>(RfmCalculator.FEATURES);
    CustomerSchema.require(customers, needed, "predict loyalty");
    needed.add(RfmCalculator.CAME_BACK);
    CustomerSchema.require(history, needed, "fit the loyalty model");
    Dataset<Row> prepared = prepare(history).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Split split = Split.count(prepared);
      if (!split.canFit()) {
        String note =
            String.format(
                "no model fitted: %d training customers (%.0f came back), %d held out",
                split.trainRows(), split.trainPositives(), split.testRows());
        LOG.warn("Loyalty model: {}", note);
        return new Result(
            report(cutoff, split, 0, List.of(), note),
            customers.withColumn(P_LOYAL, lit(null).cast("double")));
      }
      Dataset<Row> train = prepared.filter(col(IS_TEST).equalTo(false));
      Dataset<Row> held = prepared.filter(col(IS_TEST));
      // One partition: the scaler's moments and the regression's gradients are sums merged on the
      // driver in the order tasks finish, which moves their last bits between two runs.
      Column logistic = logisticProbability(logistic().fit(train.coalesce(1)));
      PipelineModel gbt = gbt().fit(train);
      KnnBaseline knn = knn(train);
      UserDefinedFunction knnUdf = knnUdf(history.sparkSession(), knn);
      List<Evaluation> models =
          List.of(
              evaluate("logistic_regression", held.withColumn(P, logistic)),
              evaluate("gradient_boosted_trees", probability(gbt.transform(held))),
              evaluate(
                  "knn",
                  knnHeld(held, split.testRows()).withColumn(P, knnUdf.apply(logColumns()))));
      models.forEach(m -> log(m, split));
      Dataset<Row> features = assemble(customers);
      Dataset<Row> predicted =
          switch (settings.predictor()) {
            case "logistic" -> features.withColumn(P, logistic);
            case "knn" -> features.withColumn(P, knnUdf.apply(logColumns()));
            default -> probability(gbt.transform(features));
          };
      return new Result(report(cutoff, split, knn.trainRows(), models, null), pLoyal(predicted));
    } finally {
      prepared.unpersist();
    }
  }

  /**
   * The customers' log features and their vector, the label, and which side of the split each is
   * on: {@code rfm.loyalty.test-share} of the hash buckets of (id, seed) are held out. In a layout
   * that depends on neither the input's partitioning nor its order: the boosted trees sample their
   * split candidates per partition, and the regression's sums follow the order of the rows (the
   * logistic pipeline reads one partition, see {@link #fit}).
   */
  private Dataset<Row> prepare(Dataset<Row> history) {
    // Not IdHashSample's buckets: a split of its own (seeded, 10,000 buckets), independent of
    // every other id-hash sample of the same customers.
    Column test =
        pmod(xxhash64(col(TransactionSchema.CUSTOMER_ID), lit(settings.seed())), lit(10_000))
            .lt(Math.round(settings.testShare() * 10_000));
    return IdHashSample.stableLayout(
        assemble(history)
            .withColumn(LABEL, col(RfmCalculator.CAME_BACK).cast("double"))
            .withColumn(IS_TEST, test),
        history.count());
  }

  /** Customers on each side of the split, and how many of them came back. */
  private record Split(long trainRows, long testRows, double trainPositives, double testPositives) {
    static Split count(Dataset<Row> prepared) {
      Column test = col(IS_TEST);
      Row counts =
          prepared
              .agg(
                  sum(when(test, 0).otherwise(1)).as("train_rows"),
                  sum(when(test, 1).otherwise(0)).as("test_rows"),
                  sum(when(test, col(LABEL)).otherwise(0)).as("test_positives"),
                  sum(when(test, 0).otherwise(col(LABEL))).as("train_positives"))
              .first();
      return new Split(
          longOrZero(counts, "train_rows"),
          longOrZero(counts, "test_rows"),
          doubleOrZero(counts, "train_positives"),
          doubleOrZero(counts, "test_positives"));
    }

    double positiveShare() {
      return testRows == 0 ? 0 : testPositives / testRows;
    }

    int majority() {
      return positiveShare() >= 0.5 ? 1 : 0;
    }

    double majorityAccuracy() {
      return testRows == 0 ? 0 : Math.max(positiveShare(), 1 - positiveShare());
    }

    /** Both classes among the training customers, and someone held out. */
    boolean canFit() {
      return !(testRows == 0 || trainPositives == 0 || trainPositives == trainRows);
    }
  }

  private Report report(
      LocalDate cutoff, Split split, int knnTrainRows, List<Evaluation> models, String note) {
    return new Report(
        cutoff.toString(),
        settings.horizonDays(),
        split.trainRows(),
        split.testRows(),
        split.positiveShare(),
        split.majority(),
        split.majorityAccuracy(),
        settings.predictor(),
        settings.threshold(),
        knnTrainRows,
        models,
        note);
  }

  /**
   * The kNN baseline on at most {@code knn.max-train-rows} training customers: the first by a hash
   * of (id, seed + 1), collected to the driver.
   */
  private KnnBaseline knn(Dataset<Row> train) {
    List<Row> rows =
        train
            .orderBy(xxhash64(col(TransactionSchema.CUSTOMER_ID), lit(settings.seed() + 1)))
            .limit(settings.knnMaxTrainRows())
            .select(logColumns(LABEL))
            .collectAsList();
    double[][] points = new double[rows.size()][];
    double[] labels = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      points[i] = new double[LOG_FEATURES.length];
      for (int j = 0; j < LOG_FEATURES.length; j++) {
        points[i][j] = rows.get(i).<Double>getAs(LOG_FEATURES[j]);
      }
      labels[i] = rows.get(i).<Double>getAs(LABEL);
    }
    return new KnnBaseline(points, labels, settings.knnK());
  }

  /**
   * The held-out customers kNN is evaluated on, each query scanning every training row: all of them
   * up to {@code knn.max-train-rows}, else about that many by a hash of (id, seed + 2), which, like
   * the split's, is not IdHashSample's unseeded bucket.
   */
  private Dataset<Row> knnHeld(Dataset<Row> held, long testRows) {
    long target = settings.knnMaxTrainRows();
    return testRows <= target
        ? held
        : held.filter(
            pmod(
                    xxhash64(col(TransactionSchema.CUSTOMER_ID), lit(settings.seed() + 2)),
                    lit(1_000_000))
                .lt(Math.round(1_000_000.0 * target / testRows)));
  }

  private void log(Evaluation m, Split split) {
    LOG.info(
        "Loyalty {}: accuracy {} AUC {} precision {} recall {} on {} held-out customers"
            + " (majority class {}: accuracy {})",
        m.model(),
        m.accuracy(),
        m.rocAuc(),
        m.precision(),
        m.recall(),
        m.testRows(),
        split.majority(),
        split.majorityAccuracy());
  }

  /** {@code _p} renamed p_loyal, and the model's work columns dropped. */
  private static Dataset<Row> pLoyal(Dataset<Row> predicted) {
    List<String> drop = new ArrayList<>(List.of(LOG_FEATURES));
    drop.addAll(List.of(VECTOR, "_scaled", "rawPrediction", "probability", "prediction"));
    return predicted.withColumnRenamed(P, P_LOYAL).drop(drop.toArray(String[]::new));
  }

  private static long longOrZero(Row row, String name) {
    Long value = row.getAs(name);
    return value == null ? 0 : value;
  }

  private static double doubleOrZero(Row row, String name) {
    Double value = row.getAs(name);
    return value == null ? 0 : value;
  }

  /** log(1 + x) of each feature (monetary floored at 0), and their vector. */
  private static Dataset<Row> assemble(Dataset<Row> rows) {
    List<String> f = RfmCalculator.FEATURES;
    Dataset<Row> logged = rows;
    for (int j = 0; j < f.size(); j++) {
      Column x = col(f.get(j)).cast("double");
      if (f.get(j).equals(RfmCalculator.MONETARY)) {
        x = greatest(x, lit(0.0));
      }
      logged = logged.withColumn(LOG_FEATURES[j], log1p(x));
    }
    return new VectorAssembler()
        .setInputCols(LOG_FEATURES)
        .setOutputCol(VECTOR)
        .setHandleInvalid("keep")
        .transform(logged);
  }

  private static Column[] logColumns(String... more) {
    List<Column> c = new ArrayList<>();
    for (String f : LOG_FEATURES) {
      c.add(col(f));
    }
    for (String m : more) {
      c.add(col(m));
    }
    return c.toArray(Column[]::new);
  }

  private Pipeline logistic() {
    StandardScaler scaler =
        new StandardScaler().setInputCol(VECTOR).setOutputCol("_scaled").setWithMean(true);
    LogisticRegression lr =
        new LogisticRegression()
            .setFeaturesCol("_scaled")
            .setLabelCol(LABEL)
            .setMaxIter(settings.logisticMaxIterations())
            .setRegParam(settings.logisticRegParam());
    return new Pipeline().setStages(new PipelineStage[] {scaler, lr});
  }

  /**
   * The fitted scaler and logistic regression as native column arithmetic: sigmoid(b + w · (x -
   * mean) / std). The model's own transform would ship its training summary, which holds the
   * session, into every task (Task not serializable in Spark 4.1), and arithmetic is cheaper.
   */
  private static Column logisticProbability(PipelineModel fitted) {
    StandardScalerModel scaler = (StandardScalerModel) fitted.stages()[0];
    LogisticRegressionModel lr = (LogisticRegressionModel) fitted.stages()[1];
    double[] mean = scaler.mean().toArray();
    double[] std = scaler.std().toArray();
    double[] w = lr.coefficients().toArray();
    Column z = lit(lr.intercept());
    for (int j = 0; j < LOG_FEATURES.length; j++) {
      if (std[j] > 0) {
        z = z.plus(col(LOG_FEATURES[j]).minus(mean[j]).multiply(w[j] / std[j]));
      }
    }
    return lit(1.0).divide(lit(1.0).plus(functions.exp(functions.negate(z))));
  }

  private Pipeline gbt() {
    GBTClassifier gbt =
        new GBTClassifier()
            .setFeaturesCol(VECTOR)
            .setLabelCol(LABEL)
            .setMaxIter(settings.gbtMaxIterations())
            .setMaxDepth(settings.gbtMaxDepth())
            .setSeed(settings.seed());
    return new Pipeline().setStages(new PipelineStage[] {gbt});
  }

  private static Dataset<Row> probability(Dataset<Row> transformed) {
    return transformed.withColumn(P, vector_to_array(col("probability"), "float64").getItem(1));
  }

  /** kNN's probability of the five log features, the model broadcast to the executors once. */
  private static UserDefinedFunction knnUdf(SparkSession spark, KnnBaseline model) {
    Broadcast<KnnBaseline> knn =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
    return functions.udf(
        (UDF5<Double, Double, Double, Double, Double, Double>)
            (a, b, c, d, e) ->
                a == null || b == null || c == null || d == null || e == null
                    ? null
                    : knn.value().probability(new double[] {a, b, c, d, e}),
        DataTypes.DoubleType);
  }

  /**
   * Held-out accuracy, ROC AUC, precision and recall of the probability in {@code _p}. Not {@link
   * ModelValidation}, which would change these figures: its AUC is exact where MLlib's evaluator
   * bins the ROC (1,000 bins) once the scores have 2,000 distinct values, its confusion matrix is
   * at the cost-minimising cutoff rather than {@code rfm.loyalty.threshold}, and it fails on a
   * held-out set of one class.
   */
  private Evaluation evaluate(String name, Dataset<Row> scored) {
    Column predicted = when(col(P).geq(settings.threshold()), 1.0).otherwise(0.0);
    Column label = col(LABEL);
    Row r =
        scored
            .agg(
                count(lit(1)).as("n"),
                sum(when(predicted.equalTo(label), 1).otherwise(0)).as("correct"),
                sum(predicted.multiply(label)).as("true_positives"),
                sum(predicted).as("predicted_positives"),
                sum(label).as("positives"))
            .first();
    long n = r.getAs("n");
    double correct = longOrZero(r, "correct");
    double truePositives = doubleOrZero(r, "true_positives");
    double predictedPositives = doubleOrZero(r, "predicted_positives");
    double positives = doubleOrZero(r, "positives");
    double auc =
        new BinaryClassificationEvaluator()
            .setRawPredictionCol(P)
            .setLabelCol(LABEL)
            .setMetricName("areaUnderROC")
            .evaluate(scored);
    return new Evaluation(
        name,
        n,
        n == 0 ? 0 : correct / n,
        auc,
        predictedPositives == 0 ? 0 : truePositives / predictedPositives,
        positives == 0 ? 0 : truePositives / positives);
  }
}
