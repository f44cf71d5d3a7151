package com.creditseg.supervised;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.creditseg.TestSettings;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class OfferedFeaturesTest {
  @Test
  void theScoreAndItsReasonCodesAreNeverOffered() {
    StructType scored =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("annual_income", DataTypes.DoubleType)
            .add("employment_status", DataTypes.StringType)
            .add("gender", DataTypes.StringType)
            .add("defaulted", DataTypes.IntegerType)
            .add("credit_score", DataTypes.IntegerType)
            .add("reason_code_1", DataTypes.StringType)
            .add("reason_code_2", DataTypes.StringType);
    RiskModels.Features offered =
        OfferedFeatures.of(scored, TestSettings.of().supervised(), Set.of("gender"));
    assertEquals(List.of("annual_income"), offered.numeric());
    assertEquals(List.of("employment_status"), offered.categorical());
  }
}
