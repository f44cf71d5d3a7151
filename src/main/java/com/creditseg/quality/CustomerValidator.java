package com.creditseg.quality;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.QualitySettings;
import com.creditseg.config.QualitySettings.ColumnRule;
import com.creditseg.config.QualitySettings.MissingPolicy;
import com.creditseg.config.QualitySettings.RangePolicy;
import com.creditseg.io.CustomerReader;
import com.creditseg.io.CustomerSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * Checks customers in the canonical schema and splits them into clean rows, quarantined rows and
 * removed exact copies, so that {@code rows_in = rows_valid + rows_quarantined +
 * rows_deduplicated}.
 *
 * <ul>
 *   <li>Ids: a null or blank {@code customer_id} is quarantined ({@code missing_id}); rows that are
 *       exact copies of another row are removed and counted as deduplicated; different rows sharing
 *       an id are all quarantined ({@code duplicate_id}).
 *   <li>Whatever the reader could not convert ({@code parse_errors}) is quarantined with its code.
 *   <li>Numeric columns with a rule in {@code quality.columns}: null, NaN or infinite values are
 *       imputed (the column's exact median over its valid values in a sample chosen by id hash, or
 *       a constant) or rejected; values outside [min, max] are clipped or rejected. A required
 *       column without a rule rejects nulls.
 *   <li>{@code defaulted}, when present, must be 0, 1 or null.
 * </ul>
 *
 * Clean rows get a {@code repairs} column (array of {@code imputed:col} / {@code clipped:col}).
 * Quarantined rows keep the values they had, with {@code reason} (the first reason code), {@code
 * reason_column}, {@code reasons} (every {@code code:column}), {@code source_record} (the row as
 * read) and {@code run_date}.
 */
public final class CustomerValidator {
  static final String REASONS = "reasons";
  static final String REPAIRS = "repairs";
  private static final String STATUS = "_status";
  private static final String VALID = "valid";
  private static final String QUARANTINED = "quarantined";
  private static final String DEDUPLICATED = "deduplicated";
  private static final String HASH = "_row_hash";
  private static final String COPIES = "_copies";
  private static final String CONFLICT = "_conflict";
  private static final String COPY_NUMBER = "_copy_number";

  private final QualitySettings settings;
  private final Set<String> required;
  private final String runDate;

  public CustomerValidator(QualitySettings settings, Set<String> required, String runDate) {
    this.settings = settings;
    this.required = Set.copyOf(required);
    this.runDate = runDate;
  }

  /** The result of validating one input. Call {@link #release()} when done with it. */
  public record Validation(Dataset<Row> flagged, QualityReport report) {
    public Dataset<Row> clean() {
      return flagged
          .filter(col(STATUS).equalTo(VALID))
          .drop(
              STATUS,
              REASONS,
              CustomerReader.PARSE_ERRORS,
              CustomerReader.SOURCE_RECORD,
              "run_date");
    }

    public Dataset<Row> quarantine() {
      Column first = split(try_element_at(col(REASONS), lit(1)), ":");
      return flagged
          .filter(col(STATUS).equalTo(QUARANTINED))
          .withColumn("reason", first.getItem(0))
          .withColumn("reason_column", first.getItem(1))
          .drop(STATUS, REPAIRS, CustomerReader.PARSE_ERRORS);
    }

    public void release() {
      flagged.unpersist();
    }
  }

  /**
   * Validates {@code rows} customers: computes the imputation medians (one pass over a sample),
   * flags every row, persists the flagged rows for {@link Validation#clean()} and {@link
   * Validation#quarantine()}, and counts them for the report (one pass).
   */
  public Validation validate(Dataset<Row> customers, long rows) {
    CustomerSchema.require(customers, required, "validate customers");
    List<ColumnRule> rules =
        settings.columns().values().stream()
            .filter(r -> Arrays.asList(customers.columns()).contains(r.column()))
            .filter(r -> CustomerSchema.isNumeric(r.column()))
            .toList();
    Map<String, Double> medians = medians(customers, rules, rows);
    Dataset<Row> flagged =
        flag(withDuplicates(customers), rules, medians).persist(StorageLevel.MEMORY_AND_DISK());
    return new Validation(flagged, report(flagged, medians));
  }

