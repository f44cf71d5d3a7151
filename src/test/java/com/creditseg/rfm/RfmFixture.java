package com.creditseg.rfm;

import com.creditseg.SharedSpark;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.TransactionSchema;
import com.creditseg.transactions.TransactionValidator;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Twelve hand-made customers' transactions, as the reader leaves them, with their RFM as of
 * 2024-07-01 worked out by hand beside them (and the loyalty cutoff 2024-04-02, 90 days before).
 */
final class RfmFixture {
  static final LocalDate SNAPSHOT = LocalDate.of(2024, 7, 1);
  static final LocalDate CUTOFF = LocalDate.of(2024, 4, 2);

  static final StructType SCHEMA =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField(
                  TransactionSchema.CUSTOMER_ID, DataTypes.StringType, true),
              DataTypes.createStructField(
                  TransactionSchema.TRANSACTION_ID, DataTypes.StringType, true),
              DataTypes.createStructField(
                  TransactionSchema.TRANSACTION_TIME, DataTypes.TimestampType, true),
              DataTypes.createStructField(TransactionSchema.AMOUNT, DataTypes.DoubleType, true),
              DataTypes.createStructField(
                  CustomerSchema.PARSE_ERRORS,
                  DataTypes.createArrayType(DataTypes.StringType),
                  true)));

  /** customer, recency, frequency, monetary, tenure, returns: by hand, as of 2024-07-01. */
  static final Object[][] EXPECTED = {
    // two invoices (one of two lines), last the day before the snapshot
    {"A", 1, 2, 175.0, 11, 0},
    // a "C" cancellation netted; recency from the purchase, not the cancellation
    {"B", 173, 1, 150.0, 173, 1},
    // only a return: no purchase, negative spend, recency from the return
    {"C", 61, 0, -30.0, 61, 1},
    // a negative line (a return without the C prefix) netted
    {"D", 122, 1, 60.0, 122, 1},
    {"E", 6, 1, 10.0, 6, 0},
    {"F", 30, 2, 1000.0, 61, 0},
    {"G", 213, 1, 40.0, 213, 0},
    {"H", 77, 3, 900.0, 137, 0},
    {"I", 82, 1, 5.0, 82, 0},
    {"J", 335, 1, 1000.0, 335, 0},
    {"K", 15, 2, 100.0, 16, 0},
    {"L", 42, 1, 60.0, 42, 0},
  };

  /**
   * customer, recency, frequency, monetary, tenure, returns as of the cutoff, came_back: only the
   * customers with a transaction before it.
   */
  static final Object[][] EXPECTED_AT_CUTOFF = {
    {"B", 83, 1, 150.0, 83, 1, 0},
    {"D", 32, 1, 60.0, 32, 1, 0},
    {"G", 123, 1, 40.0, 123, 0, 0},
    {"H", 18, 2, 600.0, 47, 0, 1},
    {"J", 245, 1, 1000.0, 245, 0, 0},
  };

  private RfmFixture() {}

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    add(rows, "A", "I-A1", "2024-06-20", 50.0);
    add(rows, "A", "I-A1", "2024-06-20", 25.0);
    add(rows, "A", "I-A2", "2024-06-30", 100.0);
    add(rows, "B", "I-B1", "2024-01-10", 200.0);
    add(rows, "B", "CB1", "2024-01-15", 50.0);
    add(rows, "C", "CC1", "2024-05-01", -30.0);
    add(rows, "D", "I-D1", "2024-03-01", 80.0);
    add(rows, "D", "I-D1R", "2024-03-05", -20.0);
    add(rows, "E", "I-E1", "2024-06-25", 10.0);
    add(rows, "F", "I-F1", "2024-05-01", 500.0);
    add(rows, "F", "I-F2", "2024-06-01", 500.0);
    add(rows, "G", "I-G1", "2023-12-01", 40.0);
    add(rows, "H", "I-H1", "2024-02-15", 300.0);
    add(rows, "H", "I-H2", "2024-03-15", 300.0);
    add(rows, "H", "I-H3", "2024-04-15", 300.0);
    add(rows, "I", "I-I1", "2024-04-10", 5.0);
    add(rows, "J", "I-J1", "2023-08-01", 1000.0);
    add(rows, "K", "I-K1", "2024-06-15", 70.0);
    add(rows, "K", "I-K2", "2024-06-16", 30.0);
    add(rows, "L", "I-L1", "2024-05-20", 60.0);
    return rows;
  }

  static void add(List<Row> rows, String customer, String id, String day, double amount) {
    rows.add(
        RowFactory.create(
            customer, id, Timestamp.valueOf(day + " 12:00:00"), amount, new String[0]));
  }

  static Dataset<Row> transactions(List<Row> rows) {
    return SharedSpark.spark().createDataFrame(rows, SCHEMA);
  }

  /** The rows RFM uses, after the validator has netted cancellations ("C" prefix). */
  static Dataset<Row> used(List<Row> rows) {
    return TransactionValidator.used(new TransactionValidator("^C", null).flag(transactions(rows)));
  }
}
