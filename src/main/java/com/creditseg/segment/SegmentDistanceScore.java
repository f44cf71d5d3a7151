package com.creditseg.segment;

import static org.apache.spark.sql.functions.*;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The credit score from the segmentation ({@code score.method = segment-distance}): the K segments
 * own equal bands of {@code [min, max]} in risk order (rank 1, the riskiest, the lowest band), each
 * {@code w = (max - min) / K} wide. Within its band a customer of rank r scores
 *
 * <pre>
 *   min + w * (r - 1) + w * (0.5 + up - down),   clamped to the band and rounded,
 *   up   = d_own / (d_own + d_safer)     (0 for the safest segment)
 *   down = d_own / (d_own + d_riskier)   (0 for the riskiest segment)
 * </pre>
 *
 * where {@code d_own} is the Euclidean distance in the clustering space to the customer's segment
 * centre and {@code d_safer}, {@code d_riskier} the distances to the centres of the segments ranked
 * next safer and next riskier. A customer at its own centre scores the middle of the band; one
 * halfway to the safer neighbour's centre (on the border) the top, less what the riskier neighbour
 * pulls. The factor score the segments were built on is kept as {@code factor_score}.
 */
public final class SegmentDistanceScore {
  public static final String FACTOR_SCORE = "factor_score";
  private static final String DISTANCES = "_centre_distances";

  private final SegmentModel model;
  private final int min;
  private final int max;

  public SegmentDistanceScore(SegmentModel model, int min, int max) {
    this.model = model;
    this.min = min;
    this.max = max;
  }

  /** Replaces {@code credit_score} of customers {@link SegmentModel#assign} has segmented. */
  public Dataset<Row> apply(Dataset<Row> assigned) {
    CustomerSchema.require(
        assigned,
        List.of(SegmentModel.CLUSTER, SegmentModel.SEGMENT_RANK, CreditScorer.SCORE),
        "score customers by segment distance");
    Map<String, Column> coordinates = model.coordinates();
    Column[] distances =
        Arrays.stream(
                model.squaredDistances(coordinates.keySet().stream().map(z -> col(z)).toList()))
            .map(d -> sqrt(d))
            .toArray(Column[]::new);
    List<Column> rankToCluster = new ArrayList<>();
    for (ClusterLabel l : model.labels()) {
      rankToCluster.add(lit(l.rank()));
      rankToCluster.add(lit(model.index(l.cluster()) + 1)); // element_at counts from 1
    }
    Column byRank = map(rankToCluster.toArray(Column[]::new));
    Column rank = col(SegmentModel.SEGMENT_RANK);
    Column own = element_at(col(DISTANCES), try_element_at(byRank, rank));
    Column up = share(own, neighbour(byRank, rank.plus(1)));
    Column down = share(own, neighbour(byRank, rank.minus(1)));
    double width = (double) (max - min) / model.labels().size();
    Column low = rank.minus(1).multiply(width).plus(min);
    Column score = low.plus(lit(0.5).plus(up).minus(down).multiply(width));
    Column banded = least(greatest(score, low), low.plus(width));
    return assigned
        .withColumn(FACTOR_SCORE, col(CreditScorer.SCORE))
        .withColumns(coordinates)
        .withColumn(DISTANCES, array(distances))
        .withColumn(
            CreditScorer.SCORE,
            when(col(SegmentModel.CLUSTER).isNotNull(), round(banded).cast("int")))
        .drop(DISTANCES)
        .drop(coordinates.keySet().toArray(String[]::new));
  }

  /** The distance to the centre of the segment of the given rank; null when there is none. */
  private static Column neighbour(Column byRank, Column rank) {
    return element_at(col(DISTANCES), try_element_at(byRank, rank));
  }

  /** {@code d_own / (d_own + d_other)}, 0 without a neighbour or when both distances are 0. */
  private static Column share(Column own, Column other) {
    return coalesce(own.divide(nullif(own.plus(other), lit(0.0))), lit(0.0));
  }
}
