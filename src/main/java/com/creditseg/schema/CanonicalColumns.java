package com.creditseg.schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical customer schema of DESIGN.md as plain Java: every column's type name ({@code int},
 * {@code double}, {@code string}, Spark's simple names) and the canonical values of the categorical
 * columns. {@link CustomerSchema} is its Spark view; {@code serve} reads this one, so that scoring
 * a customer loads no Spark class.
 */
public final class CanonicalColumns {
  private static final Map<String, String> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put(CustomerSchema.CUSTOMER_ID, "string");
    TYPES.put("age", "int");
    TYPES.put("gender", "string");
    TYPES.put("marital_status", "string");
    TYPES.put("education_level", "string");
    TYPES.put("employment_status", "string");
    TYPES.put("annual_income", "double");
    TYPES.put("credit_utilization_ratio", "double");
    TYPES.put("payment_history", "double");
    TYPES.put("late_payments_24m", "int");
    TYPES.put("credit_history_months", "int");
    TYPES.put("recent_inquiries", "int");
    TYPES.put("number_of_credit_accounts", "int");
    TYPES.put("loan_amount", "double");
    TYPES.put("interest_rate", "double");
    TYPES.put("loan_term", "int");
    TYPES.put("type_of_loan", "string");
    TYPES.put("spending_score", "double");
    TYPES.put(CustomerSchema.DEFAULTED, "int");
  }

  /**
   * The canonical values of each categorical column, as the generator writes them and score and
   * report read them. A mapping's {@code categories} block maps source codes onto these (or onto
   * any other target it names); a source value that already is canonical passes through it.
   */
  private static final Map<String, List<String>> VOCABULARIES =
      Map.of(
          "gender", List.of("Female", "Male", "Other"),
          "marital_status", List.of("Single", "Married", "Divorced", "Widowed", "Other"),
          "education_level", List.of("High School", "Bachelor", "Master", "PhD", "Other"),
          "employment_status", List.of("Employed", "Self-Employed", "Unemployed", "Other"),
          "type_of_loan",
              List.of(
                  "Personal Loan",
                  "Auto Loan",
                  "Mortgage",
                  "Student Loan",
                  "Credit Card",
                  "Other"));

  private CanonicalColumns() {}

  /** Every canonical column in schema order. */
  public static List<String> names() {
    return List.copyOf(TYPES.keySet());
  }

  /** The type name of a canonical column ({@code int}, {@code double}, {@code string}), or null. */
  public static String typeName(String column) {
    return TYPES.get(column);
  }

  /** The canonical values of a categorical column (empty for other columns). */
  public static List<String> vocabulary(String column) {
    return VOCABULARIES.getOrDefault(column, List.of());
  }
}
