package com.creditseg.io;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.InputSettings;
import com.creditseg.config.InputSettings.ColumnSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads customers from Parquet or CSV and maps them onto the canonical schema through {@code
 * input.mapping}: source column names, category values and linear rescaling. A canonical column not
 * named in the mapping is taken from the source column of the same name when there is one.
 *
 * <p>The result has the canonical columns found, in schema order and canonical types, plus {@code
 * parse_errors}: the canonical columns whose source value was present but could not be converted
 * (text that is not a number, say). When the source has no customer id, {@code customer_id} is
 * derived from a hash of the row's source values, so the same input gives the same ids on every
 * run.
 */
public final class CustomerReader {
  public static final String PARSE_ERRORS = "parse_errors";
  private static final Logger LOG = LoggerFactory.getLogger(CustomerReader.class);

  private final SparkSession spark;
  private final InputSettings settings;

  public CustomerReader(SparkSession spark, InputSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  /** What reading produced: the mapped customers and whether their ids were derived. */
  public record Input(Dataset<Row> customers, boolean customerIdDerived) {}

  /**
   * Reads and maps; fails with {@link InputContractException} when the path does not exist, the
   * mapping names a source column that is not there, or a {@code required} column is absent.
   */
  public Input read(Collection<String> required) {
    Dataset<Row> source = readSource();
    List<String> sourceColumns = Arrays.asList(source.columns());
    List<Column> mapped = new ArrayList<>();
    List<Column> parseErrors = new ArrayList<>();
    Set<String> found = new TreeSet<>();
    for (String canonical : CustomerSchema.columns()) {
      ColumnSource from = settings.mapping().columns().get(canonical);
      String sourceName = from != null ? from.source() : canonical;
      if (!sourceColumns.contains(sourceName)) {
        if (from != null) {
          throw new InputContractException(
              String.format(
                  "input.mapping.columns.%s names source column '%s', which the input does not"
                      + " have (mapping '%s', input %s, columns found: %s)",
                  canonical,
                  sourceName,
                  settings.mapping().name(),
                  settings.path(),
                  String.join(", ", sourceColumns)));
        }
        continue;
      }
      found.add(canonical);
      Column raw = col(quoted(sourceName));
      Column value = convert(canonical, raw, from);
      mapped.add(value.as(canonical));
      parseErrors.add(when(raw.isNotNull().and(value.isNull()), lit(canonical)));
    }
    boolean derivedId = !found.contains(CustomerSchema.CUSTOMER_ID);
    if (derivedId) {
      mapped.add(0, derivedId(sourceColumns).as(CustomerSchema.CUSTOMER_ID));
      found.add(CustomerSchema.CUSTOMER_ID);
      LOG.info("Input has no customer id column: deriving customer_id from each row's values");
    }
    List<String> missing = required.stream().filter(c -> !found.contains(c)).sorted().toList();
    if (!missing.isEmpty()) {
      throw new InputContractException(
          String.format(
              "Required column%s %s not found in %s (mapping '%s'; columns found: %s)",
              missing.size() == 1 ? "" : "s",
              String.join(", ", missing),
              settings.path(),
              settings.mapping().name(),
              String.join(", ", sourceColumns)));
    }
    Column errors =
        parseErrors.isEmpty()
            ? array().cast("array<string>")
            : filter(array(parseErrors.toArray(Column[]::new)), x -> x.isNotNull());
    mapped.add(errors.as(PARSE_ERRORS));
    Dataset<Row> customers = source.select(mapped.toArray(Column[]::new));
    List<String> order = new ArrayList<>(CustomerSchema.presentIn(customers));
    order.add(PARSE_ERRORS);
    return new Input(
        customers.select(order.stream().map(c -> col(c)).toArray(Column[]::new)), derivedId);
  }

  private Dataset<Row> readSource() {
    Path path = new Path(settings.path());
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new InputContractException("Input path not found: " + settings.path());
      }
    } catch (IOException e) {
      throw new InputContractException("Cannot read input path " + settings.path() + ": " + e, e);
    }
    DataFrameReader reader = spark.read();
    if (settings.format().equals("csv")) {
      InputSettings.CsvOptions csv = settings.csv();
      return reader
          .option("header", csv.header())
          .option("sep", csv.delimiter())
          .option("quote", csv.quote())
          .option("nullValue", csv.nullValue())
          .option("encoding", csv.encoding())
          .option("inferSchema", false)
          .option("mode", "PERMISSIVE")
          .csv(settings.path());
    }
    return reader.parquet(settings.path());
  }

  /** Category mapping, rescaling and the cast to the canonical type; null where it fails. */
  private Column convert(String canonical, Column raw, ColumnSource from) {
    DataType type = CustomerSchema.typeOf(canonical);
    Map<String, String> categories = settings.mapping().categories().get(canonical);
    if (DataTypes.StringType.equals(type)) {
      return mapCategories(raw, categories);
    }
    Column value = categories == null ? raw : mapCategories(raw, categories);
    Column number = value.try_cast(DataTypes.DoubleType);
    if (from != null && from.isRescaled()) {
      double[] r = from.rescale();
      number = number.minus(r[0]).divide(r[1] - r[0]).multiply(r[3] - r[2]).plus(r[2]);
    }
    if (DataTypes.IntegerType.equals(type)) {
      return when(
              isnan(number).or(number.isin(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)),
              lit(null))
          .otherwise(round(number))
          .try_cast(DataTypes.IntegerType);
    }
    return number;
  }

  /** Trimmed text, with values listed in the mapping replaced; others pass through. */
  private static Column mapCategories(Column raw, Map<String, String> categories) {
    Column text = trim(raw.cast(DataTypes.StringType));
    if (categories == null || categories.isEmpty()) {
      return text;
    }
    List<Column> pairs = new ArrayList<>();
    categories.forEach(
        (from, to) -> {
          pairs.add(lit(from));
          pairs.add(lit(to));
        });
    return coalesce(try_element_at(map(pairs.toArray(Column[]::new)), text), text);
  }

  private static Column derivedId(List<String> sourceColumns) {
    Column[] values =
        sourceColumns.stream()
            .map(c -> coalesce(col(quoted(c)).cast(DataTypes.StringType), lit("\u0000")))
            .toArray(Column[]::new);
    return concat(lit("H"), substring(sha2(concat_ws("\u0001", values), 256), 1, 20));
  }

  static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
