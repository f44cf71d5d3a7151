package com.creditseg.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.creditseg.schema.CustomerSchema;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * R, F and M scores 1–5 by quintiles of the per-customer table, and the named R × F segment.
 *
 * <p>The quintile boundaries are the exact 20/40/60/80 % quantiles ({@code approxQuantile} with
 * relative error 0, on the per-customer table, which is bounded by customers, not transactions). A
 * value's score is 1 plus the number of boundaries strictly below it (F, M: higher is better);
 * recency is reversed (5 for the most recent). Ties are broken deterministically: equal values
 * always get equal scores, so a value shared by many customers (one purchase) puts them all in one
 * score, and some scores can then be empty.
 *
 * <p>Adds {@code r_score}, {@code f_score}, {@code m_score} (int), {@code rfm_cell} ("545"), {@code
 * rfm_score} (R + F + M, 3 to 15) and {@code rfm_segment}: the R × F map's name, or {@value
 * #RETURNS_ONLY} for a customer without a purchase.
 */
public final class RfmScorer {
  public static final String R_SCORE = "r_score";
  public static final String F_SCORE = "f_score";
  public static final String M_SCORE = "m_score";
  public static final String CELL = "rfm_cell";
  public static final String SCORE = "rfm_score";
  public static final String SEGMENT = "rfm_segment";

  /**
   * The segment of a customer who only returned goods in the period (no purchase: frequency 0). The
   * R × F map names customers by how recently and how often they buy; one who never bought is none
   * of its segments ("About to Sleep" with frequency 0 said nothing true).
   */
  public static final String RETURNS_ONLY = "Returns only";

  private static final double[] QUINTILES = {0.2, 0.4, 0.6, 0.8};

  private final RfmSegmentMap map;

  /** The quintile boundaries found, for metrics.json. */
  public record Boundaries(double[] recency, double[] frequency, double[] monetary) {}

  /** The scored customers and the boundaries used. */
  public record Scored(Dataset<Row> customers, Boundaries boundaries) {}

  public RfmScorer(RfmSegmentMap map) {
    this.map = map;
  }

  public Scored score(Dataset<Row> rfm) {
    List<String> columns =
        List.of(RfmCalculator.RECENCY, RfmCalculator.FREQUENCY, RfmCalculator.MONETARY);
    CustomerSchema.require(rfm, columns, "score RFM");
    double[][] q = rfm.stat().approxQuantile(columns.toArray(String[]::new), QUINTILES, 0.0);
    Boundaries b = new Boundaries(q[0], q[1], q[2]);
    return new Scored(apply(rfm, b), b);
  }

  /** Scores with given boundaries. */
  public Dataset<Row> apply(Dataset<Row> rfm, Boundaries b) {
    Column r = lit(5).minus(above(col(RfmCalculator.RECENCY), b.recency()));
    Column f = lit(1).plus(above(col(RfmCalculator.FREQUENCY), b.frequency()));
    Column m = lit(1).plus(above(col(RfmCalculator.MONETARY), b.monetary()));
    return rfm.withColumn(R_SCORE, r)
        .withColumn(F_SCORE, f)
        .withColumn(M_SCORE, m)
        .withColumn(
            CELL,
            concat(
                col(R_SCORE).cast("string"),
                col(F_SCORE).cast("string"),
                col(M_SCORE).cast("string")))
        .withColumn(SCORE, col(R_SCORE).plus(col(F_SCORE)).plus(col(M_SCORE)))
        .withColumn(
            SEGMENT,
            when(col(RfmCalculator.FREQUENCY).equalTo(0), lit(RETURNS_ONLY)).otherwise(map.name()));
  }

  /** How many of the boundaries lie strictly below the value (0 to 4); null stays null. */
  private static Column above(Column value, double[] boundaries) {
    Column n = lit(0);
    for (double q : boundaries) {
      n = n.plus(when(value.gt(q), 1).otherwise(0));
    }
    return when(value.isNotNull(), n).cast("int");
  }
}
