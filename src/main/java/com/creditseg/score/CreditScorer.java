package com.creditseg.score;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;

import com.creditseg.schema.CustomerSchema;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Adds {@code credit_score} (int, [score.min, score.max], null when no factor has a value) and
 * {@code reason_codes} (array of factor names, most costly first) to customers. Reads the columns
 * of the {@link ScoreCard}'s factors.
 *
 * <p>{@link #register} makes the score callable from Spark SQL on any struct holding the factor
 * columns: {@code SELECT credit_score(struct(*)) FROM customers}, and {@code
 * credit_score_reasons(struct(*))} for the reason codes.
 */
public final class CreditScorer {
  public static final String SCORE = "credit_score";
  public static final String REASON_CODES = "reason_codes";
  static final String DETAIL_UDF = "credit_score_detail";

  private static final StructType DETAIL_TYPE =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField(SCORE, DataTypes.IntegerType, true),
              DataTypes.createStructField(
                  REASON_CODES, DataTypes.createArrayType(DataTypes.StringType, false), false)));

  private final SparkSession spark;
  private final ScoreCard card;

  public CreditScorer(SparkSession spark, ScoreCard card) {
    this.spark = spark;
    this.card = card;
  }

  /** The factors this scorer applies. */
  public ScoreCard card() {
    return card;
  }

  /** Registers {@code credit_score}, {@code credit_score_reasons} and the internal detail UDF. */
  public static void register(SparkSession spark, ScoreCard card) {
    Fields fields = new Fields();
    spark
        .udf()
        .register(
            SCORE,
            (UDF1<Row, Integer>) row -> CreditScoreFunction.score(card, fields.of(row)).score(),
            DataTypes.IntegerType);
    spark
        .udf()
        .register(
            "credit_score_reasons",
            (UDF1<Row, String[]>)
                row ->
                    CreditScoreFunction.score(card, fields.of(row))
                        .reasonCodes()
                        .toArray(String[]::new),
            DataTypes.createArrayType(DataTypes.StringType, false));
    spark
        .udf()
        .register(
            DETAIL_UDF,
            (UDF1<Row, Row>)
                row -> {
                  CreditScoreFunction.Result r = CreditScoreFunction.score(card, fields.of(row));
                  return RowFactory.create(r.score(), r.reasonCodes().toArray(String[]::new));
                },
            DETAIL_TYPE);
  }

  /** Scores every customer; fails first if a factor column is missing. */
  public Dataset<Row> score(Dataset<Row> customers) {
    CustomerSchema.require(customers, card.inputColumns(), "score customers");
    register(spark, card);
    Column inputs = struct(card.inputColumns().stream().map(c -> col(c)).toArray(Column[]::new));
    // Both fields in one projection: Spark evaluates the (deterministic) UDF once per row for the
    // two of them, where a column holding its result would cost a projection of its own, a copy of
    // every column of every row.
    Column detail = callUDF(DETAIL_UDF, inputs);
    Map<String, Column> fields = new LinkedHashMap<>();
    fields.put(SCORE, detail.getField(SCORE));
    fields.put(REASON_CODES, detail.getField(REASON_CODES));
    return customers.withColumns(fields);
  }

  /**
   * A struct row's fields by name, as they are (a number or a category's text); null when absent or
   * null. The UDF is called once per customer with rows of one schema, so the names are looked up
   * once per schema, not once per field of every row.
   */
  private static final class Fields implements Serializable {
    private static final long serialVersionUID = 1L;

    private record Indexed(StructType schema, Map<String, Integer> index) {}

    private transient volatile Indexed last;

    Function<String, Object> of(Row row) {
      if (row == null) {
        return name -> null;
      }
      Map<String, Integer> index = indexOf(row.schema());
      return name -> {
        Integer i = index.get(name);
        return i == null || row.isNullAt(i) ? null : row.get(i);
      };
    }

    private Map<String, Integer> indexOf(StructType schema) {
      Indexed indexed = last;
      if (indexed == null || (indexed.schema() != schema && !indexed.schema().equals(schema))) {
        Map<String, Integer> index = new HashMap<>();
        String[] names = schema.fieldNames();
        for (int i = 0; i < names.length; i++) {
          index.put(names[i], i); // the last of a repeated name, as StructType.getFieldIndex
        }
        indexed = new Indexed(schema, index);
        last = indexed;
      }
      return indexed.index();
    }
  }
}
