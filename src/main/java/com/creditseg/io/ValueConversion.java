package com.creditseg.io;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.InputSettings;
import com.creditseg.config.InputSettings.ColumnSource;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.ReasonCode;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;

/**
 * One source value converted to its canonical column's type: CSV text trimmed and its missing-value
 * markers nulled, categories mapped, numbers parsed (with the CSV's decimal separator), dates
 * turned into months before the run date, unit factors and rescaling applied, whole numbers
 * checked; with the {@code code:column} to quarantine the row for when a present value does not
 * convert.
 */
final class ValueConversion {
  private final InputSettings settings;
  private final LocalDate runDate;

  ValueConversion(InputSettings settings, LocalDate runDate) {
    this.settings = settings;
    this.runDate = runDate;
  }

  /** What a missing value of the column is read as ({@code missing} in its mapping), or null. */
  static String missingAs(ColumnSource from, Map<String, String> categories) {
    return from == null || from.missing() == null ? null : from.missing().canonical(categories);
  }

  /** {@code text} as a literal of {@code type} (a number cast as a double is, for an int). */
  static Column typed(String text, DataType type) {
    return DataTypes.StringType.equals(type) ? lit(text) : lit(Double.parseDouble(text)).cast(type);
  }

  /** A converted value and the {@code code:column} to report when conversion failed. */
  record Converted(Column value, Column error) {}

  Converted convert(
      String canonical,
      DataType type,
      Map<String, String> categories,
      Column raw,
      DataType rawType,
      ColumnSource from,
      boolean normalised) {
    boolean numericSource = rawType instanceof NumericType;
    Column text =
        numericSource || normalised ? raw : nullified(trim(raw.cast(DataTypes.StringType)));

    if (categories != null && !categories.isEmpty()) {
      return categorical(canonical, type, categories, text);
    }
    if (DataTypes.StringType.equals(type)) {
      return new Converted(text, lit(null).cast(DataTypes.StringType));
    }

    Column number;
    ReasonCode failure = ReasonCode.NOT_A_NUMBER;
    if (from != null && from.dateFormat() != null) {
      Column date = try_to_timestamp(text.cast(DataTypes.StringType), lit(from.dateFormat()));
      number = floor(months_between(lit(Date.valueOf(runDate)), date)).cast("double");
      failure = ReasonCode.INVALID_DATE;
    } else if (numericSource) {
      number = raw.cast(DataTypes.DoubleType);
    } else {
      Column decimal =
          !normalised && settings.csv().decimalSeparator().equals(",")
              ? regexp_replace(text, ",", ".")
              : text;
      number = decimal.try_cast(DataTypes.DoubleType);
    }
    if (from != null && from.multiply() != 1.0) {
      number = number.multiply(from.multiply());
    }
    if (from != null && from.isRescaled()) {
      double[] r = from.rescale();
      number = number.minus(r[0]).divide(r[1] - r[0]).multiply(r[3] - r[2]).plus(r[2]);
    }
    Column value = number;
    Column error = null;
    boolean plain = from == null || (from.multiply() == 1.0 && !from.isRescaled());
    if (DataTypes.IntegerType.equals(type) && plain && rawType instanceof IntegralType) {
      // Already whole numbers: no rounding; a long beyond an int's range is out_of_range.
      value = raw.try_cast(DataTypes.IntegerType);
      error = when(raw.isNotNull().and(value.isNull()), lit(ReasonCode.OUT_OF_RANGE.on(canonical)));
    } else if (DataTypes.IntegerType.equals(type)) {
      Column finite =
          not(isnan(number))
              .and(not(number.isin(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)));
      // Half away from zero, as round() does, in double arithmetic: round() on a double goes
      // through BigDecimal, which made it the most expensive part of reading. Only a unit
      // conversion's result is rounded; a source value of 3.7 late payments is not a count, and
      // rounding it would change the data without a word. (A mapping expression's result is the
      // user's formula, and rounded as a conversion's is.)
      Column rounded = signum(number).multiply(floor(abs(number).plus(0.5)));
      value = when(finite, rounded).try_cast(DataTypes.IntegerType);
      Column beyond = finite.and(abs(rounded).gt(Integer.MAX_VALUE)).and(text.isNotNull());
      error = when(beyond, lit(ReasonCode.OUT_OF_RANGE.on(canonical)));
      if (from == null || (from.expression() == null && from.dateFormat() == null && plain)) {
        error =
            error.when(
                finite.and(number.notEqual(rounded)), lit(ReasonCode.NOT_AN_INTEGER.on(canonical)));
      }
    }
    Column failed = when(text.isNotNull().and(value.isNull()), lit(failure.on(canonical)));
    return new Converted(value, error == null ? failed : coalesce(error, failed));
  }

