package com.creditseg.supervised;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.creditseg.config.SupervisedSettings.Balance;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the supervised models' fits and validations share: their internal columns, the counts of a
 * part of the labelled customers, the training part as the models see it under a balance setting,
 * and the log line of a timed step.
 */
final class TrainingPart {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingPart.class);

  /** The label as a double, which MLlib's classifiers and evaluators read. */
  static final String LABEL = "_label";

  /** A model's probability of default. */
  static final String PD = "_pd";

  /** The class weight under balance = weights. */
  static final String WEIGHT = "_class_weight";

  /** The seed of the oversampling draw and of the tree challengers, so that reruns agree. */
  static final long SEED = 7;

  private TrainingPart() {}

  /** Rows and events (label 1) of {@code data}, in one job. */
  record Counts(long rows, long events) {
    /** Whether both classes are present. */
    boolean bothClasses() {
      return events != 0 && events != rows;
    }
  }

  static Counts counts(Dataset<Row> data) {
    Row r = data.agg(count(lit(1)).as("rows"), sum(col(LABEL)).as("events")).first();
    return new Counts(
        r.<Long>getAs("rows"),
        r.isNullAt(r.fieldIndex("events")) ? 0 : Math.round(r.<Double>getAs("events")));
  }

  /**
   * The training part as the models see it under {@code balance}: as it is, with {@code
   * _class_weight} (defaulters weigh non-defaulters / defaulters), or with defaulters drawn again
   * with replacement until the classes match.
   */
  static Dataset<Row> balanced(Dataset<Row> train, Balance balance) {
    if (balance == Balance.NONE) {
      return train;
    }
    Counts c = counts(train);
    double ratio = (double) (c.rows() - c.events()) / c.events();
    if (balance == Balance.WEIGHTS) {
      return train.withColumn(WEIGHT, when(col(LABEL).equalTo(1), ratio).otherwise(1.0));
    }
    Dataset<Row> defaulters = train.filter(col(LABEL).equalTo(1));
    return ratio > 1 ? train.union(defaulters.sample(true, ratio - 1, SEED)) : train;
  }

  /** Runs {@code step}, logging how long it took. */
  static <T> T timed(String what, Supplier<T> step) {
    long start = System.nanoTime();
    T result = step.get();
    LOG.info(
        "Supervised: {} in {} s", what, String.format("%.1f", (System.nanoTime() - start) / 1e9));
    return result;
  }
}
