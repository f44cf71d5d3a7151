package com.creditseg.model;

import com.creditseg.config.InputSettings;
import com.creditseg.config.QualitySettings;
import com.creditseg.config.ScoreSettings;
import com.creditseg.schema.InputColumn;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreCard;
import com.creditseg.supervised.ScorecardModel;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a model bundle says about itself ({@code manifest.json}): the versions it was written with,
 * the run and input mapping it came from, and the rules a customer must pass to be scored with it
 * (the quality rules in force, the columns required, every column's type).
 *
 * @param schemaVersion {@link Versions#SCHEMA} of the creditseg that wrote it
 * @param columnTypes every column the model reads: Spark type names ({@code int}, {@code double},
 *     {@code string})
 * @param inputs every column the run read through its mapping, by canonical (or extra) name: where
 *     it came from, so that {@code serve} takes the source record as well as the canonical one
 *     (empty in bundles written before it was recorded)
 * @param sourceColumns the input's own columns, as the run read them (empty likewise)
 * @param orderedBy what the segments were ordered by from riskiest to safest ({@code RiskOrder};
 *     null in bundles written before it was recorded)
 */
public record ModelManifest(
    int schemaVersion,
    String creditsegVersion,
    String runDate,
    String mapping,
    ScoreSettings.Method scoreMethod,
    List<String> required,
    Map<String, String> columnTypes,
    QualitySettings quality,
    Map<String, InputColumn> inputs,
    List<String> sourceColumns,
    String orderedBy) {

  public ModelManifest {
    required = List.copyOf(required);
    columnTypes = Map.copyOf(columnTypes);
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    sourceColumns = sourceColumns == null ? List.of() : List.copyOf(sourceColumns);
  }

  /**
   * The manifest of a model fitted (or applied) by the run of {@code runDate}: every column the
   * credit score, the scorecard (may be null) and the clustering {@code features} read, typed as
   * the {@code mapping} reads them.
   *
   * @param read how each column was read, and {@code sourceColumns} the input's own header
   */
  public static ModelManifest of(
      String runDate,
      InputSettings.ColumnMapping mapping,
      ScoreSettings.Method scoreMethod,
      Set<String> required,
      QualitySettings quality,
      ScoreCard card,
      ScorecardModel scorecard,
      Collection<String> features,
      Map<String, InputColumn> read,
      List<String> sourceColumns,
      String orderedBy) {
    Set<String> columns = new TreeSet<>(required);
    columns.addAll(card.inputColumns());
    if (scorecard != null) {
      columns.addAll(scorecard.inputColumns());
    }
    columns.addAll(features);
    columns.remove(CreditScorer.SCORE);
    Map<String, String> types = new TreeMap<>();
    for (String c : columns) {
      types.put(c, mapping.typeOf(c).simpleString());
    }
    return new ModelManifest(
        Versions.SCHEMA,
        Versions.creditseg(),
        runDate,
        mapping.name(),
        scoreMethod,
        List.copyOf(required),
        types,
        quality,
        read,
        sourceColumns,
        orderedBy);
  }
}
