package com.creditseg.schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The canonical transaction schema: one row per transaction line. Required: {@code customer_id},
 * {@code transaction_id}, {@code transaction_time}, and either {@code amount} or both {@code
 * quantity} and {@code unit_price} (amount = quantity × unit_price). {@code product_id}, {@code
 * channel} and {@code country} are carried through when present.
 *
 * <p>A cancellation or return is a line with a negative quantity or amount, or whose {@code
 * transaction_id} matches {@code transactions.cancellation-id-pattern}; it is netted against the
 * customer's spend.
 */
public final class TransactionSchema {
  public static final String CUSTOMER_ID = CustomerSchema.CUSTOMER_ID;
  public static final String TRANSACTION_ID = "transaction_id";
  public static final String TRANSACTION_TIME = "transaction_time";
  public static final String AMOUNT = "amount";
  public static final String QUANTITY = "quantity";
  public static final String UNIT_PRICE = "unit_price";
  public static final String PRODUCT_ID = "product_id";
  public static final String CHANNEL = "channel";
  public static final String COUNTRY = "country";

  private static final Map<String, DataType> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put(CUSTOMER_ID, DataTypes.StringType);
    COLUMNS.put(TRANSACTION_ID, DataTypes.StringType);
    COLUMNS.put(TRANSACTION_TIME, DataTypes.TimestampType);
    COLUMNS.put(AMOUNT, DataTypes.DoubleType);
    COLUMNS.put(QUANTITY, DataTypes.DoubleType);
    COLUMNS.put(UNIT_PRICE, DataTypes.DoubleType);
    COLUMNS.put(PRODUCT_ID, DataTypes.StringType);
    COLUMNS.put(CHANNEL, DataTypes.StringType);
    COLUMNS.put(COUNTRY, DataTypes.StringType);
  }

  private TransactionSchema() {}

  /** Every canonical transaction column, in schema order. */
  public static List<String> columns() {
    return List.copyOf(COLUMNS.keySet());
  }

  /** The canonical type of a transaction column, or null for any other name. */
  public static DataType typeOf(String column) {
    return COLUMNS.get(column);
  }
}
