package com.creditseg.report;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.ReasonCodeColumns;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * How often each score factor is a customer's reason code, per segment: {@code reason_code_1 …
 * reason_code_N} exploded with their position, nulls dropped, and grouped by segment rank and code
 * in Spark, so at most (segments × factors) rows reach the driver. Position 0 ({@code
 * reason_code_1}) is the primary reason, the factor that cost the most points. A run written before
 * the flat columns has them as one list column, {@code reason_codes}, counted the same way.
 */
final class ReasonCodeCounter {
  private ReasonCodeCounter() {}

  /** The one list column of the reason codes in runs written before the flat columns. */
  static final String LIST_BEFORE_FLAT_COLUMNS = "reason_codes";

  /**
   * @param segments rank and customers of every segment, riskiest first
   * @param factorOrder codes in the order to show them (the score's factors by weight); codes found
   *     in the data but not listed follow
   */
  static ReportData.ReasonCodes count(
      Dataset<Row> customers, List<ReportData.Segment> segments, List<String> factorOrder) {
    CustomerSchema.require(customers, List.of(SegmentModel.SEGMENT_RANK), "count reason codes");
    Optional<Column> reasons = codes(customers);
    List<Row> rows =
        reasons.isEmpty()
            ? List.of()
            : customers
                .select(col(SegmentModel.SEGMENT_RANK), posexplode(reasons.get()))
                .filter(col("col").isNotNull())
                .groupBy(col(SegmentModel.SEGMENT_RANK), col("col").as("code"))
                .agg(
                    sum(when(col("pos").equalTo(0), 1L).otherwise(0L)).as("primary"),
                    functions.count(lit(1)).as("any"))
                .collectAsList();

    Set<String> codes = new LinkedHashSet<>(factorOrder);
    rows.stream().map(r -> r.<String>getAs("code")).sorted().forEach(codes::add);
    List<String> order = List.copyOf(codes);
    Map<Integer, long[][]> byRank = new HashMap<>();
    for (Row r : rows) {
      long[][] counts =
          byRank.computeIfAbsent(
              r.<Integer>getAs(SegmentModel.SEGMENT_RANK), k -> new long[2][order.size()]);
      int i = order.indexOf(r.<String>getAs("code"));
      counts[0][i] += r.<Long>getAs("primary");
      counts[1][i] += r.<Long>getAs("any");
    }
    List<ReportData.SegmentReasons> result = new ArrayList<>();
    for (ReportData.Segment s : segments) {
      long[][] counts = byRank.getOrDefault(s.rank(), new long[2][order.size()]);
      result.add(
          new ReportData.SegmentReasons(
              s.rank(), s.customers(), boxed(counts[0]), boxed(counts[1])));
    }
    return new ReportData.ReasonCodes(order, result);
  }

  /**
   * A customer's reason codes as one array, nulls included: the flat columns, or an older run's
   * list column; none when the run wrote no reason codes (score.max-reason-codes = 0).
   */
  private static Optional<Column> codes(Dataset<Row> customers) {
    List<String> flat = ReasonCodeColumns.in(customers.columns(), CreditScorer.REASON_CODE);
    if (!flat.isEmpty()) {
      return Optional.of(array(flat.stream().map(functions::col).toArray(Column[]::new)));
    }
    return List.of(customers.columns()).contains(LIST_BEFORE_FLAT_COLUMNS)
        ? Optional.of(col(LIST_BEFORE_FLAT_COLUMNS))
        : Optional.empty();
  }

  private static List<Long> boxed(long[] values) {
    List<Long> out = new ArrayList<>();
    for (long v : values) {
      out.add(v);
    }
    return out;
  }
}
