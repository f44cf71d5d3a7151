package com.creditseg.model;

import com.creditseg.config.QualitySettings;
import com.creditseg.config.ScoreSettings;
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
 */
public record ModelManifest(
    int schemaVersion,
    String creditsegVersion,
    String runDate,
    String mapping,
    ScoreSettings.Method scoreMethod,
    List<String> required,
    Map<String, String> columnTypes,
    QualitySettings quality) {

  public ModelManifest {
    required = List.copyOf(required);
    columnTypes = Map.copyOf(columnTypes);
  }
}
