package com.creditseg.report;

import com.creditseg.metrics.RunMetrics;
import com.creditseg.sample.IdHashSample;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.score.CreditScorer;
import com.creditseg.segment.SegmentModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * Computes {@link ReportData} from a run directory: the header, k selection and quality counts from
 * {@code metrics.json}, the profile table from {@code profiles/}, and the charts' aggregates from
 * {@code segments/} and {@code model/} in Spark (a projection sample of at most {@code sampleBound}
 * customers, score bins, feature whiskers, correlations, reason-code counts); the supervised models
 * from {@code metrics.json} and their scorecard from {@code models/scorecard}. Only aggregates
 * reach the driver.
 */
final class ReportDataCollector {
  /**
   * The most customers the projection and the correlations read: an id-hash sample above it (the
   * correlations then differ from the population's by about a thousandth).
   */
  static final long SAMPLE_ROWS = 1_000_000;

  private final int sampleBound;

  ReportDataCollector(int sampleBound) {
    this.sampleBound = sampleBound;
  }

  ReportData collect(RunDirectory run) {
    RunMetrics metrics = run.metrics();
    ReportData.Run header = RunSummary.run(metrics);
    List<Row> profiles =
        run.profiles().collectAsList().stream()
            .sorted(Comparator.comparingInt(r -> r.<Integer>getAs(SegmentModel.SEGMENT_RANK)))
            .toList();
    List<ReportData.Segment> segments = RunSummary.segments(profiles);
    List<Integer> ranks = segments.stream().map(ReportData.Segment::rank).toList();
    SegmentModel segmentModel = run.model();
    PipelineModel model = segmentModel.pipeline();
    // By KMeans index: a segment's id (cluster) may be one a previous run gave it.
    Map<Integer, Integer> rankByCluster = new HashMap<>();
    segments.forEach(s -> rankByCluster.put(segmentModel.index(s.cluster()), s.rank()));
    long customers = segments.stream().mapToLong(ReportData.Segment::customers).sum();

    Dataset<Row> customerRows = run.segments();
    List<String> features = clusteringFeatures(model);
    List<String> correlated = numericColumns(customerRows, features);

    // The projection and the correlations read one persisted id-hash sample (everyone up to
    // SAMPLE_ROWS customers), so the customers are scanned once for both.
    Set<String> sampledColumns = new LinkedHashSet<>(features);
    sampledColumns.addAll(correlated);
    sampledColumns.add(CustomerSchema.CUSTOMER_ID);
    sampledColumns.add(SegmentModel.SEGMENT_RANK);
    CustomerSchema.require(customerRows, sampledColumns, "sample customers for the report");
    Dataset<Row> sample =
        new IdHashSample(customers, SAMPLE_ROWS)
            .of(customerRows)
            .select(sampledColumns.stream().map(functions::col).toArray(Column[]::new))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long sampled = sample.count();
      return new ReportData(
          header,
          segments,
          RunSummary.kChoice(metrics),
          RunSummary.quality(metrics),
          new CustomerProjector(sampleBound)
              .project(sample, model, rankByCluster, sampled, customers),
          new ScoreBinner(header.scoreMin(), header.scoreMax()).bin(customerRows, ranks),
          FeatureWhiskers.boxes(customerRows, features, profiles),
          FeatureCorrelator.correlate(sample, correlated),
          ReasonCodeCounter.count(customerRows, segments, byWeight(header)),
          metrics.stability(),
          SupervisedSummary.of(metrics.supervised(), run.scorecard()),
          metrics.riskOrder());
    } finally {
      sample.unpersist();
    }
  }

  private static List<String> clusteringFeatures(PipelineModel model) {
    for (var stage : model.stages()) {
      if (stage instanceof VectorAssembler assembler) {
        return List.of(assembler.getInputCols());
      }
    }
    throw new IllegalStateException("The run's model has no VectorAssembler stage");
  }

  /** The clustering features, then every other numeric canonical column the customers have. */
  private static List<String> numericColumns(Dataset<Row> customers, List<String> features) {
    Set<String> columns = new LinkedHashSet<>(features);
    if (List.of(customers.columns()).contains(CreditScorer.SCORE)) {
      columns.add(CreditScorer.SCORE);
    }
    CustomerSchema.presentIn(customers).stream()
        .filter(CustomerSchema::isNumeric)
        .forEach(columns::add);
    return new ArrayList<>(columns);
  }

  /** Score factors, heaviest first: the order reason codes are shown in. */
  private static List<String> byWeight(ReportData.Run run) {
    return run.factorWeights().entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .map(Map.Entry::getKey)
        .toList();
  }
}
