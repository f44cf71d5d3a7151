package com.creditseg.supervised;

import com.creditseg.config.SupervisedSettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.ReasonCodeColumns;
import com.creditseg.score.CreditScorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The features offered to the supervised models: model.supervised.features, or when empty every
 * numeric and string column of the input but the id, the label, the score, its reason codes (string
 * columns that are the score's own output, not the customer's) and the protected attributes;
 * internal columns (starting with _ or the reader's) are never features. Numeric columns are
 * numeric features, string columns categorical ones.
 */
final class OfferedFeatures {
  private OfferedFeatures() {}

  /** Fails naming a configured feature that {@code schema} does not have. */
  static RiskModels.Features of(
      StructType schema, SupervisedSettings settings, Set<String> protectedAttributes) {
    Map<String, StructField> fields = new LinkedHashMap<>();
    for (StructField f : schema.fields()) {
      fields.put(f.name(), f);
    }
    List<String> chosen = settings.features();
    Set<String> reasonCodes =
        Set.copyOf(ReasonCodeColumns.in(schema.fieldNames(), CreditScorer.REASON_CODE));
    if (chosen.isEmpty()) {
      chosen =
          fields.keySet().stream()
              .filter(
                  c ->
                      !c.equals(CustomerSchema.CUSTOMER_ID)
                          && !c.equals(settings.label())
                          && !c.equals(CreditScorer.SCORE)
                          && !reasonCodes.contains(c)
                          && !c.equals(CustomerSchema.PARSE_ERRORS)
                          && !c.equals(CustomerSchema.SOURCE_RECORD)
                          && !c.startsWith("_")
                          && !protectedAttributes.contains(c))
              .toList();
    }
    List<String> numeric = new ArrayList<>();
    List<String> categorical = new ArrayList<>();
    for (String c : chosen) {
      StructField f = fields.get(c);
      if (f == null) {
        throw new InputContractException(
            "model.supervised.features names '"
                + c
                + "', which the input does not have (have: "
                + String.join(", ", fields.keySet())
                + ")");
      }
      if (CustomerSchema.isNumeric(f.dataType())) {
        numeric.add(c);
      } else if (f.dataType().typeName().equals("string")) {
        categorical.add(c);
      }
    }
    return new RiskModels.Features(List.copyOf(numeric), List.copyOf(categorical));
  }
}
