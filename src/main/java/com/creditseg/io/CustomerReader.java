package com.creditseg.io;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.InputSettings;
import com.creditseg.config.InputSettings.ColumnSource;
import com.creditseg.config.InputSettings.ExtraColumn;
import com.creditseg.schema.ColumnArrays;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputColumn;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.Names;
import com.creditseg.schema.ReasonCode;
import com.creditseg.schema.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
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
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads customers from Parquet or CSV and maps them onto the canonical schema through {@code
 * input.mapping} (see reference.conf): source names matched ignoring case, blanks and a byte-order
 * mark; Spark SQL expressions; dates, unit factors and rescaling; category values.
 *
 * <p>The result has the canonical columns found, in schema order and canonical types, plus:
 *
 * <ul>
 *   <li>{@code parse_errors}: {@code code:column} for each value that was there but could not be
 *       converted ({@code not_a_number}, {@code invalid_date}, {@code unmappable_category}), and
 *       {@code malformed_line:_line} for a CSV line that did not parse;
 *   <li>{@code source_record}: the row as it was in the source, as JSON (the raw text of a
 *       malformed line), so quarantined rows keep their original values.
 * </ul>
 *
 * When the source has no customer id, {@code customer_id} is derived from a hash of the row's
 * source values, so the same input gives the same ids on every run.
 */
public final class CustomerReader {
  private static final String CORRUPT = SourceRecord.CORRUPT;
  private static final String DERIVED_ID = "__creditseg_derived_id";
  private static final Logger LOG = LoggerFactory.getLogger(CustomerReader.class);

  private final SparkSession spark;
  private final InputSettings settings;
  private final SourceFile sourceFile;
  private final ValueConversion conversion;
  private final MappingExpressions expressions;

  public CustomerReader(SparkSession spark, InputSettings settings, LocalDate runDate) {
    this.spark = spark;
    this.settings = settings;
    this.sourceFile = new SourceFile(spark, settings);
    this.conversion = new ValueConversion(settings, runDate);
    this.expressions = new MappingExpressions(spark, settings);
  }

  /**
   * The source's column names, as a mapping sees them, without reading any rows (a CSV's header
   * line only). Lets a reader of another canonical schema decide which columns to map.
   */
  public List<String> sourceColumns() {
    return sourceFile.sourceColumns();
  }

  /**
   * What reading produced: the mapped customers (lazy, or kept on disk by {@link #readParsedOnce}),
   * how many rows the source has, and whether their ids were derived.
   */
  public record Input(
      Dataset<Row> customers,
      long rows,
      boolean customerIdDerived,
      List<String> warnings,
      Map<String, InputColumn> read,
      List<String> sourceColumns) {
    public Input {
      read = Map.copyOf(read);
      sourceColumns = List.copyOf(sourceColumns);
    }

    /** Drops what {@link #readParsedOnce} kept; nothing to do for a lazy read. */
    public void release() {
      customers.unpersist();
    }
  }

  /**
   * {@link #read}, for a caller that scans the customers several times: a CSV input is parsed and
   * converted once, its mapped rows kept on the executors' disks ({@code DISK_ONLY}, nothing on the
   * heap) and counted from there, so every later scan reads typed columns instead of the text. A
   * Parquet input stays lazy: its columns are typed already, and its rows are counted from the
   * footers. Release with {@link Input#release}.
   *
   * <p>Read lazily, each pass over a CSV parsed every line again and converted every value it read
   * (text to number, missing-value markers, categories), with the conversions inlined into its
   * plan: five parses of the file, and at 2M and 10M customers a segment pass whose generated code
   * outgrew Java's 64 KB method limit. Kept, the conversion is done once: the read stage takes
   * longer and the passes after it take less, more than making up for it (docs/performance.md).
   */
  public Input readParsedOnce(Map<String, String> required) {
    return read(required, settings.format().equals("csv"));
  }

  /**
   * Reads and maps; fails with {@link InputContractException} when the path does not exist or is
   * empty, the mapping names a source column that is not there or an expression that does not
   * resolve, or a {@code required} column is absent. {@code required} maps each required column to
   * why it is required and how to do without it, for the message.
   */
  public Input read(Map<String, String> required) {
    return read(required, false);
  }

  private Input read(Map<String, String> required, boolean keepOnDisk) {
    return read(required, keepOnDisk, settings.csv().multiLine());
  }

