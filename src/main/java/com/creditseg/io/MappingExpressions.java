package com.creditseg.io;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.InputSettings;
import com.creditseg.config.InputSettings.ColumnSource;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.Names;
import com.creditseg.schema.ReasonCode;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.TryEval;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The mapping expressions of an input ({@code input.mapping.columns.X.expression}), evaluated so
 * that no row's value can stop the run, and checked against the input before any row is read.
 */
final class MappingExpressions {
  private final SparkSession spark;
  private final InputSettings settings;

  MappingExpressions(SparkSession spark, InputSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  /** A mapping expression's value, its type, and the reason to quarantine a row it failed on. */
  record Evaluated(Column value, DataType type, Column error, String attemptName, Column attempt) {}

  /**
   * Evaluates a mapping expression so that no row's value can stop the run. An expression that
   * throws on a row (an ANSI cast of "20,000", a division by zero, a bad date, an index out of
   * range, a failing function), wherever in its tree, gives that row {@code
   * expression_error:column}; an expression that yields null while one of the source columns it
   * reads holds a value that is not a number gives {@code not_a_number:column} for a numeric column
   * (a TRY_CAST of a malformed number), so that a present but unreadable value is never imputed as
   * if it were missing. A null from present numbers (NULLIF(limit, 0)) stays missing. An expression
   * that does not compile is an {@link InputContractException} naming the key (see {@link
   * #notCompiling}).
   *
   * <p>Spark SQL has no function for "this expression, or null if it throws"; {@link TryEval} is
   * the Catalyst expression behind its try_* functions. Wrapping the value in a struct tells a
   * failure (null struct) from a null value (struct holding null). TryEval alone is not enough:
   * Spark computes the common part of a WITH (NULLIF's argument) in a projection of its own, and
   * common subexpression elimination evaluates a subexpression that occurs twice once, before the
   * projection, both outside TryEval's catch; see the setting made below. It does not look inside a
   * lambda function's body, so the expression is evaluated as the body of a one-element {@code
   * transform}, where nothing of it can be hoisted out. That attempt is its own column ({@code
   * attemptName}, added to the source before the mapping's projection), which the value and the
   * error read: a lambda's body is resolved late, and in the same projection as the mapped column
   * of the same name, Spark resolved a source column it reads as that mapped column (a lateral
   * column alias), so that the error tested the result instead of the source.
   */
  Evaluated evaluate(
      Dataset<Row> source,
      List<String> sourceColumns,
      String key,
      String canonical,
      DataType type,
      Map<String, String> categories,
      ColumnSource from) {
    // NULLIF, BETWEEN and their kin are rewritten by Spark 4 into a WITH expression, whose common
    // part the optimizer then computes in a projection of its own, below and outside TryEval:
    // NULLIF(CAST(x AS DOUBLE), 0) threw on "0.5.1" whatever wrapped it. Inlined (the setting
    // Spark keeps as the way around WITH's troubles), the expression stays one tree, and the
    // lambda below keeps subexpression elimination from hoisting its repeated parts. Set for the
    // session: a lazy input is optimized again by every later pass.
    spark.conf().set("spark.sql.alwaysInlineCommonExpr", "true");
    Column user;
    Dataset<Row> probe;
    try {
      user = expr(from.expression());
      probe = source.select(user);
    } catch (Exception e) {
      // Spark 4's AnalysisException (parse errors too) is a checked exception Scala throws
      // undeclared; anything else here is a compile error of the expression as well.
      throw notCompiling(key, from, sourceColumns, e);
    }
    DataType resultType = probe.schema().fields()[0].dataType();
    Column isolated = element_at(transform(array(lit(0)), ignored -> struct(user.as("value"))), 1);
    String attemptName = "_expression_" + canonical;
    Column attempt = col(attemptName);
    Column value = attempt.getField("value");
    Column error = when(attempt.isNull(), lit(ReasonCode.EXPRESSION_ERROR.on(canonical)));
    if (CustomerSchema.isNumeric(type) && categories == null) {
      Column unreadable = lit(false);
      for (Attribute a :
          CollectionConverters.asJava(probe.queryExecution().analyzed().references().toSeq())) {
        if (DataTypes.StringType.equals(a.dataType())) {
          Column text = col(Names.quoted(a.name()));
          unreadable =
              unreadable.or(text.isNotNull().and(text.try_cast(DataTypes.DoubleType).isNull()));
        }
      }
      error =
          coalesce(
              error,
              when(value.isNull().and(unreadable), lit(ReasonCode.NOT_A_NUMBER.on(canonical))));
    }
    return new Evaluated(
        value,
        resultType,
        error,
        attemptName,
        ExpressionUtils.column(new TryEval(ExpressionUtils.expression(isolated))));
  }

  /**
   * The configuration error for a mapping expression that does not compile against the input: one
   * line naming the key, the expression and what is wrong: a column the input does not have (with
   * the closest one it has), a function Spark SQL does not know, a syntax error or a type error.
   */
  private InputContractException notCompiling(
      String key, ColumnSource from, List<String> sourceColumns, Exception e) {
    String expression = "expression \"" + from.expression() + "\"";
    String what;
    if (e instanceof AnalysisException a && a.getCondition() != null) {
      Map<String, String> parameters = a.getMessageParameters();
      String condition = a.getCondition();
      if (condition.startsWith("UNRESOLVED_COLUMN") || condition.startsWith("UNRESOLVED_FIELD")) {
        String name = unquoted(parameters.getOrDefault("objectName", "?"));
        what =
            "reads "
                + name
                + ", which the input does not have"
                + Names.closest(
                        Names.lettersAndDigits(name),
                        sourceColumns,
                        Names::lettersAndDigits,
                        Math.max(2, Names.lettersAndDigits(name).length() / 4))
                    .map(c -> "; did you mean " + c + "?")
                    .orElse(" (columns found: " + Names.listed(sourceColumns) + ")");
      } else if (condition.startsWith("UNRESOLVED_ROUTINE")) {
        what =
            "calls "
                + unquoted(parameters.getOrDefault("routineName", "?"))
                + ", which is not a Spark SQL function";
      } else if (condition.startsWith("PARSE_SYNTAX_ERROR")) {
        what =
            "is not valid Spark SQL: " + SourceFile.firstLine(e).replaceAll("^\\[[A-Z_.]+\\] ", "");
      } else {
        what = "does not compile: " + SourceFile.firstLine(e).replaceAll("^\\[[A-Z_.]+\\] ", "");
      }
    } else {
      what = "does not compile: " + SourceFile.firstLine(e);
    }
    return new InputContractException(
        String.format("%s: %s %s (mapping '%s')", key, expression, what, settings.mapping().name()),
        e);
  }

  /** "`LIMT_BAL`" or "`t`.`x`" as a user wrote it. */
  private static String unquoted(String name) {
    return name.replace("`", "");
  }
}
