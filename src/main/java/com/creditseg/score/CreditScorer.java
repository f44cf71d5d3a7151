package com.creditseg.score;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.OrderedColumns;
import com.creditseg.schema.ReasonCodeColumns;
import java.io.Serializable;
import java.util.ArrayList;
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
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Adds {@code credit_score} (int, [score.min, score.max], null when no factor has a value) and
 * {@code reason_code_1 … reason_code_N} (strings, N = score.max-reason-codes: the names of the
 * factors that cost the most points, most costly first, null past a customer's last; see {@link
 * ReasonCodeColumns}) to customers. Reads the columns of the {@link ScoreCard}'s factors.
 *
 * <p>{@link #register} makes the score callable from Spark SQL on any struct holding the factor
 * columns: {@code SELECT credit_score(struct(*)) FROM customers}, and {@code
 * credit_score_reasons(struct(*))} for the reason codes as one array (no nulls).
 */
public final class CreditScorer {
  public static final String SCORE = "credit_score";

  /** The reason-code columns' prefix: reason_code_1 … reason_code_N. */
  public static final String REASON_CODE = "reason_code";

  static final String DETAIL_UDF = "credit_score_detail";

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

  /** reason_code_1 … reason_code_N, N = the card's maximum of reason codes. */
  public static List<String> reasonCodeColumns(ScoreCard card) {
    return ReasonCodeColumns.names(REASON_CODE, card.maxReasonCodes());
  }

  /**
   * The detail UDF's result: the score, then one string per reason-code position, so that the
   * scored columns are plain fields of one struct (no array to build per customer and none to
   * write).
   */
  private static StructType detailType(ScoreCard card) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(SCORE, DataTypes.IntegerType, true));
    for (String c : reasonCodeColumns(card)) {
      fields.add(DataTypes.createStructField(c, DataTypes.StringType, true));
    }
    return DataTypes.createStructType(fields);
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
                  Object[] values = new Object[card.maxReasonCodes() + 1];
                  values[0] = r.score();
                  String[] codes = ReasonCodeColumns.spread(r.reasonCodes(), card.maxReasonCodes());
                  System.arraycopy(codes, 0, values, 1, codes.length);
                  return RowFactory.create(values);
                },
            detailType(card));
  }

  /** Scores every customer; fails first if a factor column is missing. */
  public Dataset<Row> score(Dataset<Row> customers) {
    CustomerSchema.require(customers, card.inputColumns(), "score customers");
    register(spark, card);
    Column inputs = struct(card.inputColumns().stream().map(c -> col(c)).toArray(Column[]::new));
    // Every field in one projection: Spark evaluates the (deterministic) UDF once per row for all
    // of them, where a column holding its result would cost a projection of its own, a copy of
    // every column of every row.
    Column detail = callUDF(DETAIL_UDF, inputs);
    Map<String, Column> fields = new LinkedHashMap<>();
    fields.put(SCORE, detail.getField(SCORE));
    reasonCodeColumns(card).forEach(c -> fields.put(c, detail.getField(c)));
    return OrderedColumns.appended(customers, fields);
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