  private Input read(Map<String, String> required, boolean keepOnDisk, boolean multiLine) {
    List<String> warnings = new ArrayList<>();
    Dataset<Row> file = sourceFile.read(multiLine, warnings);
    List<String> sourceColumns =
        List.of(file.columns()).stream().filter(c -> !c.equals(CORRUPT)).toList();
    boolean malformedLines = List.of(file.columns()).contains(CORRUPT);
    Dataset<Row> source = normalised(file, sourceColumns, malformedLines);
    Mapped mapped = map(source, sourceColumns);
    requirePresent(required, mapped.found(), sourceColumns);
    List<Column> columns = new ArrayList<>(mapped.columns());
    List<Column> parseErrors = new ArrayList<>(mapped.parseErrors());
    if (malformedLines) {
      parseErrors.add(when(col(CORRUPT).isNotNull(), lit(ReasonCode.MALFORMED_LINE.on("_line"))));
    }
    columns.add(ColumnArrays.nonNull(parseErrors).as(CustomerSchema.PARSE_ERRORS));
    columns.add(col(CustomerSchema.SOURCE_RECORD));
    Dataset<Row> customers =
        (mapped.attempts().isEmpty() ? source : source.withColumns(mapped.attempts()))
            .select(columns.toArray(Column[]::new));
    List<String> order = new ArrayList<>(CustomerSchema.presentIn(customers));
    order.addAll(settings.mapping().extraColumns().keySet());
    order.add(CustomerSchema.PARSE_ERRORS);
    order.add(CustomerSchema.SOURCE_RECORD);
    Dataset<Row> ordered = customers.select(order.stream().map(c -> col(c)).toArray(Column[]::new));
    if (!settings.format().equals("csv")) {
      // Counting the source, not the mapped rows: Parquet answers from its footers.
      return new Input(
          ordered,
          file.count(),
          mapped.derivedId(),
          List.copyOf(warnings),
          mapped.read(),
          sourceColumns);
    }
    Dataset<Row> counted = keepOnDisk ? ordered.persist(StorageLevel.DISK_ONLY()) : ordered;
    Row counts = csvCounts(counted, sourceColumns, malformedLines, multiLine);
    if (counts.<Boolean>getAs("undecodable")) {
      sourceFile.checkDecodes(file, sourceColumns);
    }
    if (multiLine && counts.<Boolean>getAs("derailed")) {
      counted.unpersist();
      return lineByLine(required, keepOnDisk);
    }
    return new Input(
        counted,
        counts.<Long>getAs("rows"),
        mapped.derivedId(),
        List.copyOf(warnings),
        mapped.read(),
        sourceColumns);
  }

  /**
   * The source as the mapping reads it: each column as normalised text for a CSV ({@link
   * ValueConversion#normalisedText}), the malformed line's text, the source row kept as a struct of
   * its raw values (only quarantined rows turn it into JSON text) and the derived id.
   */
  private Dataset<Row> normalised(
      Dataset<Row> file, List<String> sourceColumns, boolean malformedLines) {
    List<Column> sourceFields = new ArrayList<>();
    sourceColumns.forEach(c -> sourceFields.add(col(Names.quoted(c))));
    if (malformedLines) {
      sourceFields.add(col(CORRUPT));
    }
    List<Column> normalised = new ArrayList<>();
    for (String c : sourceColumns) {
      Column value = col(Names.quoted(c));
      normalised.add(
          settings.format().equals("csv") ? conversion.normalisedText(value).as(c) : value);
    }
    if (malformedLines) {
      normalised.add(col(CORRUPT));
    }
    normalised.add(struct(sourceFields.toArray(Column[]::new)).as(CustomerSchema.SOURCE_RECORD));
    // From the raw values, so that ids do not change with the CSV settings; pruned when unused.
    // Built over the normalised columns instead, its not-null constraint made Catalyst's
    // constraint propagation substitute every column alias into it: 2^columns constraints.
    normalised.add(derivedId(sourceColumns).as(DERIVED_ID));
    return file.select(normalised.toArray(Column[]::new));
  }

  /**
   * What the mapping made of the source: the mapped columns and their parse errors, the
   * expressions' attempts (added to the source before the mapping's projection), the canonical
   * columns found, how each was read, and whether the id was derived.
   */
  private record Mapped(
      List<Column> columns,
      List<Column> parseErrors,
      Map<String, Column> attempts,
      Set<String> found,
      Map<String, InputColumn> read,
      boolean derivedId) {}

