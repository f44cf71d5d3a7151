package com.creditseg.job;

import com.creditseg.config.ScoreSettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreCard;
import com.creditseg.segment.SegmentDistanceScore;
import com.creditseg.segment.SegmentModel;
import com.creditseg.stability.PopulationStability;
import com.creditseg.supervised.ScorecardModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * How a run scores and segments clean customers: the rule score, then the scorecard's points,
 * probability and reason codes when there is a scorecard ({@code scorecard} may be null), then the
 * segment. With score.method = segment-distance, credit_score comes from the segmentation and the
 * factor score is kept as factor_score.
 */
record Scoring(CreditScorer rules, ScorecardModel scorecard, ScoreSettings.Method method) {

  ScoreCard card() {
    return rules.card();
  }

  /** Adds the rule score, and the scorecard's columns when there is one. */
  Dataset<Row> score(Dataset<Row> clean) {
    Dataset<Row> scored = rules.score(clean);
    return scorecard == null ? scored : scorecard.score(scored);
  }

  /**
   * The fit sample's valid customers, scored: what the segmentation is fitted on, the population is
   * counted from and the profile's quartiles are computed from. Persisted (it is bounded by
   * segment.fit-sample-rows), with the columns those read, and {@code riskEvent} when given.
   */
  Dataset<Row> fitSample(Dataset<Row> clean, List<String> features, Optional<Column> riskEvent) {
    Set<String> columns = new LinkedHashSet<>(features);
    columns.add(CreditScorer.SCORE);
    columns.add(CustomerSchema.CUSTOMER_ID);
    if (scorecard != null) {
      // For the model bundle's population (the stability check's reference).
      columns.addAll(PopulationStability.MODEL_OUTPUTS);
    }
    List<Column> selected = new ArrayList<>(columns.stream().map(functions::col).toList());
    riskEvent.ifPresent(selected::add);
    return score(clean)
        .select(selected.toArray(Column[]::new))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** Scored customers with their segment (and the segment-distance score when it is the method). */
  Dataset<Row> segmented(SegmentModel model, Dataset<Row> scored) {
    Dataset<Row> assigned = model.assign(scored);
    return segmentsScore()
        ? new SegmentDistanceScore(model, card().min(), card().max()).apply(assigned)
        : assigned;
  }

  /**
   * Scored customers as the population is counted from: segmented only when the segments give the
   * score (the features and the scorecard's outputs do not need the assignment).
   */
  Dataset<Row> forPopulation(SegmentModel model, Dataset<Row> scored) {
    return segmentsScore() ? segmented(model, scored) : scored;
  }

  private boolean segmentsScore() {
    return method == ScoreSettings.Method.SEGMENT_DISTANCE;
  }
}
