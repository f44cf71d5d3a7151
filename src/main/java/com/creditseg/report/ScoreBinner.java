package com.creditseg.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.score.ScoreBands;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Credit score counts per segment in one Spark aggregation, grouped by segment rank, histogram bin
 * and score band: at most (bins × bands × segments) rows reach the driver, whatever the number of
 * customers.
 *
 * <p>Bins are {@code binWidth} wide from the score's minimum, about {@value #TARGET_BINS} of them
 * (10 points for 300–850); the maximum score falls in the last bin. Bands are the usual FICO ones
 * (Poor 300–579, Fair 580–669, Good 670–739, Very Good 740–799, Exceptional 800–850), rescaled
 * linearly when {@code score.min}/{@code score.max} are not 300/850. Reads {@code segment_rank} and
 * {@code credit_score}; customers without a score are not counted.
 */
final class ScoreBinner {
  static final int TARGET_BINS = 55;
  private final int min;
  private final int max;
  private final int binWidth;
  private final int bins;

  ScoreBinner(int min, int max) {
    if (max <= min) {
      throw new IllegalArgumentException(
          "Score range must have max > min, got " + min + ".." + max);
    }
    this.min = min;
    this.max = max;
    this.binWidth = Math.max(1, (int) Math.ceil((max - min) / (double) TARGET_BINS));
    this.bins = Math.max(1, (int) Math.ceil((max - min) / (double) binWidth));
  }

  ReportData.Scores bin(Dataset<Row> segments, List<Integer> ranks) {
    CustomerSchema.require(
        segments, List.of(SegmentModel.SEGMENT_RANK, CreditScorer.SCORE), "bin credit scores");
    List<ReportData.Band> bands = bands();
    Column score = col(CreditScorer.SCORE);
    Column bin = least(lit(bins - 1), greatest(lit(0), floor(score.minus(min).divide(binWidth))));
    Column band = ScoreBands.indexOf(score, ScoreBands.of(min, max));
    List<Row> rows =
        segments
            .filter(score.isNotNull())
            .groupBy(col(SegmentModel.SEGMENT_RANK), bin.cast("int").as("bin"), band.as("band"))
            .count()
            .collectAsList();

    List<long[]> histogram = new ArrayList<>();
    List<long[]> bandCounts = new ArrayList<>();
    for (int i = 0; i < ranks.size(); i++) {
      histogram.add(new long[bins]);
      bandCounts.add(new long[bands.size()]);
    }
    for (Row r : rows) {
      int i = ranks.indexOf(r.<Integer>getAs(SegmentModel.SEGMENT_RANK));
      if (i >= 0) {
        long customers = r.getAs("count");
        histogram.get(i)[r.<Integer>getAs("bin")] += customers;
        bandCounts.get(i)[r.<Integer>getAs("band")] += customers;
      }
    }
    List<Integer> starts = new ArrayList<>();
    for (int b = 0; b < bins; b++) {
      starts.add(min + b * binWidth);
    }
    return new ReportData.Scores(
        binWidth, starts, counts(ranks, histogram), bands, counts(ranks, bandCounts));
  }

  /** The FICO bands on this score range. */
  List<ReportData.Band> bands() {
    return ScoreBands.of(min, max).stream()
        .map(b -> new ReportData.Band(b.name(), b.from(), b.to()))
        .toList();
  }

  private static List<ReportData.Counts> counts(List<Integer> ranks, List<long[]> perRank) {
    List<ReportData.Counts> out = new ArrayList<>();
    for (int i = 0; i < ranks.size(); i++) {
      List<Long> counts = new ArrayList<>();
      for (long c : perRank.get(i)) {
        counts.add(c);
      }
      out.add(new ReportData.Counts(ranks.get(i), counts));
    }
    return out;
  }
}