  /** Maps every canonical and extra column the source has (by mapping or by name). */
  private Mapped map(Dataset<Row> source, List<String> sourceColumns) {
    SourceNames names = new SourceNames(sourceColumns);
    List<Column> columns = new ArrayList<>();
    List<Column> parseErrors = new ArrayList<>();
    Map<String, Column> attempts = new LinkedHashMap<>();
    Set<String> found = new TreeSet<>();
    Map<String, InputColumn> read = new TreeMap<>();
    List<String> targets = new ArrayList<>(CustomerSchema.columns());
    targets.addAll(settings.mapping().extraColumns().keySet());
    for (String canonical : targets) {
      Target target = target(canonical);
      Column raw;
      DataType rawType;
      String rawName = null;
      Column expressionError = null;
      if (target.from() != null && target.from().expression() != null) {
        MappingExpressions.Evaluated evaluated =
            expressions.evaluate(
                source,
                sourceColumns,
                target.key(),
                canonical,
                target.type(),
                target.categories(),
                target.from());
        attempts.put(evaluated.attemptName(), evaluated.attempt());
        raw = evaluated.value();
        rawType = evaluated.type();
        expressionError = evaluated.error();
      } else {
        String name = names.sourceOf(canonical, target, settings, sourceColumns);
        if (name == null) {
          continue;
        }
        raw = col(Names.quoted(name));
        rawType = source.schema().apply(name).dataType();
        rawName = name;
      }
      found.add(canonical);
      read.put(canonical, target.inputColumn(rawName));
      ValueConversion.Converted converted =
          converted(canonical, target, raw, rawType, expressionError);
      columns.add(converted.value().as(canonical));
      parseErrors.add(converted.error());
    }
    boolean derivedId = !found.contains(CustomerSchema.CUSTOMER_ID);
    if (derivedId) {
      columns.add(0, col(DERIVED_ID).as(CustomerSchema.CUSTOMER_ID));
      found.add(CustomerSchema.CUSTOMER_ID);
      LOG.info("Input has no customer id column: deriving customer_id from each row's values");
    }
    return new Mapped(columns, parseErrors, attempts, found, read, derivedId);
  }

  /** How the mapping says a canonical (or extra) column is read; {@code from} null if unmapped. */
  record Target(String key, ColumnSource from, DataType type, Map<String, String> categories) {
    /** How the column was read, for the model bundle ({@code rawName}: its source column). */
    InputColumn inputColumn(String rawName) {
      return new InputColumn(
          from != null && from.expression() != null ? null : rawName,
          from != null && (from.expression() != null || from.dateFormat() != null),
          categories,
          from == null ? 1.0 : from.multiply(),
          from == null || !from.isRescaled()
              ? null
              : Arrays.stream(from.rescale()).boxed().toList(),
          ValueConversion.missingAs(from, categories));
    }
  }

  private Target target(String canonical) {
    ExtraColumn extra = settings.mapping().extraColumns().get(canonical);
    return new Target(
        (extra != null ? "input.mapping.extra-columns." : "input.mapping.columns.") + canonical,
        extra != null ? extra.source() : settings.mapping().columns().get(canonical),
        settings.mapping().typeOf(canonical),
        extra != null && extra.type().equals("ordinal")
            ? extra.levelNumbers()
            : settings.mapping().categories().get(canonical));
  }

  /**
   * The canonical value of a source value and the reason to quarantine its row: converted, its
   * declared missing value put in, placeholder ids nulled.
   */
  private ValueConversion.Converted converted(
      String canonical, Target target, Column raw, DataType rawType, Column expressionError) {
    // A CSV column's text is already normalised; an expression's result is not.
    boolean csvText = settings.format().equals("csv") && expressionError == null;
    ValueConversion.Converted converted =
        conversion.convert(
            canonical, target.type(), target.categories(), raw, rawType, target.from(), csvText);
    Column value = converted.value();
    String missingAs = ValueConversion.missingAs(target.from(), target.categories());
    if (missingAs != null) {
      Column absent =
          rawType instanceof NumericType
              ? raw.isNull()
              : conversion.nullified(trim(raw.cast(DataTypes.StringType), " \t\r\n")).isNull();
      value = when(absent, ValueConversion.typed(missingAs, target.type())).otherwise(value);
    }
    if (canonical.equals(CustomerSchema.CUSTOMER_ID)) {
      value = withoutPlaceholders(value);
    }
    Column error =
        expressionError == null ? converted.error() : coalesce(expressionError, converted.error());
    return new ValueConversion.Converted(value, error);
  }