  /**
   * Exact medians of the valid values, over the customers whose id hash falls in a fraction that
   * leaves about {@code quality.median-sample-rows} of them: the same rows, hence the same medians,
   * on every rerun, whatever the partitioning.
   */
  private Map<String, Double> medians(Dataset<Row> customers, List<ColumnRule> rules, long rows) {
    List<ColumnRule> imputed =
        rules.stream().filter(r -> r.missing() == MissingPolicy.IMPUTE_MEDIAN).toList();
    Map<String, Double> medians = new TreeMap<>();
    if (imputed.isEmpty()) {
      return medians;
    }
    Dataset<Row> sample = customers;
    if (rows > settings.medianSampleRows()) {
      long buckets = 1_000_000;
      long kept = Math.max(1, buckets * settings.medianSampleRows() / rows);
      sample =
          customers.filter(pmod(xxhash64(col(CustomerSchema.CUSTOMER_ID)), lit(buckets)).lt(kept));
    }
    Column[] aggregates =
        imputed.stream()
            .map(
                r -> {
                  Column c = col(r.column()).cast(DataTypes.DoubleType);
                  Column usable = not(isMissing(c)).and(c.between(r.min(), r.max()));
                  return percentile(when(usable, c), lit(0.5));
                })
            .toArray(Column[]::new);
    Row row =
        sample.agg(aggregates[0], Arrays.copyOfRange(aggregates, 1, aggregates.length)).first();
    for (int i = 0; i < imputed.size(); i++) {
      if (!row.isNullAt(i)) {
        medians.put(imputed.get(i).column(), row.getDouble(i));
      }
    }
    return medians;
  }

  /**
   * Adds {@code _copies} and {@code _conflict} (null for unique ids) and {@code _copy_number}.
   * Duplicated ids are found by an aggregation, which shuffles one small row per id, and joined
   * back; only the rows of duplicated ids are numbered by a window.
   */
  private static Dataset<Row> withDuplicates(Dataset<Row> customers) {
    Column[] content =
        Arrays.stream(customers.columns())
            .filter(c -> !c.equals(CustomerReader.SOURCE_RECORD))
            .map(c -> col(c))
            .toArray(Column[]::new);
    Dataset<Row> hashed = customers.withColumn(HASH, xxhash64(content));
    String id = CustomerSchema.CUSTOMER_ID;
    Dataset<Row> duplicated =
        hashed
            .filter(col(id).isNotNull())
            .groupBy(id)
            .agg(count(lit(1)).as(COPIES), min(HASH).notEqual(max(HASH)).as(CONFLICT))
            .filter(col(COPIES).gt(1));
    Dataset<Row> joined = hashed.join(duplicated, new String[] {id}, "left");
    Dataset<Row> unique = joined.filter(col(COPIES).isNull()).withColumn(COPY_NUMBER, lit(1));
    Dataset<Row> copies =
        joined
            .filter(col(COPIES).isNotNull())
            .withColumn(COPY_NUMBER, row_number().over(Window.partitionBy(id, HASH).orderBy(HASH)));
    return unique.unionByName(copies);
  }

