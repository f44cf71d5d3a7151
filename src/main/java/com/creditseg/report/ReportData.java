package com.creditseg.report;

import com.creditseg.segment.RiskOrder;
import com.creditseg.stability.RunComparison;
import com.creditseg.supervised.RiskModels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Everything the HTML report shows, computed from one run directory and embedded in the page as one
 * JSON object. Its size is bounded by the projection sample, the number of segments, features,
 * score bins and reason codes: never by the number of customers.
 *
 * <p>Segments are identified by {@code rank} (1 = riskiest) throughout, so every chart can colour
 * and order them the same way; {@link #segments} maps a rank to its label. Doubles that are not
 * finite (a correlation with a constant column, say) are null.
 */
public record ReportData(
    Run run,
    List<Segment> segments,
    KChoice kSelection,
    Quality quality,
    Projection projection,
    Scores scores,
    List<FeatureBoxes> features,
    Correlations correlation,
    ReasonCodes reasonCodes,
    RunComparison.Report stability,
    Supervised supervised,
    RiskOrder riskOrder) {

  public ReportData {
    segments = frozen(segments);
    features = frozen(features);
  }

  /** The header: what was run on what, and the row reconciliation, from metrics.json. */
  public record Run(
      String runDate,
      String status,
      String startedAt,
      String finishedAt,
      String inputPath,
      String inputFormat,
      String mapping,
      long rowsIn,
      long rowsOut,
      long rowsQuarantined,
      long rowsDeduplicated,
      boolean reconciled,
      int scoreMin,
      int scoreMax,
      Map<String, Double> factorWeights,
      List<String> droppedFactors,
      List<String> features,
      List<String> warnings) {}

  /** One row of the profile table (profiles/), riskiest first. */
  public record Segment(
      int rank,
      String label,
      int cluster,
      long customers,
      double share,
      Double scoreMean,
      Double scoreMin,
      Double scoreP25,
      Double scoreP50,
      Double scoreP75,
      Double scoreMax,
      Double defaultRate,
      String description) {}

  /**
   * How k was chosen (metrics.json {@code segments.selection}): {@code auto} (highest silhouette)
   * or {@code fixed}, with every k tried.
   */
  public record KChoice(String mode, int chosenK, Integer elbowK, List<KPoint> candidates) {
    public KChoice {
      candidates = frozen(candidates);
    }
  }

  /** One k tried: within-cluster sum of squares of its best seed, and silhouette. */
  public record KPoint(int k, Double wcss, Double silhouette) {}

  /** Rows quarantined per reason and per {@code reason:column}, repairs per {@code kind:column}. */
  public record Quality(
      long rowsIn,
      long rowsQuarantined,
      long rowsDeduplicated,
      Map<String, Long> quarantinedByReason,
      Map<String, Long> quarantinedByReasonAndColumn,
      Map<String, Long> repairsByColumn) {}

  /**
   * Customers on the first two principal components of the clustering features as KMeans saw them
   * (scaled, weighted): a deterministic sample of at most {@code bound} of them, and every KMeans
   * centre projected through the same PCA.
   */
  public record Projection(
      int bound,
      long sampled,
      long population,
      List<String> features,
      List<Double> explainedVariance,
      List<SegmentPoints> points,
      List<Point> centroids) {
    public Projection {
      features = frozen(features);
      explainedVariance = frozen(explainedVariance);
      points = frozen(points);
      centroids = frozen(centroids);
    }
  }

  /** The sampled customers of one segment: parallel x and y coordinates. */
  public record SegmentPoints(int rank, List<Double> x, List<Double> y) {
    public SegmentPoints {
      x = frozen(x);
      y = frozen(y);
    }
  }

  /** A segment's KMeans centre in the projection. */
  public record Point(int rank, double x, double y) {}

  /**
   * Credit scores per segment: a histogram with bins of {@code binWidth} starting at {@code
   * binStarts}, and counts per score band; each list of counts is parallel to its bins or bands.
   */
  public record Scores(
      int binWidth,
      List<Integer> binStarts,
      List<Counts> histogram,
      List<Band> bands,
      List<Counts> bandCounts) {
    public Scores {
      binStarts = frozen(binStarts);
      histogram = frozen(histogram);
      bands = frozen(bands);
      bandCounts = frozen(bandCounts);
    }
  }

  /** Counts of one segment, parallel to a list of bins, bands or codes. */
  public record Counts(int rank, List<Long> counts) {
    public Counts {
      counts = frozen(counts);
    }
  }

  /** A score band, {@code from} to {@code to} inclusive. */
  public record Band(String name, int from, int to) {}

  /** One feature's distribution per segment, as box plot statistics. */
  public record FeatureBoxes(String feature, List<Box> boxes) {
    public FeatureBoxes {
      boxes = frozen(boxes);
    }
  }

  /**
   * Quartiles and mean from the profile table; Tukey whiskers (the most extreme values within 1.5
   * interquartile ranges of the box) and the range computed over every customer of the segment.
   */
  public record Box(
      int rank,
      Double min,
      Double lowerFence,
      Double q1,
      Double median,
      Double q3,
      Double upperFence,
      Double max,
      Double mean) {}

  /** Pearson correlations between numeric columns: {@code matrix[i][j]} for columns i and j. */
  public record Correlations(List<String> columns, List<List<Double>> matrix) {
    public Correlations {
      columns = frozen(columns);
      matrix = frozen(matrix.stream().map(ReportData::frozen).toList());
    }
  }

  /**
   * Per segment and score factor (in {@code codes} order): customers whose first reason code it is
   * ({@code primary}) and customers who have it among their reason codes at all ({@code any}).
   */
  public record ReasonCodes(List<String> codes, List<SegmentReasons> segments) {
    public ReasonCodes {
      codes = frozen(codes);
      segments = frozen(segments);
    }
  }

  /** One segment's reason-code counts, parallel to {@link ReasonCodes#codes}. */
  public record SegmentReasons(int rank, long customers, List<Long> primary, List<Long> any) {
    public SegmentReasons {
      primary = frozen(primary);
      any = frozen(any);
    }
  }

  /**
   * The supervised models (metrics.json {@code supervised}, with only the scorecard's KS curve and
   * no gains tables) and the scorecard's points per feature and bin from {@code models/scorecard}
   * (empty when that table is missing). Null for a run without supervised models.
   */
  public record Supervised(RiskModels.Report models, List<ScorecardRow> scorecard) {
    public Supervised {
      scorecard = frozen(scorecard);
    }
  }

  /** One bin of one scorecard feature: the values it holds, its customers, WoE and points. */
  public record ScorecardRow(
      String feature, int bin, String values, long customers, Double woe, Double points) {}

  /** An unmodifiable copy that, unlike {@link List#copyOf}, keeps nulls (non-finite numbers). */
  static <T> List<T> frozen(List<T> list) {
    return Collections.unmodifiableList(new ArrayList<>(list));
  }
}
