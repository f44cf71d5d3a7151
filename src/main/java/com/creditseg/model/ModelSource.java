package com.creditseg.model;

import com.creditseg.config.SegmentSettings;
import com.creditseg.config.Settings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.RiskOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Where a run's model comes from: fitted on the run's own customers ({@code run}), or applied from
 * a saved bundle ({@code score}), whose credit score card, imputation medians, quality rules,
 * centres, labels, scorecard and training population are used instead of fitting: no k search, no
 * refit, no supervised models. Everything else (reading, validation, quarantine, reconciliation,
 * outputs, metrics, report) is the same for both.
 */
public sealed interface ModelSource permits ModelSource.Fitted, ModelSource.Applied {

  /** {@code run}: everything is fitted on this run's customers. */
  record Fitted() implements ModelSource {}

  /** {@code score}: the saved {@code model} is applied. */
  record Applied(RunModel model) implements ModelSource {}

  /** The source for an optional saved model: applied when there is one, else fitted. */
  static ModelSource of(RunModel applied) {
    return applied == null ? new Fitted() : new Applied(applied);
  }

  /** The applied model, if this run applies one. */
  default Optional<RunModel> applied() {
    return this instanceof Applied a ? Optional.of(a.model()) : Optional.empty();
  }

  /**
   * The settings a run from this source works with: an applied model's quality rules and score
   * method replace the configured ones (the mapping, paths and everything else stay).
   */
  default Settings settingsFor(Settings settings) {
    if (!(this instanceof Applied a)) {
      return settings;
    }
    ModelManifest m = a.model().manifest();
    if (!m.mapping().equals(settings.input().mapping().name())) {
      LoggerFactory.getLogger(ModelSource.class)
          .warn(
              "The model was fitted on input mapped by '{}'; this input is mapped by '{}'",
              m.mapping(),
              settings.input().mapping().name());
    }
    return settings.withModelRules(m.quality(), m.scoreMethod());
  }

  /** The clustering features: the applied model's, or segment.features. */
  default List<String> features(SegmentSettings segment) {
    return applied().map(m -> m.segments().features()).orElseGet(segment::features);
  }

  /**
   * What the segments are ordered by, for the reader: the training default rate when the fit had
   * {@code trainingDefaultRates}, else the mean score; with an applied model, what it was ordered
   * by when it was fitted, and when.
   */
  default String orderedBy(Map<Integer, Double> trainingDefaultRates) {
    if (this instanceof Applied a) {
      String fitted = a.model().manifest().orderedBy();
      return (fitted == null ? "unrecorded" : fitted)
          + " (the applied model's order, from its run of "
          + a.model().manifest().runDate()
          + ")";
    }
    return trainingDefaultRates.isEmpty() ? RiskOrder.BY_SCORE : RiskOrder.BY_DEFAULT_RATE;
  }

  /** What the model bundle records as the order: the applied model's own, as it recorded it. */
  default String recordedOrder(Map<Integer, Double> trainingDefaultRates) {
    return this instanceof Applied a
        ? a.model().manifest().orderedBy()
        : orderedBy(trainingDefaultRates);
  }

  /**
   * The columns every valid customer must have (nulls are quarantined): customer_id and every
   * clustering feature but the score itself (score factors without columns are dropped, not
   * required), each with why, for the reader's message.
   */
  static Map<String, String> requiredBecause(List<String> features) {
    Map<String, String> required = new LinkedHashMap<>();
    required.put(CustomerSchema.CUSTOMER_ID, "the customer id");
    features.stream()
        .filter(f -> !f.equals(CreditScorer.SCORE))
        .forEach(
            f ->
                required.put(
                    f,
                    "a clustering feature: map a source column to it (input.mapping.columns."
                        + f
                        + ") or remove it from segment.features"));
    return required;
  }

  /**
   * The columns the input must have, checked with its header before any row is read: {@link
   * #requiredBecause}, and with an applied model the columns its credit score and scorecard read,
   * which it was fitted on and cannot do without.
   */
  default Map<String, String> presentBecause(List<String> features) {
    Map<String, String> required = requiredBecause(features);
    applied()
        .ifPresent(
            model -> {
              String why =
                  "read by the applied model's %s: map a source column to it"
                      + " (input.mapping.columns.%s)";
              model
                  .scoreCard()
                  .inputColumns()
                  .forEach(c -> required.putIfAbsent(c, String.format(why, "credit score", c)));
              if (model.scorecard() != null) {
                model
                    .scorecard()
                    .inputColumns()
                    .forEach(c -> required.putIfAbsent(c, String.format(why, "scorecard", c)));
              }
            });
    return required;
  }
}
