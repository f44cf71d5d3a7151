package com.creditseg.supervised;

import static com.creditseg.supervised.TrainingPart.PD;
import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A challenger fitted by MLlib: its pipeline (categories indexed, features assembled, the
 * classifier), saved in MLlib's PipelineModel layout. Missing numeric values reach its trees as
 * {@value #MISSING}, below every real value, so a tree can split them off.
 *
 * @param pipeline the fitted pipeline, whose classifier writes {@value #PROBABILITY}
 * @param features the features it reads
 */
record MllibChallenger(PipelineModel pipeline, RiskModels.Features features)
    implements ChallengerModel {
  /** What a missing numeric value is to MLlib's trees. */
  static final double MISSING = -1.0e9;

  /** The classifier's probability vector column. */
  static final String PROBABILITY = "_probability";

  @Override
  public Dataset<Row> probability(Dataset<Row> data) {
    return pipeline
        .transform(raw(data, features))
        .withColumn(PD, vector_to_array(col(PROBABILITY), "float64").getItem(1));
  }

  @Override
  public MLWriter write() {
    return pipeline.write();
  }

  /** The features as MLlib's trees see them: missing numbers as {@value #MISSING}. */
  static Dataset<Row> raw(Dataset<Row> data, RiskModels.Features features) {
    Map<String, Column> filled = new LinkedHashMap<>();
    for (String c : features.numeric()) {
      Column x = col(c).cast("double");
      filled.put(c, when(x.isNull().or(isnan(x)), MISSING).otherwise(x));
    }
    return data.withColumns(filled);
  }
}
