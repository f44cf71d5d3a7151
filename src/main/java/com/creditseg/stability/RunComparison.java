package com.creditseg.stability;

import com.creditseg.config.StabilitySettings;
import com.creditseg.model.Population;
import com.creditseg.stability.PopulationStability.Flow;
import com.creditseg.stability.PopulationStability.Psi;
import com.creditseg.stability.SegmentContinuity.Continued;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Compares a run's segmented customers with the previous run's (the PSI of the score, the features
 * and the scorecard's outputs, the migration between segments, and for a refit which segments
 * continue which), or with the population its applied model was fitted on (the PSI only). {@link
 * #tables} turns the result into the two Parquet tables of {@code stability/}.
 */
public final class RunComparison {
  private final SparkSession spark;
  private final StabilitySettings settings;
  private final PopulationStability population;

  public RunComparison(SparkSession spark, StabilitySettings settings) {
    this.spark = spark;
    this.settings = settings;
    this.population = new PopulationStability(settings);
  }

  /**
   * What {@code metrics.json} says under {@code stability}: the run compared with, the segments'
   * continuity ({@code continuity} null for a run that applied a saved model), the PSI and verdicts
   * ({@code models}: the scorecard's probability of default and points), and the migration (empty
   * against a model's training population).
   */
  public record Report(
      String previousRun,
      String previousRunDate,
      Continuity continuity,
      Psi score,
      List<Psi> features,
      List<Psi> models,
      String verdict,
      double psiInvestigate,
      double psiSignificant,
      List<Flow> migration) {
    public boolean significant() {
      return PopulationStability.SIGNIFICANT.equals(verdict);
    }
  }

  /**
   * The segments' continuity: {@code matched} is false when the previous model could not be matched
   * (other features, or an unreadable model: {@code note} says which).
   */
  public record Continuity(
      boolean matched, List<Continued> segments, List<Integer> retired, String note) {}

  public Report compare(
      PreviousRun previous,
      Continuity continuity,
      Dataset<Row> current,
      int scoreMin,
      int scoreMax,
      List<String> features) {
    Dataset<Row> before = spark.read().parquet(previous.segments());
    PopulationStability.Shift shift =
        population.shift(before, current, scoreMin, scoreMax, features);
    return report(
        previous.location(),
        previous.runDate(),
        continuity,
        shift,
        population.migration(before, current));
  }

  /**
   * {@code current} against the population a model was fitted on (its bundle's {@code
   * population.json}): the PSI only; no customer-by-customer migration, no continuity.
   */
  public Report compare(
      Population reference, String location, String runDate, Dataset<Row> current) {
    return report(location, runDate, null, population.shift(reference, current), List.of());
  }

  private Report report(
      String location,
      String runDate,
      Continuity continuity,
      PopulationStability.Shift shift,
      List<Flow> migration) {
    return new Report(
        location,
        runDate,
        continuity,
        shift.score(),
        shift.features(),
        shift.models(),
        shift.verdict(),
        settings.investigate(),
        settings.significant(),
        migration);
  }

  /** {@code psi}: one row per variable and bin; {@code migration}: one row per segment pair. */
  public record Tables(Dataset<Row> psi, Dataset<Row> migration) {}

  public Tables tables(Report report) {
    List<Row> psi = new ArrayList<>();
    List<Psi> all = new ArrayList<>();
    all.add(report.score());
    all.addAll(report.features());
    all.addAll(report.models());
    for (Psi p : all) {
      for (PopulationStability.Bin b : p.bins()) {
        psi.add(
            RowFactory.create(
                p.variable(),
                b.bin(),
                b.previous(),
                b.current(),
                b.previousShare(),
                b.currentShare(),
                p.psi(),
                p.verdict()));
      }
    }
    StructType psiSchema =
        new StructType()
            .add("variable", DataTypes.StringType, false)
            .add("bin", DataTypes.StringType, false)
            .add("previous_customers", DataTypes.LongType, false)
            .add("current_customers", DataTypes.LongType, false)
            .add("previous_share", DataTypes.DoubleType, false)
            .add("current_share", DataTypes.DoubleType, false)
            .add("psi", DataTypes.DoubleType, false)
            .add("verdict", DataTypes.StringType, false);
    List<Row> flows = new ArrayList<>();
    for (Flow f : report.migration()) {
      flows.add(
          RowFactory.create(
              f.previousCluster(),
              f.previousSegment(),
              f.cluster(),
              f.segment(),
              f.customers(),
              f.share()));
    }
    StructType flowSchema =
        new StructType()
            .add("previous_cluster", DataTypes.IntegerType, true)
            .add("previous_segment", DataTypes.StringType, true)
            .add("cluster", DataTypes.IntegerType, true)
            .add("segment", DataTypes.StringType, true)
            .add("customers", DataTypes.LongType, false)
            .add("share_of_previous_segment", DataTypes.DoubleType, false);
    return new Tables(
        spark.createDataFrame(psi, psiSchema).coalesce(1),
        spark.createDataFrame(flows, flowSchema).coalesce(1));
  }
}
