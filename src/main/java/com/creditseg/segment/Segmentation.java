package com.creditseg.segment;

import static org.apache.spark.sql.functions.*;

import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A fitted segmentation: the PipelineModel (VectorAssembler, StandardScaler, ElementwiseProduct,
 * KMeans), how k was chosen, and each cluster's risk rank and label.
 */
public record Segmentation(PipelineModel model, KSelection selection, List<ClusterLabel> labels) {
  public static final String CLUSTER = "cluster";
  public static final String SEGMENT = "segment";
  public static final String SEGMENT_RANK = "segment_rank";

  /**
   * Adds {@code cluster} (KMeans index), {@code segment} (label) and {@code segment_rank} (1 =
   * riskiest) to every customer; the model's vector columns are not kept.
   */
  public Dataset<Row> assign(Dataset<Row> customers) {
    List<Column> labelPairs = new ArrayList<>();
    List<Column> rankPairs = new ArrayList<>();
    for (ClusterLabel l : labels) {
      labelPairs.add(lit(l.cluster()));
      labelPairs.add(lit(l.label()));
      rankPairs.add(lit(l.cluster()));
      rankPairs.add(lit(l.rank()));
    }
    return model
        .transform(customers)
        .drop(Segmenter.FEATURES, Segmenter.SCALED_FEATURES, Segmenter.CLUSTERING_FEATURES)
        .withColumn(SEGMENT, try_element_at(map(labelPairs.toArray(Column[]::new)), col(CLUSTER)))
        .withColumn(
            SEGMENT_RANK, try_element_at(map(rankPairs.toArray(Column[]::new)), col(CLUSTER)));
  }
}
