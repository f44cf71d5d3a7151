package com.creditseg.quality;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.QualitySettings;
import com.creditseg.config.QualitySettings.ColumnRule;
import com.creditseg.config.QualitySettings.MissingPolicy;
import com.creditseg.config.QualitySettings.RangePolicy;
import com.creditseg.schema.ColumnArrays;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.ReasonCode;
import com.creditseg.schema.Repair;
import com.creditseg.schema.SourceRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Checks customers in the canonical schema and splits them into clean rows, quarantined rows and
 * removed exact copies, so that {@code rows_in = rows_valid + rows_quarantined +
 * rows_deduplicated}.
 *
 * <ul>
 *   <li>Ids: a null or blank {@code customer_id} is quarantined ({@code missing_id}); rows that are
 *       exact copies of another row are removed and counted as deduplicated; different rows sharing
 *       an id are all quarantined ({@code duplicate_id}). See {@link Duplicates}.
 *   <li>Whatever the reader could not convert ({@code parse_errors}) is quarantined with its code.
 *   <li>Numeric columns with a rule in {@code quality.columns}: null, NaN or infinite values are
 *       imputed (the column's exact median over its valid values in an id-hash sample, or a
 *       constant) or rejected; values outside [min, max] are clipped or rejected. A required column
 *       without a rule rejects nulls.
 *   <li>{@code defaulted}, when present, must be 0, 1 or null.
 * </ul>
 *
 * <p>{@link #flag} is lazy and row-local (no shuffle but for the rows of duplicated ids), so the
 * job can flag in the same pass that scores, segments and writes. It adds {@code _status} ({@code
 * valid}, {@code quarantined}, {@code deduplicated}), {@code reasons} (every {@code code:column}),
 * {@code repairs} ({@code imputed:col} / {@code clipped:col}) and {@code run_date}. {@link #clean}
 * keeps the valid rows with their repairs; {@link #quarantine} keeps the quarantined rows with the
 * values they had, {@code reason} (the first reason code), {@code reason_column}, {@code reasons},
 * {@code source_record} (the row as read) and {@code run_date}.
 */
public final class CustomerValidator {
  public static final String REASONS = "reasons";
  public static final String REPAIRS = "repairs";
  public static final String RUN_DATE = "run_date";
  static final String STATUS = "_status";
  static final String VALID = "valid";
  static final String QUARANTINED = "quarantined";
  static final String DEDUPLICATED = "deduplicated";

  private final QualitySettings settings;
  private final Set<String> required;
  private final String runDate;

  public CustomerValidator(QualitySettings settings, Set<String> required, String runDate) {
    this.settings = settings;
    this.required = Set.copyOf(required);
    this.runDate = runDate;
  }

  /** Fails unless {@code customers} has every required column. */
  public void requireColumns(Dataset<Row> customers) {
    CustomerSchema.require(customers, required, "validate customers");
  }

  /**
   * Exact medians of each imputed column's usable values (finite, within the rule's range) over
   * {@code sample}: the same rows on every rerun, so the same medians. A column without a usable
   * value has no median, and its missing values are then rejected.
   *
   * <p>The sample is bounded (quality.median-sample-rows, at most {@value
   * com.creditseg.config.QualitySettings#MAX_MEDIAN_SAMPLE_ROWS}), so its usable values are
   * collected and each column's median is taken on the driver, as Spark's exact {@code percentile}
   * defines it (linear interpolation between the two middle values, commons-math's R-7). Spark's
   * aggregate counted every distinct value in a hash map of boxed doubles and merged those maps in
   * one task, which was nearly half of the medians stage for a sample far smaller than the input.
   */
  public Map<String, Double> medians(Dataset<Row> sample) {
    List<ColumnRule> imputed =
        rules(sample).stream().filter(r -> r.missing() == MissingPolicy.IMPUTE_MEDIAN).toList();
    Map<String, Double> medians = new TreeMap<>();
    if (imputed.isEmpty()) {
      return medians;
    }
    List<Column> usableValues = new ArrayList<>();
    for (ColumnRule r : imputed) {
      Column c = col(r.column()).cast(DataTypes.DoubleType);
      Column usable = not(isMissing(c)).and(c.between(r.min(), r.max()));
      usableValues.add(when(usable, c).as(r.column()));
    }
    List<Row> rows = sample.select(usableValues.toArray(Column[]::new)).collectAsList();
    for (int i = 0; i < imputed.size(); i++) {
      double[] values = new double[rows.size()];
      int n = 0;
      for (Row row : rows) {
        if (!row.isNullAt(i)) {
          values[n++] = row.getDouble(i);
        }
      }
      if (n > 0) {
        medians.put(imputed.get(i).column(), median(Arrays.copyOf(values, n)));
      }
    }
    return medians;
  }

  /** The exact median as Spark's {@code percentile(x, 0.5)} gives it. */
  static double median(double[] values) {
    return new Median().withEstimationType(Percentile.EstimationType.R_7).evaluate(values);
  }

  /**
   * What {@link #flag}, {@link #valid} and {@link #quarantineCounting} test and repair: every
   * reason a row can be quarantined for (each null when it does not apply), each repair (by its
   * {@code imputed:column} or {@code clipped:column} token) with the condition under which it
   * applies, each ruled column's repaired value, whether any reason applies (never null), and
   * whether the input has the reader's {@code parse_errors}.
   */
  private record Checks(
      List<Column> reasons,
      Map<String, Column> repairs,
      Map<String, Column> repaired,
      Column anyReason,
      boolean parseErrors) {
    /** Every reason that applies, the reader's findings first (they explain the nulls). */
    Column reasonList() {
      Column list = ColumnArrays.nonNull(reasons);
      return parseErrors ? array_distinct(concat(col(CustomerSchema.PARSE_ERRORS), list)) : list;
    }

    /** The repairs that applied, for a row that stays. */
    Column repairList() {
      List<Column> tokens = new ArrayList<>();
      repairs.forEach((token, applies) -> tokens.add(when(applies, lit(token))));
      return when(anyNotNull(tokens), ColumnArrays.nonNull(tokens))
          .otherwise(ColumnArrays.emptyStrings());
    }

    Column status() {
      return when(anyReason, lit(QUARANTINED))
          .when(col(Duplicates.COPY_NUMBER).gt(1), lit(DEDUPLICATED))
          .otherwise(lit(VALID));
    }

    /** The row stays in the output: no reason applies and it is no second exact copy. */
    Column valid() {
      return not(anyReason).and(not(col(Duplicates.COPY_NUMBER).gt(1).eqNullSafe(true)));
    }

    /**
     * Rows by {@link #status()} (in column {@code _status}) and the rows that stay by repair; a
     * repair counts where its condition holds, so the repaired values need not be there.
     */
    List<Column> counters() {
      List<Column> counters = new ArrayList<>();
      counters.add(count(lit(1)).as("rows"));
      for (String status : List.of(VALID, QUARANTINED, DEDUPLICATED)) {
        counters.add(countWhere(col(STATUS).equalTo(status)).as("status:" + status));
      }
      repairs.forEach(
          (token, applies) ->
              counters.add(
                  countWhere(col(STATUS).equalTo(VALID).and(applies)).as("repair:" + token)));
      return counters;
    }
  }

  private Checks checks(Dataset<Row> customers, Map<String, Double> medians) {
    List<Column> reasons = new ArrayList<>();
    Map<String, Column> repairs = new LinkedHashMap<>();
    Map<String, Column> repaired = new LinkedHashMap<>();
    List<String> columns = Arrays.asList(customers.columns());
    Column id = col(CustomerSchema.CUSTOMER_ID);
    reasons.add(
        when(
            id.isNull().or(trim(id).equalTo("")),
            reason(ReasonCode.MISSING_ID, CustomerSchema.CUSTOMER_ID)));
    reasons.add(
        when(
            col(Duplicates.CONFLICT).equalTo(true),
            reason(ReasonCode.DUPLICATE_ID, CustomerSchema.CUSTOMER_ID)));

    Set<String> ruled = new TreeSet<>();
    for (ColumnRule rule : rules(customers)) {
      String name = rule.column();
      ruled.add(name);
      DataType type = customers.schema().apply(name).dataType();
      Column c = col(name);
      Column missing = isMissing(c.cast(DataTypes.DoubleType));
      Column below = c.lt(rule.min());
      Column above = c.gt(rule.max());
      Column outOfRange = not(missing).and(below.or(above));
      Double fill = fill(rule, medians);
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
        repairs.put(Repair.IMPUTED.on(name), missing);
      }
      if (rule.outOfRange() == RangePolicy.CLIP) {
        value =
            when(outOfRange.and(below), lit(rule.min()).cast(type))
                .when(outOfRange.and(above), lit(rule.max()).cast(type))
                .otherwise(value);
        repairs.put(Repair.CLIPPED.on(name), outOfRange);
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

    Column anyReason = anyNotNull(reasons);
    boolean parseErrors = columns.contains(CustomerSchema.PARSE_ERRORS);
    if (parseErrors) {
      // The reader's parse_errors is never null; coalesce keeps anyReason so for any input.
      anyReason = anyReason.or(coalesce(size(col(CustomerSchema.PARSE_ERRORS)).gt(0), lit(false)));
    }
    return new Checks(reasons, repairs, repaired, anyReason, parseErrors);
  }

  /** Flags every row lazily (see the class comment); {@code medians} from {@link #medians}. */
  public Dataset<Row> flag(
      Dataset<Row> customers, Map<String, Double> medians, Duplicates duplicates) {
    requireColumns(customers);
    Checks checks = checks(customers, medians);
    Dataset<Row> annotated = duplicates.annotate(customers);
    Column anyReason = checks.anyReason();
    Column none = ColumnArrays.emptyStrings();
    Dataset<Row> flagged =
        annotated
            .withColumn(REASONS, when(anyReason, checks.reasonList()).otherwise(none))
            .withColumn(REPAIRS, when(not(anyReason), checks.repairList()).otherwise(none))
            .withColumn(STATUS, checks.status())
            .withColumn(RUN_DATE, lit(runDate));
    for (Map.Entry<String, Column> e : checks.repaired().entrySet()) {
      // Repairs apply to rows that stay; quarantined rows keep their original values.
      flagged =
          flagged.withColumn(
              e.getKey(),
              when(col(STATUS).equalTo(VALID), e.getValue()).otherwise(col(e.getKey())));
    }
    return flagged.drop(Duplicates.COPIES, Duplicates.CONFLICT, Duplicates.COPY_NUMBER);
  }

  /**
   * The rows {@link #clean} keeps of {@link #flag}'s result, the same rows with the same values and
   * columns, without the status column: the rows that stay are filtered first, so their repaired
   * values and repairs are computed without asking again whether they stay. Without the status
   * (which every repaired column read), Spark runs the filter and the repairs with one projection
   * fewer: in the pass that writes every customer, each projection copies every column of every
   * row.
   */
  public Dataset<Row> valid(
      Dataset<Row> customers, Map<String, Double> medians, Duplicates duplicates) {
    requireColumns(customers);
    Checks checks = checks(customers, medians);
    Dataset<Row> valid =
        duplicates
            .annotate(customers)
            .filter(checks.valid())
            .withColumn(REPAIRS, checks.repairList());
    for (Map.Entry<String, Column> e : checks.repaired().entrySet()) {
      valid = valid.withColumn(e.getKey(), e.getValue());
    }
    return valid.drop(
        Duplicates.COPIES,
        Duplicates.CONFLICT,
        Duplicates.COPY_NUMBER,
        CustomerSchema.PARSE_ERRORS,
        CustomerSchema.SOURCE_RECORD);
  }

  /**
   * The rows {@link #quarantine} keeps of {@link #flag}'s result, the same rows with the same
   * values and columns, while {@code counts} observes {@link Checks#counters} over every row: the
   * job's validate pass. It builds no repaired value and no list of repairs (the quarantine keeps
   * the values as read, and a repair counts where its condition holds), and lists reasons for the
   * quarantined rows only: on a large input the flagged row of every customer, then counted by
   * searching its list of repairs, was most of that pass's CPU.
   */
  public Dataset<Row> quarantineCounting(
      Dataset<Row> customers,
      Map<String, Double> medians,
      Duplicates duplicates,
      Observation counts) {
    requireColumns(customers);
    Checks checks = checks(customers, medians);
    List<Column> counters = checks.counters();
    Dataset<Row> quarantined =
        duplicates
            .annotate(customers)
            .withColumn(STATUS, checks.status())
            .observe(counts, counters.get(0), rest(counters))
            .filter(col(STATUS).equalTo(QUARANTINED))
            .withColumn(REASONS, checks.reasonList())
            .withColumn(RUN_DATE, lit(runDate));
    return quarantine(
        quarantined.drop(Duplicates.COPIES, Duplicates.CONFLICT, Duplicates.COPY_NUMBER));
  }

  /** The valid rows of {@link #flag}'s result, with their repairs, without internal columns. */
  public static Dataset<Row> clean(Dataset<Row> flagged) {
    return flagged
        .filter(col(STATUS).equalTo(VALID))
        .drop(STATUS, REASONS, CustomerSchema.PARSE_ERRORS, CustomerSchema.SOURCE_RECORD, RUN_DATE);
  }

  /**
   * The quarantined rows of {@link #flag}'s result, with {@code reason} and {@code reason_column},
   * and the source record as JSON (or the raw text of a malformed line).
   */
  public static Dataset<Row> quarantine(Dataset<Row> flagged) {
    Column first = split(try_element_at(col(REASONS), lit(1)), ":");
    Dataset<Row> quarantined = flagged.filter(col(STATUS).equalTo(QUARANTINED));
    if (List.of(flagged.columns()).contains(CustomerSchema.SOURCE_RECORD)) {
      quarantined =
          quarantined.withColumn(
              CustomerSchema.SOURCE_RECORD,
              SourceRecord.text(flagged.schema(), col(CustomerSchema.SOURCE_RECORD)));
    }
    return quarantined
        .withColumn("reason", first.getItem(0))
        .withColumn("reason_column", first.getItem(1))
        .drop(STATUS, REPAIRS, CustomerSchema.PARSE_ERRORS);
  }

  /**
   * The quality report from the {@link Checks#counters} row and the quarantined rows (their {@code
   * reason} and {@code reasons} are counted here: one small aggregation).
   */
  public QualityReport report(
      Map<String, ?> counts, Dataset<Row> quarantine, Map<String, Double> medians) {
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, Long> byReasonAndColumn = new TreeMap<>();
    Column tokens =
        concat(
            array(concat(lit("first="), col("reason"))),
            transform(col(REASONS), r -> concat(lit("all="), r)));
    for (Row r : quarantine.select(explode(tokens).as("t")).groupBy("t").count().collectAsList()) {
      String[] kv = r.<String>getAs("t").split("=", 2);
      (kv[0].equals("first") ? byReason : byReasonAndColumn).put(kv[1], r.<Long>getAs("count"));
    }
    Map<String, Long> repairs = new TreeMap<>();
    counts.forEach(
        (name, n) -> {
          if (name.startsWith("repair:") && asLong(n) > 0) {
            repairs.put(name.substring("repair:".length()), asLong(n));
          }
        });
    long valid = asLong(counts.get("status:" + VALID));
    long quarantined = asLong(counts.get("status:" + QUARANTINED));
    long deduplicated = asLong(counts.get("status:" + DEDUPLICATED));
    return new QualityReport(
        settings.maxQuarantinedShare(),
        asLong(counts.get("rows")),
        deduplicated,
        quarantined,
        valid,
        byReason,
        byReasonAndColumn,
        repairs,
        medians);
  }

  /** The numeric columns of {@code customers} with a rule in quality.columns. */
  private List<ColumnRule> rules(Dataset<Row> customers) {
    List<String> columns = Arrays.asList(customers.columns());
    return settings.columns().values().stream()
        .filter(r -> columns.contains(r.column()))
        .filter(r -> CustomerSchema.isNumeric(customers.schema().apply(r.column()).dataType()))
        .toList();
  }

  private static Double fill(ColumnRule rule, Map<String, Double> medians) {
    return switch (rule.missing()) {
      case IMPUTE_MEDIAN -> medians.get(rule.column());
      case IMPUTE_CONSTANT -> rule.constant();
      case REJECT -> null;
    };
  }

  /** A counter's value: sums over no rows are null. */
  private static long asLong(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static Column countWhere(Column condition) {
    return sum(when(condition, 1L).otherwise(0L));
  }

  private static Column first(List<Column> columns) {
    return columns.get(0);
  }

  private static Column[] rest(List<Column> columns) {
    return columns.subList(1, columns.size()).toArray(Column[]::new);
  }

  /** True when any of the columns is not null. */
  private static Column anyNotNull(List<Column> columns) {
    return columns.stream().map(Column::isNotNull).reduce(Column::or).orElse(lit(false));
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