  /**
   * A value of a column with categories: a listed source value maps to its target, anything else
   * present is unmappable_category (and for a number column, a target that is no number is
   * not_a_number).
   */
  private static Converted categorical(
      String canonical, DataType type, Map<String, String> categories, Column text) {
    Column mappedText = mapCategories(text, canonical, categories);
    Column unmappable = text.isNotNull().and(mappedText.isNull());
    Column error = when(unmappable, lit(ReasonCode.UNMAPPABLE_CATEGORY.on(canonical)));
    if (DataTypes.StringType.equals(type)) {
      return new Converted(coalesce(mappedText, text), error);
    }
    Column number = mappedText.try_cast(type);
    return new Converted(
        number,
        coalesce(
            error,
            when(
                mappedText.isNotNull().and(number.isNull()),
                lit(ReasonCode.NOT_A_NUMBER.on(canonical)))));
  }

  /** Null for the configured missing-value markers. */
  Column nullified(Column text) {
    return when(text.isin(settings.csv().nullValues().toArray()), lit(null)).otherwise(text);
  }

  /**
   * The mapped canonical value: a listed source value (case and blanks ignored) maps to its target;
   * a value that already is one of the targets, or one of the column's canonical values ({@link
   * CustomerSchema#vocabulary}), stays, in its canonical spelling; anything else is null.
   */
  private static Column mapCategories(
      Column text, String canonical, Map<String, String> categories) {
    List<Column> pairs = new ArrayList<>();
    Map<String, String> lookup = new LinkedHashMap<>();
    categories.forEach((from, to) -> lookup.put(from.trim().toLowerCase(Locale.ROOT), to));
    categories.values().forEach(to -> lookup.putIfAbsent(to.trim().toLowerCase(Locale.ROOT), to));
    CustomerSchema.vocabulary(canonical)
        .forEach(value -> lookup.putIfAbsent(value.toLowerCase(Locale.ROOT), value));
    lookup.forEach(
        (from, to) -> {
          pairs.add(lit(from));
          pairs.add(lit(to));
        });
    return try_element_at(map(pairs.toArray(Column[]::new)), lower(text.cast("string")));
  }

  /**
   * CSV text as the mapping sees it: trimmed (of blanks, tabs and line breaks), the configured
   * missing-value markers as null, and a number written with the configured grouping and decimal
   * separators ("20,000", "1.234,56") rewritten plainly ("20000", "1234.56"). Text that is not such
   * a number is left as it is.
   */
  Column normalisedText(Column raw) {
    // Blanks, tabs and line-break characters: a multi-line parse takes the file's first line end
    // as its line separator, so in a file with both (edited on Windows and elsewhere) a \r is left
    // at the end of a record's last field.
    Column text = nullified(trim(raw, " \t\r\n"));
    InputSettings.CsvOptions csv = settings.csv();
    String grouping = csv.groupingSeparator();
    String decimal = csv.decimalSeparator();
    if (grouping.isEmpty() && decimal.equals(".")) {
      return text;
    }
    String g = Pattern.quote(grouping);
    String d = Pattern.quote(decimal);
    String number =
        grouping.isEmpty()
            ? "^[+-]?\\d+(" + d + "\\d+)?$"
            : "^[+-]?(\\d{1,3}(" + g + "\\d{3})+|\\d+)(" + d + "\\d+)?$";
    Column plain = grouping.isEmpty() ? text : regexp_replace(text, lit(g), lit(""));
    if (!decimal.equals(".")) {
      plain = regexp_replace(plain, lit(d), lit("."));
    }
    return when(text.rlike(number), plain).otherwise(text);
  }
}
