package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.config.SettingsLoader;
import com.creditseg.config.SupervisedSettings;
import com.creditseg.config.SupervisedSettings.Challenger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tree challengers are fitted with the hyperparameters of model.supervised. */
@ExtendWith(SharedSpark.class)
class ChallengersTest {
  /** 200 customers: x = 0..9, with a missing value every 20th; x below 3 defaulted. */
  private static Dataset<Row> train() {
    StructType schema =
        new StructType()
            .add("x", DataTypes.DoubleType)
            .add("purpose", DataTypes.StringType)
            .add(TrainingPart.LABEL, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Double x = i % 20 == 0 ? null : (double) (i % 10);
      rows.add(RowFactory.create(x, i % 2 == 0 ? "car" : "home", i % 10 < 3 ? 1.0 : 0.0));
    }
    return SharedSpark.spark().createDataFrame(rows, schema);
  }

  @Test
  void theConfiguredHyperparametersReachTheTrees() {
    SupervisedSettings s =
        new SettingsLoader()
            .load(
                List.of(),
                List.of(
                    "model.supervised.random-forest.trees=3",
                    "model.supervised.random-forest.max-depth=2",
                    "model.supervised.random-forest.min-instances-per-node=5",
                    "model.supervised.gradient-boosted-trees.max-iterations=4",
                    "model.supervised.gradient-boosted-trees.max-depth=3",
                    "model.supervised.gradient-boosted-trees.step-size=0.5"),
                LocalDate.of(2026, 3, 14))
            .supervised();
    RiskModels.Features features = new RiskModels.Features(List.of("x"), List.of("purpose"));
    Challengers challengers = new Challengers(s);
    Dataset<Row> train = train();

    PipelineModel forest = challengers.fit(Challenger.RANDOM_FOREST, features, train);
    RandomForestClassificationModel rf = (RandomForestClassificationModel) last(forest);
    assertEquals(3, rf.getNumTrees());
    assertEquals(2, rf.getMaxDepth());
    assertEquals(5, rf.getMinInstancesPerNode());
    assertEquals(TrainingPart.SEED, rf.getSeed());

    PipelineModel boosted = challengers.fit(Challenger.GRADIENT_BOOSTED_TREES, features, train);
    GBTClassificationModel gbt = (GBTClassificationModel) last(boosted);
    assertEquals(4, gbt.getNumTrees());
    assertEquals(3, gbt.getMaxDepth());
    assertEquals(0.5, gbt.getStepSize(), 0.0);

    // Every customer, the one with a missing x too, gets a probability of default.
    List<Row> scored =
        Challengers.scored(boosted, features, train).select(TrainingPart.PD).collectAsList();
    assertEquals(200, scored.size());
    for (Row r : scored) {
      assertTrue(r.getDouble(0) >= 0 && r.getDouble(0) <= 1, "pd " + r);
    }
  }

  private static Object last(PipelineModel model) {
    return model.stages()[model.stages().length - 1];
  }
}