  private Dataset<Row> flag(
      Dataset<Row> customers, List<ColumnRule> rules, Map<String, Double> medians) {
    List<Column> reasons = new ArrayList<>();
    List<Column> repairs = new ArrayList<>();
    Map<String, Column> repaired = new LinkedHashMap<>();
    List<String> columns = Arrays.asList(customers.columns());

    Column id = col(CustomerSchema.CUSTOMER_ID);
    reasons.add(
        when(
            id.isNull().or(trim(id).equalTo("")),
            reason(ReasonCode.MISSING_ID, CustomerSchema.CUSTOMER_ID)));
    reasons.add(
        when(
            col(CONFLICT).equalTo(true),
            reason(ReasonCode.DUPLICATE_ID, CustomerSchema.CUSTOMER_ID)));

    Set<String> ruled = new TreeSet<>();
    for (ColumnRule rule : rules) {
      String name = rule.column();
      ruled.add(name);
      DataType type = CustomerSchema.typeOf(name);
      Column c = col(name);
      Column missing = isMissing(c.cast(DataTypes.DoubleType));
      Column below = c.lt(rule.min());
      Column above = c.gt(rule.max());
      Column outOfRange = not(missing).and(below.or(above));
      Double fill =
          switch (rule.missing()) {
            case IMPUTE_MEDIAN -> medians.get(name);
            case IMPUTE_CONSTANT -> rule.constant();
            case REJECT -> null;
          };
      if (fill == null) {
        reasons.add(when(c.isNull(), reason(ReasonCode.MISSING_VALUE, name)));
        if (DataTypes.DoubleType.equals(type)) {
          reasons.add(when(isnan(c), reason(ReasonCode.NOT_A_NUMBER, name)));
          reasons.add(when(isInfinite(c), reason(ReasonCode.INFINITE, name)));
        }
      }
      if (rule.outOfRange() == RangePolicy.REJECT) {
        reasons.add(when(outOfRange, reason(ReasonCode.OUT_OF_RANGE, name)));
      }
      Column value = c;
      if (fill != null) {
        value = when(missing, lit(fill).cast(type)).otherwise(value);
        repairs.add(when(missing, lit("imputed:" + name)));
      }
      if (rule.outOfRange() == RangePolicy.CLIP) {
        value =
            when(outOfRange.and(below), lit(rule.min()).cast(type))
                .when(outOfRange.and(above), lit(rule.max()).cast(type))
                .otherwise(value);
        repairs.add(when(outOfRange, lit("clipped:" + name)));
      }
      repaired.put(name, value);
    }
    for (String name : required) {
      if (!ruled.contains(name) && !name.equals(CustomerSchema.CUSTOMER_ID)) {
        reasons.add(when(col(name).isNull(), reason(ReasonCode.MISSING_VALUE, name)));
      }
    }
    if (columns.contains(CustomerSchema.DEFAULTED)) {
      Column label = col(CustomerSchema.DEFAULTED);
      reasons.add(
          when(
              label.isNotNull().and(not(label.isin(0, 1))),
              reason(ReasonCode.OUT_OF_RANGE, CustomerSchema.DEFAULTED)));
    }

    Column reasonArray = filter(array(reasons.toArray(Column[]::new)), x -> x.isNotNull());
    if (columns.contains(CustomerReader.PARSE_ERRORS)) {
      // The reader's findings come first: they explain the nulls the checks above then see.
      reasonArray = array_distinct(concat(col(CustomerReader.PARSE_ERRORS), reasonArray));
    }
    Column repairArray =
        repairs.isEmpty()
            ? array().cast("array<string>")
            : filter(array(repairs.toArray(Column[]::new)), x -> x.isNotNull());
    Column status =
        when(size(col(REASONS)).gt(0), lit(QUARANTINED))
            .when(col(COPY_NUMBER).gt(1), lit(DEDUPLICATED))
            .otherwise(lit(VALID));

    Dataset<Row> flagged =
        customers
            .withColumn(REASONS, reasonArray)
            .withColumn(REPAIRS, repairArray)
            .withColumn(STATUS, status)
            .withColumn("run_date", lit(runDate));
    for (Map.Entry<String, Column> e : repaired.entrySet()) {
      // Repairs apply to rows that stay; quarantined rows keep their original values.
      flagged =
          flagged.withColumn(
              e.getKey(),
              when(col(STATUS).equalTo(VALID), e.getValue()).otherwise(col(e.getKey())));
    }
    if (columns.contains(CustomerReader.SOURCE_RECORD)) {
      // Only quarantined rows keep the source record: it is for explaining them.
      flagged =
          flagged.withColumn(
              CustomerReader.SOURCE_RECORD,
              when(col(STATUS).equalTo(QUARANTINED), col(CustomerReader.SOURCE_RECORD)));
    }
    return flagged.drop(HASH, COPIES, CONFLICT, COPY_NUMBER);
  }

  /**
   * Counts statuses, reasons (first per row, and every reason:column) and repairs in one pass: each
   * row becomes a few tokens, and the tokens are counted.
   */
  private QualityReport report(Dataset<Row> flagged, Map<String, Double> medians) {
    Column quarantined = col(STATUS).equalTo(QUARANTINED);
    Column none = array().cast("array<string>");
    Column tokens =
        concat(
            array(concat(lit("status="), col(STATUS))),
            when(
                    quarantined,
                    concat(
                        array(
                            concat(
                                lit("first="),
                                split(try_element_at(col(REASONS), lit(1)), ":").getItem(0))),
                        transform(col(REASONS), r -> concat(lit("reason="), r))))
                .otherwise(none),
            when(
                    col(STATUS).equalTo(VALID),
                    transform(col(REPAIRS), r -> concat(lit("repair="), r)))
                .otherwise(none));
    Map<String, Long> byStatus = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, Long> byReasonAndColumn = new TreeMap<>();
    Map<String, Long> repairs = new TreeMap<>();
    Map<String, Map<String, Long>> byKind =
        Map.of(
            "status", byStatus, "first", byReason, "reason", byReasonAndColumn, "repair", repairs);
    for (Row r : flagged.select(explode(tokens).as("t")).groupBy("t").count().collectAsList()) {
      String[] kv = r.getString(0).split("=", 2);
      byKind.get(kv[0]).put(kv[1], r.getLong(1));
    }
    long valid = byStatus.getOrDefault(VALID, 0L);
    long quarantinedRows = byStatus.getOrDefault(QUARANTINED, 0L);
    long deduplicated = byStatus.getOrDefault(DEDUPLICATED, 0L);
    return new QualityReport(
        valid + quarantinedRows + deduplicated,
        deduplicated,
        quarantinedRows,
        valid,
        byReason,
        byReasonAndColumn,
        repairs,
        medians);
  }

  private static Column reason(ReasonCode code, String column) {
    return lit(code.on(column));
  }

  private static Column isMissing(Column doubleValue) {
    return doubleValue.isNull().or(isnan(doubleValue)).or(isInfinite(doubleValue));
  }

  private static Column isInfinite(Column c) {
    return c.cast(DataTypes.DoubleType).isin(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }
}
