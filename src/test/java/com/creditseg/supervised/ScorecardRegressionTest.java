package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.TestSettings;
import com.creditseg.config.SupervisedSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Which features the scorecard's regression keeps when signs flip. */
@ExtendWith(SharedSpark.class)
class ScorecardRegressionTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("summary", DataTypes.DoubleType)
          .add("first", DataTypes.DoubleType)
          .add("second", DataTypes.DoubleType)
          .add("defaulted", DataTypes.DoubleType);

  private static SupervisedSettings settings() {
    return TestSettings.of().supervised();
  }

  /**
   * 8,000 customers (seeded). Two independent drivers, first and second (standard normal), and
   * summary = 1.2 first + second + e with e ~ N(0, 0.5), a lossy summary of them (as a payment
   * history summarises monthly statuses). The log-odds of default are first + second - e / 2 - 1:
   * summary is the strongest feature alone (Pearson r with the log-odds 0.78 against 0.69 for each
   * driver), but beside both drivers its own effect (the -e / 2) is against its WoE, a wrong sign.
   * Dropping summary, as the regression did, loses the strongest feature. Dropping the driver most
   * correlated with it (first: r = 0.70 against 0.58) leaves summary with the right sign (the
   * log-odds are then about 0.49 summary + 0.51 second): summary and second stay, first leaves as
   * collinear, named with the reason.
   */
  @Test
  void aStrongFeatureStaysAndTheWeakerCollinearOneLeaves() {
    Random random = new Random(8);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 8000; i++) {
      double first = random.nextGaussian();
      double second = random.nextGaussian();
      double e = Math.sqrt(0.5) * random.nextGaussian();
      double z = first + second - e / 2 - 1;
      double label = random.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      rows.add(RowFactory.create(1.2 * first + second + e, first, second, label));
    }
    Dataset<Row> train = SharedSpark.spark().createDataFrame(rows, SCHEMA).coalesce(1).cache();
    try {
      SupervisedSettings s = settings();
      WoeBinningModel binning =
          new WoeBinning("defaulted", List.of("summary", "first", "second"), List.of(), s.binning())
              .fit(train);
      Map<String, Double> iv = new HashMap<>();
      binning.tables().forEach(t -> iv.put(t.feature(), t.iv()));
      assertTrue(
          iv.get("summary") > iv.get("first") && iv.get("summary") > iv.get("second"),
          "summary is the strongest alone: " + iv);

      ScorecardRegression.Card card =
          new ScorecardRegression("defaulted", "_weight", s.points())
              .fit(binning, binning.transform(train));

      assertEquals(List.of("summary", "second"), card.kept());
      assertEquals(List.of("first"), List.copyOf(card.dropped().keySet()));
      ScorecardRegression.Dropped first = card.dropped().get("first");
      assertEquals("collinear", first.status());
      assertTrue(
          first.note().startsWith("correlated with summary (r = 0.")
              && first.note().contains("had the wrong sign beside it"),
          first.note());
      for (Scorecard.Feature f : card.scorecard().features()) {
        assertTrue(f.coefficient() < 0, f.feature() + " has the right sign: " + f.coefficient());
      }
    } finally {
      train.unpersist();
    }
  }
}