  /** Fails, naming the first missing column, why it is required and its near miss. */
  private void requirePresent(
      Map<String, String> required, Set<String> found, List<String> sourceColumns) {
    List<String> missing =
        required.keySet().stream().filter(c -> !found.contains(c)).sorted().toList();
    if (missing.isEmpty()) {
      return;
    }
    String column = missing.get(0);
    throw new InputContractException(
        String.format(
            "Required column%s %s not found in %s: %s is %s (mapping '%s'; columns found: %s)%s",
            missing.size() == 1 ? "" : "s",
            String.join(", ", missing),
            settings.path(),
            column,
            required.get(column),
            settings.mapping().name(),
            Names.listed(sourceColumns),
            nearMiss(column, sourceColumns)));
  }

  /**
   * One pass over a CSV's mapped rows: {@code rows}, whether any raw value holds U+FFFD ({@code
   * undecodable}) and whether a multi-line parse ran over a stray quote ({@code derailed}).
   */
  private Row csvCounts(
      Dataset<Row> counted, List<String> sourceColumns, boolean malformedLines, boolean multiLine) {
    List<Column> rawTexts = new ArrayList<>();
    sourceColumns.forEach(c -> rawTexts.add(col(CustomerSchema.SOURCE_RECORD).getField(c)));
    if (malformedLines) {
      rawTexts.add(col(CustomerSchema.SOURCE_RECORD).getField(CORRUPT));
    }
    Column derailed = multiLine ? sourceFile.derailed(sourceColumns, malformedLines) : lit(false);
    return counted
        .agg(
            count(lit(1)).as("rows"),
            coalesce(max(SourceFile.holdsReplacementCharacter(rawTexts)), lit(false))
                .as("undecodable"),
            coalesce(max(derailed), lit(false)).as("derailed"))
        .first();
  }

  /**
   * The input read again line by line, after a multi-line parse ran over a stray quote: a quote
   * that opens a field and never closes makes a multi-line parse read on, across record after
   * record, to the next quote, one malformed record swallowing many. Line by line, the damage stays
   * on its own line.
   */
  private Input lineByLine(Map<String, String> required, boolean keepOnDisk) {
    Input lines = read(required, keepOnDisk, false);
    List<String> all = new ArrayList<>(lines.warnings());
    all.add(
        "Input "
            + settings.path()
            + ": a quoted field opens and does not close before the next line (a stray quote);"
            + " read line by line instead (as input.csv.multi-line = false), so that it costs its"
            + " own line only, and a field with a line break in it reads as malformed lines");
    return new Input(
        lines.customers(),
        lines.rows(),
        lines.customerIdDerived(),
        List.copyOf(all),
        lines.read(),
        lines.sourceColumns());
  }

  /**
   * The id, or null where it is one of input.placeholder-ids ("(blank)", "unknown", ...): such a
   * row is quarantined as missing_id instead of becoming one customer that holds every row without
   * an id.
   */
  private Column withoutPlaceholders(Column id) {
    if (settings.placeholderIds().isEmpty()) {
      return id;
    }
    // Lower-casing allocates; it is done only for an id no longer than the longest placeholder
    // (trimmed: lower-casing keeps an ASCII text's length), so a real id costs a length test in
    // each of the passes that read the lazy input.
    Column trimmed = trim(id.cast(DataTypes.StringType));
    int longest =
        settings.placeholderIds().stream()
            .mapToInt(p -> p.getBytes(StandardCharsets.UTF_8).length)
            .max()
            .orElse(0);
    Column placeholder =
        octet_length(trimmed)
            .leq(longest)
            .and(lower(trimmed).isin(settings.placeholderIds().toArray()));
    return when(placeholder, lit(null)).otherwise(id);
  }

  private static Column derivedId(List<String> sourceColumns) {
    Column[] values =
        sourceColumns.stream()
            .map(c -> coalesce(col(Names.quoted(c)).cast(DataTypes.StringType), lit("\u0000")))
            .toArray(Column[]::new);
    return concat(lit("H"), substring(sha2(concat_ws("\u0001", values), 256), 1, 20));
  }

  /** "; did you mean 'Anual Income'?" when a source column is a near miss for the canonical one. */
  private static String nearMiss(String canonical, List<String> sourceColumns) {
    String target = Names.lettersAndDigits(canonical);
    return Names.closest(
            target, sourceColumns, Names::lettersAndDigits, Math.max(2, target.length() / 5))
        .map(
            c ->
                ": did you mean source column '"
                    + c
                    + "' (map it with input.mapping.columns."
                    + canonical
                    + ")?")
        .orElse("");
  }
}
