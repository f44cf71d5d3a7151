package com.creditseg.report;

import com.creditseg.schema.CustomerSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.stat.Correlation;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Pearson correlations between numeric columns, with MLlib's {@link Correlation} on an assembled
 * vector: one pass over the customers, a columns × columns matrix to the driver. Rows with a
 * missing value in any of the columns are left out.
 */
final class FeatureCorrelator {
  private static final String VECTOR = "_correlation_features";

  private FeatureCorrelator() {}

  static ReportData.Correlations correlate(Dataset<Row> customers, List<String> columns) {
    CustomerSchema.require(customers, columns, "correlate features");
    Dataset<Row> vectors =
        new VectorAssembler()
            .setInputCols(columns.toArray(String[]::new))
            .setOutputCol(VECTOR)
            .setHandleInvalid("skip")
            .transform(
                customers.select(columns.stream().map(customers::col).toArray(Column[]::new)));
    Matrix m = Correlation.corr(vectors, VECTOR).head().getAs(0);
    List<List<Double>> matrix = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      List<Double> row = new ArrayList<>();
      for (int j = 0; j < columns.size(); j++) {
        row.add(Numbers.round(m.apply(i, j), 3));
      }
      matrix.add(row);
    }
    return new ReportData.Correlations(columns, matrix);
  }
}
