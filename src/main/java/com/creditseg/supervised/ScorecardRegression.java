package com.creditseg.supervised;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.creditseg.config.SupervisedSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.stat.Correlation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scorecard's logistic regression on weights of evidence, and which features it keeps.
 *
 * <p>Every WoE points the same way (higher is safer), so every coefficient must be negative. A
 * positive one (a wrong sign) comes from collinearity: the feature's evidence is already carried by
 * others. The largest wrong coefficient is handled first. If the kept feature most correlated with
 * it (Pearson, over the training customers' WoE) has more information value, the feature leaves as
 * {@code collinear}. Otherwise the feature is the stronger: its weaker correlated features (|r| at
 * least {@value #MIN_CORRELATION}) leave as {@code collinear}, most correlated first, until its
 * sign is right; if none of that helps, they stay and the feature leaves as {@code wrong_sign}. So
 * a strong feature leaves only when removing weaker ones does not help. Every step removes a
 * feature for good, so the loop ends; what left and why is logged and in {@link Card#dropped}.
 *
 * <p>Reads the label and optional weight columns and the kept features' WoE columns of its input,
 * which should be one partition: the regression's sums are merged in the order of its tasks.
 *
 * <p>Not an {@code Estimator<ScorecardModel>}, unlike {@link WoeBinning}: an Estimator's model must
 * extend Spark's {@code Model} class, and {@link ScorecardModel} is a record (which can extend no
 * class) that the model bundle and {@code model.json} read and write with Jackson and that {@code
 * serve} applies without Spark; making it a Model would change the bundle's format and its readers.
 * Nor is the fit's result only a model: {@link Card} also says which features left and why, which
 * the report needs, and the fit's input is a fitted {@link WoeBinningModel} rather than a param.
 */
final class ScorecardRegression {
  private static final Logger LOG = LoggerFactory.getLogger(ScorecardRegression.class);
  private static final String FEATURES = "_woe_features";

  /** Below this |r| a weaker feature is not taken for the cause of another's wrong sign. */
  static final double MIN_CORRELATION = 0.3;

  /** Why a feature with enough information value is not in the scorecard. */
  record Dropped(String status, String note) {}

  /** The scorecard, its features in order, and the features that left with the reason. */
  record Card(Scorecard scorecard, List<String> kept, Map<String, Dropped> dropped) {}

  private final String label;
  private final String weight;
  private final SupervisedSettings.Points points;

  /**
   * @param label the label column (1 defaulted)
   * @param weight the weight column, read when the input has it
   */
  ScorecardRegression(String label, String weight, SupervisedSettings.Points points) {
    this.label = label;
    this.weight = weight;
    this.points = points;
  }

  Card fit(WoeBinningModel binning, Dataset<Row> train) {
    List<String> kept = new ArrayList<>(binning.kept().stream().map(FeatureBins::feature).toList());
    Map<String, Double> iv = new LinkedHashMap<>();
    binning.kept().forEach(t -> iv.put(t.feature(), t.iv()));
    Map<String, Dropped> dropped = new LinkedHashMap<>();
    Correlations correlations = null;
    if (kept.isEmpty()) {
      return constant(train, kept, dropped);
    }
    LogisticRegressionModel model = regression(binning, kept, train);
    while (true) {
      double[] b = model.coefficients().toArray();
      int worst = worstWrongSign(b);
      if (worst < 0) {
        Scorecard card = Scorecard.of(binning.keeping(kept).tables(), b, model.intercept(), points);
        return new Card(card, List.copyOf(kept), dropped);
      }
      String flipped = kept.get(worst);
      if (correlations == null) {
        correlations = new Correlations(binning.keeping(iv.keySet().stream().toList()), train);
      }
      Correlations r = correlations;
      String partner = r.closest(flipped, kept);
      if (partner != null && iv.get(partner) > iv.get(flipped)) {
        // The weaker of the pair is the feature itself.
        dropped.put(
            flipped,
            new Dropped(
                "collinear",
                String.format(
                    "coefficient %.4f of the wrong sign beside %s (r = %.2f), which has more"
                        + " information value (%.3f against %.3f)",
                    b[worst], partner, r.of(flipped, partner), iv.get(partner), iv.get(flipped))));
      } else {
        // The feature is the stronger: its weaker correlated features leave, most correlated
        // first, until its sign is right; if none of that helps, it leaves and they stay.
        List<String> weaker = weakerCorrelated(flipped, kept, iv, r);
        Refit helped = withoutWeaker(binning, train, flipped, kept, weaker);
        if (helped != null) {
          for (String w : kept) {
            if (!helped.kept().contains(w)) {
              dropped.put(
                  w,
                  new Dropped(
                      "collinear",
                      String.format(
                          "correlated with %s (r = %.2f), which has more information value"
                              + " (%.3f against %.3f) and had the wrong sign beside it",
                          flipped, r.of(flipped, w), iv.get(flipped), iv.get(w))));
              log(w, dropped.get(w));
            }
          }
          kept = helped.kept();
          model = helped.model();
          continue;
        }
        dropped.put(
            flipped,
            new Dropped(
                "wrong_sign",
                weaker.isEmpty()
                    ? String.format(
                        "coefficient %.4f of the wrong sign; no weaker feature is correlated with"
                            + " it (|r| >= %.1f)",
                        b[worst], MIN_CORRELATION)
                    : String.format(
                        "coefficient %.4f of the wrong sign, also without %s (its weaker"
                            + " correlated features)",
                        b[worst], String.join(", ", weaker))));
      }
      String leaving = flipped;
      kept.remove(leaving);
      log(leaving, dropped.get(leaving));
      if (kept.isEmpty()) {
        return constant(train, kept, dropped);
      }
      model = regression(binning, kept, train);
    }
  }

  /** The index of the largest positive (wrong-sign) coefficient, or -1 when there is none. */
  private static int worstWrongSign(double[] b) {
    int worst = -1;
    for (int i = 0; i < b.length; i++) {
      if (b[i] > 0 && (worst < 0 || b[i] > b[worst])) {
        worst = i;
      }
    }
    return worst;
  }

  /**
   * The kept features weaker than {@code feature} and correlated with it, most correlated first.
   */
  private static List<String> weakerCorrelated(
      String feature, List<String> kept, Map<String, Double> iv, Correlations r) {
    return kept.stream()
        .filter(f -> !f.equals(feature) && iv.get(f) < iv.get(feature))
        .filter(f -> Math.abs(r.of(feature, f)) >= MIN_CORRELATION)
        .sorted(Comparator.comparingDouble((String f) -> -Math.abs(r.of(feature, f))))
        .toList();
  }

  /** The features kept and the regression fitted on them. */
  private record Refit(List<String> kept, LogisticRegressionModel model) {}

  /**
   * Removes the {@code weaker} features one by one until {@code feature}'s coefficient has the
   * right sign; null when it never does.
   */
  private Refit withoutWeaker(
      WoeBinningModel binning,
      Dataset<Row> train,
      String feature,
      List<String> kept,
      List<String> weaker) {
    List<String> trial = new ArrayList<>(kept);
    for (String w : weaker) {
      trial.remove(w);
      LogisticRegressionModel refit = regression(binning, trial, train);
      if (refit.coefficients().apply(trial.indexOf(feature)) <= 0) {
        return new Refit(trial, refit);
      }
    }
    return null;
  }

  private static void log(String feature, Dropped why) {
    LOG.info("Scorecard: '{}' left the regression ({}): {}", feature, why.status(), why.note());
  }

  private Card constant(Dataset<Row> train, List<String> kept, Map<String, Dropped> dropped) {
    Row c = train.agg(count(lit(1)).as("rows"), sum(label).as("events")).first();
    long rows = c.<Long>getAs("rows");
    double events = c.isNullAt(c.fieldIndex("events")) ? 0 : c.<Double>getAs("events");
    LOG.warn("No feature reaches model.supervised.binning.min-iv: the scorecard is constant");
    return new Card(
        Scorecard.of(List.of(), new double[0], Math.log(events / (rows - events)), points),
        List.copyOf(kept),
        dropped);
  }

  private LogisticRegressionModel regression(
      WoeBinningModel binning, List<String> features, Dataset<Row> train) {
    LogisticRegression lr =
        new LogisticRegression()
            .setLabelCol(label)
            .setFeaturesCol(FEATURES)
            .setRegParam(0)
            .setMaxIter(100);
    if (List.of(train.columns()).contains(weight)) {
      lr.setWeightCol(weight);
    }
    return lr.fit(assembled(binning.keeping(features), train));
  }

  private static Dataset<Row> assembled(WoeBinningModel binning, Dataset<Row> train) {
    return new VectorAssembler()
        .setInputCols(binning.tables().stream().map(FeatureBins::woeColumn).toArray(String[]::new))
        .setOutputCol(FEATURES)
        .transform(train);
  }

  /** Pearson correlations of the features' WoE over the training rows. */
  private static final class Correlations {
    private final List<String> features;
    private final Matrix matrix;

    /** Over {@code binning}'s tables, which must all have WoE columns in {@code train}. */
    Correlations(WoeBinningModel binning, Dataset<Row> train) {
      features = binning.tables().stream().map(FeatureBins::feature).toList();
      matrix = Correlation.corr(assembled(binning, train), FEATURES).first().getAs(0);
    }

    double of(String a, String b) {
      return matrix.apply(features.indexOf(a), features.indexOf(b));
    }

    /** The feature of {@code among} most correlated with {@code feature} (null if none). */
    String closest(String feature, List<String> among) {
      String best = null;
      double bestR = 0;
      for (String other : among) {
        double r = Math.abs(of(feature, other));
        if (!other.equals(feature) && !Double.isNaN(r) && (best == null || r > bestR)) {
          best = other;
          bestR = r;
        }
      }
      return best;
    }
  }
}
