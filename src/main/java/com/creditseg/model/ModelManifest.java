package com.creditseg.model;

import com.creditseg.config.QualitySettings;
import com.creditseg.config.ScoreSettings;
import com.creditseg.schema.InputColumn;
import java.util.List;
import java.util.Map;

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
}
