package com.creditseg.rfm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SameFigures;
import com.creditseg.SharedSpark;
import com.creditseg.config.RfmSettings;
import com.creditseg.config.SettingsLoader;
import com.creditseg.schema.TransactionSchema;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The loyalty models are a function of their customers, not of how Spark holds them. */
@ExtendWith(SharedSpark.class)
class LoyaltyModelTest {
  private static final StructType SCHEMA =
      new StructType()
          .add(TransactionSchema.CUSTOMER_ID, DataTypes.StringType)
          .add(RfmCalculator.RECENCY, DataTypes.IntegerType)
          .add(RfmCalculator.FREQUENCY, DataTypes.LongType)
          .add(RfmCalculator.MONETARY, DataTypes.DoubleType)
          .add(RfmCalculator.TENURE, DataTypes.IntegerType)
          .add(RfmCalculator.RETURNS, DataTypes.LongType)
          .add(RfmCalculator.CAME_BACK, DataTypes.IntegerType);

  /**
   * 3,000 customers (seeded): recent, frequent customers come back more often. Read from one
   * partition and from seven in another order, every customer's p_loyal is the same to the last
   * bit, and the three models' held-out figures too (the AUC to 1e-12: MLlib sums it in task
   * order).
   */
  @Test
  void theSameCustomersGiveTheSameModelsWhateverTheirPartitioning() {
    Random random = new Random(34);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      int recency = random.nextInt(365);
      long frequency = 1 + random.nextInt(20);
      double monetary = Math.round(frequency * (20 + 80 * random.nextDouble()) * 100) / 100.0;
      int tenure = recency + random.nextInt(700);
      long returns = random.nextInt(10) == 0 ? 1 : 0;
      double z = 0.5 - recency / 90.0 + frequency / 8.0;
      int cameBack = random.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      rows.add(
          RowFactory.create(
              String.format("C%05d", i), recency, frequency, monetary, tenure, returns, cameBack));
    }
    Dataset<Row> data = SharedSpark.spark().createDataFrame(rows, SCHEMA);
    RfmSettings.Loyalty settings =
        new SettingsLoader()
            .loadRfm(List.of(), List.of(), LocalDate.of(2026, 1, 31))
            .rfm()
            .loyalty();
    List<LoyaltyModel.Report> reports = new ArrayList<>();
    List<Map<String, Double>> predictions = new ArrayList<>();
    for (Dataset<Row> layout :
        List.of(data.repartition(1), data.orderBy(functions.rand(7)).repartition(7))) {
      LoyaltyModel.Result result =
          new LoyaltyModel(settings).fit(layout, layout, LocalDate.of(2025, 10, 1));
      reports.add(result.report());
      Map<String, Double> p = new TreeMap<>();
      result
          .customers()
          .select(TransactionSchema.CUSTOMER_ID, LoyaltyModel.P_LOYAL)
          .collectAsList()
          .forEach(r -> p.put(r.getString(0), r.getDouble(1)));
      predictions.add(p);
    }
    LoyaltyModel.Report report = reports.get(0);
    assertNull(report.note(), "models were fitted");
    assertEquals(
        List.of("logistic_regression", "gradient_boosted_trees", "knn"),
        report.models().stream().map(LoyaltyModel.Evaluation::model).toList());
    assertEquals(3000, report.trainRows() + report.testRows());
    for (LoyaltyModel.Evaluation e : report.models()) {
      assertTrue(e.rocAuc() > 0.6, e.model() + " learns something: AUC " + e.rocAuc());
    }
    // MLlib's AUC is summed in task order: its last bits move between runs of the same model.
    SameFigures.assertSameFigures(report, reports.get(1), "held-out figures");
    assertEquals(3000, predictions.get(0).size());
    assertEquals(predictions.get(0), predictions.get(1));
  }
}
