package com.creditseg.report;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.creditseg.schema.CustomerSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Pearson correlations between numeric columns over an id-hash sample of at most {@value
 * ReportDataCollector#SAMPLE_ROWS} customers, which the caller takes and persists (everyone in
 * smaller runs; above it the estimates differ from the population's by about a thousandth, below
 * the three decimals shown), in compiled aggregations over these columns: the means, then the sums
 * of centred products of every pair (which include each column's sum of squares), so r = S_xy /
 * sqrt(S_xx S_yy) with nothing cancelling catastrophically. The products are summed at most {@code
 * spark.sql.codegen.maxFields} to an aggregation: Spark does not compile an aggregation with more
 * outputs than that into one whole-stage method, and 14 columns make 105 products. One row reaches
 * the driver per aggregation. (MLlib's {@code Correlation} takes two passes through RDDs; SQL's
 * {@code covar_samp} and {@code corr} were several times slower still, and {@code corr} fails on a
 * constant column under ANSI mode.) Rows with a missing value in any of the columns are left out; a
 * column with no variance correlates with nothing (null) and with itself 1.
 */
final class FeatureCorrelator {
  /** Spark's limit on a whole-stage compiled plan's output columns. */
  private static final String MAX_FIELDS = "spark.sql.codegen.maxFields";

  private FeatureCorrelator() {}

  /**
   * Over every row of {@code sample}: the customers, or above {@value
   * ReportDataCollector#SAMPLE_ROWS} of them the caller's {@link com.creditseg.sample.IdHashSample}
   * of that many, persisted (it is read once per aggregation).
   */
  static ReportData.Correlations correlate(Dataset<Row> sample, List<String> columns) {
    CustomerSchema.require(sample, columns, "correlate features");
    int n = columns.size();
    Column[] x = new Column[n];
    Column complete = lit(true);
    for (int i = 0; i < n; i++) {
      x[i] = col(columns.get(i)).cast("double");
      complete = complete.and(x[i].isNotNull()).and(isnan(x[i]).unary_$bang());
    }
    Column[] named = new Column[n];
    for (int i = 0; i < n; i++) {
      named[i] = x[i].as(name("x", i, i));
      x[i] = col(name("x", i, i));
    }
    return correlate(sample.filter(complete).select(named), x, columns);
  }

  private static ReportData.Correlations correlate(
      Dataset<Row> rows, Column[] x, List<String> columns) {
    int n = x.length;
    Column[] means = new Column[n];
    for (int i = 0; i < n; i++) {
      means[i] = avg(x[i]).as(name("mean", i, i));
    }
    Row m = rows.agg(means[0], Arrays.copyOfRange(means, 1, n)).first();
    Column[] centred = new Column[n];
    for (int i = 0; i < n; i++) {
      Double mean = m.getAs(name("mean", i, i));
      centred[i] = x[i].minus(mean == null ? 0 : mean);
    }
    List<Column> products = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        products.add(sum(centred[i].multiply(centred[j])).as(name("s", i, j)));
      }
    }
    int perAggregation =
        Math.max(1, Integer.parseInt(rows.sparkSession().conf().get(MAX_FIELDS, "100")));
    Map<String, Double> s = new HashMap<>();
    for (int from = 0; from < products.size(); from += perAggregation) {
      List<Column> part = products.subList(from, Math.min(products.size(), from + perAggregation));
      Row sums = rows.agg(part.get(0), part.subList(1, part.size()).toArray(Column[]::new)).first();
      for (String field : sums.schema().fieldNames()) {
        s.put(field, sums.getAs(field));
      }
    }

    List<List<Double>> matrix = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Double> row = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        if (i == j) {
          row.add(1.0);
          continue;
        }
        Double sxy = s.get(name("s", Math.min(i, j), Math.max(i, j)));
        Double sxx = s.get(name("s", i, i));
        Double syy = s.get(name("s", j, j));
        boolean defined = sxy != null && sxx != null && syy != null && sxx > 0 && syy > 0;
        row.add(defined ? Numbers.round(sxy / Math.sqrt(sxx * syy), 3) : null);
      }
      matrix.add(row);
    }
    return new ReportData.Correlations(columns, matrix);
  }

  private static String name(String statistic, int i, int j) {
    return statistic + "_" + i + "_" + j;
  }
}
