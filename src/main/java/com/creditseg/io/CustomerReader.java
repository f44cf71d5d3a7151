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
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.TryEval;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

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
  private static final String CORRUPT = "_corrupt_record";
  private static final String DERIVED_ID = "__creditseg_derived_id";
  private static final Logger LOG = LoggerFactory.getLogger(CustomerReader.class);

  private final SparkSession spark;
  private final InputSettings settings;
  private final LocalDate runDate;

  public CustomerReader(SparkSession spark, InputSettings settings, LocalDate runDate) {
    this.spark = spark;
    this.settings = settings;
    this.runDate = runDate;
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
   * outgrew Java's 64 KB method limit. Kept, the conversion is done once; at 2M customers (the
   * supervised models off) the run took 76.5 s instead of 92.0 s, the read stage 16 s longer and
   * the passes after it 26 s shorter.
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
    Dataset<Row> file = readSource(multiLine, warnings);
    List<String> sourceColumns = new ArrayList<>();
    for (String c : file.columns()) {
      if (!c.equals(CORRUPT)) {
        sourceColumns.add(c);
      }
    }
    // The source row is kept as a struct of its raw values; only quarantined rows turn it into
    // JSON text. The mapping reads the values as normalised text (see normalisedText).
    List<Column> sourceFields = new ArrayList<>();
    sourceColumns.forEach(c -> sourceFields.add(col(quoted(c))));
    boolean malformedLines = List.of(file.columns()).contains(CORRUPT);
    if (malformedLines) {
      sourceFields.add(col(CORRUPT));
    }
    List<Column> normalised = new ArrayList<>();
    for (String c : sourceColumns) {
      Column value = col(quoted(c));
      normalised.add(settings.format().equals("csv") ? normalisedText(value).as(c) : value);
    }
    if (malformedLines) {
      normalised.add(col(CORRUPT));
    }
    normalised.add(struct(sourceFields.toArray(Column[]::new)).as(CustomerSchema.SOURCE_RECORD));
    // From the raw values, so that ids do not change with the CSV settings; pruned when unused.
    // Built over the normalised columns instead, its not-null constraint made Catalyst's
    // constraint propagation substitute every column alias into it: 2^columns constraints.
    normalised.add(derivedId(sourceColumns).as(DERIVED_ID));
    Dataset<Row> source = file.select(normalised.toArray(Column[]::new));
    Map<String, String> byName = new LinkedHashMap<>();
    Map<String, String> byCanonicalForm = new LinkedHashMap<>();
    Map<String, String> byLettersAndDigits = new LinkedHashMap<>();
    for (String c : sourceColumns) {
      byName.putIfAbsent(nameKey(c), c);
      byCanonicalForm.putIfAbsent(canonicalForm(c), c);
      byLettersAndDigits.putIfAbsent(lettersAndDigits(c), c);
    }

    List<Column> mapped = new ArrayList<>();
    List<Column> parseErrors = new ArrayList<>();
    Map<String, Column> attempts = new LinkedHashMap<>();
    Set<String> found = new TreeSet<>();
    Map<String, InputColumn> read = new TreeMap<>();
    List<String> targets = new ArrayList<>(CustomerSchema.columns());
    targets.addAll(settings.mapping().extraColumns().keySet());
    for (String canonical : targets) {
      ExtraColumn extra = settings.mapping().extraColumns().get(canonical);
      ColumnSource from =
          extra != null ? extra.source() : settings.mapping().columns().get(canonical);
      String key =
          (extra != null ? "input.mapping.extra-columns." : "input.mapping.columns.") + canonical;
      DataType type = settings.mapping().typeOf(canonical);
      Map<String, String> categories =
          extra != null && extra.type().equals("ordinal")
              ? extra.levelNumbers()
              : settings.mapping().categories().get(canonical);
      Column raw;
      DataType rawType;
      String rawName = null;
      Column expressionError = null;
      if (from != null && from.expression() != null) {
        Evaluated evaluated =
            evaluate(source, sourceColumns, key, canonical, type, categories, from);
        attempts.put(evaluated.attemptName(), evaluated.attempt());
        raw = evaluated.value();
        rawType = evaluated.type();
        expressionError = evaluated.error();
      } else {
        String name =
            from != null
                ? byName.get(nameKey(from.source()))
                : byCanonicalForm.getOrDefault(
                    canonical, byLettersAndDigits.get(lettersAndDigits(canonical)));
        if (name == null) {
          if (from != null) {
            throw new InputContractException(
                String.format(
                    "%s names source column '%s', which the input does not"
                        + " have%s (mapping '%s', input %s, columns found: %s)",
                    key,
                    from.source(),
                    Names.closest(
                            lettersAndDigits(from.source()),
                            sourceColumns,
                            CustomerReader::lettersAndDigits,
                            Math.max(2, lettersAndDigits(from.source()).length() / 4))
                        .map(c -> "; did you mean '" + c + "'?")
                        .orElse(""),
                    settings.mapping().name(),
                    settings.path(),
                    listed(sourceColumns)));
          }
          continue;
        }
        raw = col(quoted(name));
        rawType = source.schema().apply(name).dataType();
        rawName = name;
      }
      found.add(canonical);
      read.put(
          canonical,
          new InputColumn(
              from != null && from.expression() != null ? null : rawName,
              from != null && (from.expression() != null || from.dateFormat() != null),
              categories,
              from == null ? 1.0 : from.multiply(),
              from == null || !from.isRescaled()
                  ? null
                  : Arrays.stream(from.rescale()).boxed().toList(),
              missingAs(from, categories)));
      // A CSV column's text is already normalised; an expression's result is not.
      boolean csvText = settings.format().equals("csv") && expressionError == null;
      Converted converted = convert(canonical, type, categories, raw, rawType, from, csvText);
      Column value = converted.value();
      String missingAs = missingAs(from, categories);
      if (missingAs != null) {
        Column absent =
            rawType instanceof NumericType
                ? raw.isNull()
                : nullified(trim(raw.cast(DataTypes.StringType), " \t\r\n")).isNull();
        value = when(absent, typed(missingAs, type)).otherwise(value);
      }
      if (canonical.equals(CustomerSchema.CUSTOMER_ID)) {
        value = withoutPlaceholders(value);
      }
      mapped.add(value.as(canonical));
      parseErrors.add(
          expressionError == null
              ? converted.error()
              : coalesce(expressionError, converted.error()));
    }
    boolean derivedId = !found.contains(CustomerSchema.CUSTOMER_ID);
    if (derivedId) {
      mapped.add(0, col(DERIVED_ID).as(CustomerSchema.CUSTOMER_ID));
      found.add(CustomerSchema.CUSTOMER_ID);
      LOG.info("Input has no customer id column: deriving customer_id from each row's values");
    }
    List<String> missing =
        required.keySet().stream().filter(c -> !found.contains(c)).sorted().toList();
    if (!missing.isEmpty()) {
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
              listed(sourceColumns),
              nearMiss(column, sourceColumns)));
    }
    if (malformedLines) {
      parseErrors.add(when(col(CORRUPT).isNotNull(), lit(ReasonCode.MALFORMED_LINE.on("_line"))));
    }
    mapped.add(ColumnArrays.nonNull(parseErrors).as(CustomerSchema.PARSE_ERRORS));
    mapped.add(col(CustomerSchema.SOURCE_RECORD));
    Dataset<Row> customers =
        (attempts.isEmpty() ? source : source.withColumns(attempts))
            .select(mapped.toArray(Column[]::new));
    List<String> order = new ArrayList<>(CustomerSchema.presentIn(customers));
    order.addAll(settings.mapping().extraColumns().keySet());
    order.add(CustomerSchema.PARSE_ERRORS);
    order.add(CustomerSchema.SOURCE_RECORD);
    Dataset<Row> ordered = customers.select(order.stream().map(c -> col(c)).toArray(Column[]::new));
    if (!settings.format().equals("csv")) {
      // Counting the source, not the mapped rows: Parquet answers from its footers.
      return new Input(
          ordered, file.count(), derivedId, List.copyOf(warnings), read, sourceColumns);
    }
    Dataset<Row> counted = keepOnDisk ? ordered.persist(StorageLevel.DISK_ONLY()) : ordered;
    List<Column> rawTexts = new ArrayList<>();
    sourceColumns.forEach(c -> rawTexts.add(col(CustomerSchema.SOURCE_RECORD).getField(c)));
    if (malformedLines) {
      rawTexts.add(col(CustomerSchema.SOURCE_RECORD).getField(CORRUPT));
    }
    Column derailed = lit(false);
    if (multiLine) {
      derailed = derailed(sourceColumns, malformedLines);
    }
    Row counts =
        counted.agg(count(lit(1)), max(holdsReplacementCharacter(rawTexts)), max(derailed)).first();
    if (!counts.isNullAt(1) && counts.getBoolean(1)) {
      checkDecodes(file, sourceColumns);
    }
    if (multiLine && !counts.isNullAt(2) && counts.getBoolean(2)) {
      // A quote that opens a field and never closes makes a multi-line parse read on, across
      // record after record, to the next quote: one malformed record swallowing many. Line by
      // line, the damage stays on its own line.
      counted.unpersist();
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
    return new Input(
        counted, counts.getLong(0), derivedId, List.copyOf(warnings), read, sourceColumns);
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

  /**
   * Whether a multi-line parse ran over a stray quote: a quote that opens a field and does not
   * close reads on to the next quote, however many records later, so that one record swallows the
   * lines between. Its sign: a malformed record whose text spans lines (a valid file has none), or,
   * in a file of five columns or more, a field spanning lines one of which holds as many fields as
   * a record (a free-text field with a line break in it holds prose, not a record's worth of
   * delimiters).
   */
  private Column derailed(List<String> sourceColumns, boolean malformedLines) {
    Column record = col(CustomerSchema.SOURCE_RECORD);
    String delimiter = Pattern.quote(settings.csv().delimiter());
    int fields = sourceColumns.size();
    Column any = lit(false);
    if (malformedLines) {
      any = any.or(coalesce(record.getField(CORRUPT).contains("\n"), lit(false)));
    }
    // Below five columns a line of prose may well hold as many delimiters as a record has.
    for (String c : fields < 5 ? List.<String>of() : sourceColumns) {
      Column text = record.getField(c);
      Column holdsRecord =
          exists(split(text, "\n"), line -> size(split(line, delimiter)).geq(fields));
      any = any.or(when(text.contains("\n"), holdsRecord).otherwise(lit(false)));
    }
    return any;
  }

  /** Whether any of the texts holds U+FFFD, what a decoder puts where bytes are not text. */
  private static Column holdsReplacementCharacter(List<Column> texts) {
    Column any = lit(false);
    for (Column t : texts) {
      any = any.or(coalesce(t.contains("\uFFFD"), lit(false)));
    }
    return any;
  }

  /**
   * Fails, naming the file and line, when a CSV's bytes are not text in input.csv.encoding (Latin-1
   * "é" read as UTF-8): Spark's reader turns each such byte into U+FFFD without a word, which would
   * merge distinct ids and rewrite values. Called only when some value holds U+FFFD: finds the
   * first file that has one and decodes it on the driver, strictly, up to the first bad line. A
   * file that decodes cleanly holds U+FFFD as a character of its own, and passes.
   */
  private void checkDecodes(Dataset<Row> file, List<String> sourceColumns) {
    List<Column> texts = new ArrayList<>();
    sourceColumns.forEach(c -> texts.add(col(quoted(c))));
    if (List.of(file.columns()).contains(CORRUPT)) {
      texts.add(col(CORRUPT));
    }
    List<Row> suspects =
        file.filter(holdsReplacementCharacter(texts))
            .select(input_file_name())
            .distinct()
            .limit(20)
            .collectAsList();
    Charset charset = Charset.forName(settings.csv().encoding());
    for (Row suspect : suspects) {
      Path path = new Path(suspect.getString(0));
      long line;
      try (InputStream in =
          new BufferedInputStream(
              path.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(path))) {
        line = firstUndecodableLine(in, charset);
      } catch (IOException e) {
        throw new InputContractException("Cannot read input file " + path + ": " + e, e);
      }
      if (line != 0) {
        throw new InputContractException(
            String.format(
                "Input %s is not %s text: %s holds bytes that are not %s (a Latin-1 or"
                    + " Windows-1252 file, say): set input.csv.encoding to the file's encoding,"
                    + " e.g. ISO-8859-1 or windows-1252",
                path,
                settings.csv().encoding(),
                line > 0 ? "line " + line : "it",
                settings.csv().encoding()));
      }
    }
  }

  /**
   * The number (from 1) of the first line of {@code in} that does not decode strictly in {@code
   * charset}, or 0 when all do; -1 for a charset whose line break is not the byte 0x0A (UTF-16,
   * UTF-32), which is decoded whole. Lines are split at the byte 0x0A, so that a bad byte is found
   * on its own line, not in a buffer of many.
   */
  static long firstUndecodableLine(InputStream in, Charset charset) throws IOException {
    CharsetDecoder decoder =
        charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    if (!Arrays.equals("\n".getBytes(charset), new byte[] {'\n'})) {
      try {
        decoder.decode(ByteBuffer.wrap(in.readAllBytes()));
        return 0;
      } catch (CharacterCodingException e) {
        return -1;
      }
    }
    ByteArrayOutputStream current = new ByteArrayOutputStream();
    long line = 1;
    int b;
    while (true) {
      b = in.read();
      if (b == '\n' || b < 0) {
        try {
          decoder.reset().decode(ByteBuffer.wrap(current.toByteArray()));
        } catch (CharacterCodingException e) {
          return line;
        }
        if (b < 0) {
          return 0;
        }
        current.reset();
        line++;
      } else {
        current.write(b);
      }
    }
  }

  /**
   * The source's column names, as a mapping sees them, without reading any rows (a CSV's header
   * line only). Lets a reader of another canonical schema decide which columns to map.
   */
  public List<String> sourceColumns() {
    return List.of(readSource(settings.csv().multiLine(), new ArrayList<>()).columns()).stream()
        .filter(c -> !c.equals(CORRUPT))
        .toList();
  }

  private Dataset<Row> readSource(boolean multiLine, List<String> warnings) {
    Path path = new Path(settings.path());
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new InputContractException("Input path not found: " + settings.path());
      }
    } catch (IOException e) {
      throw new InputContractException("Cannot read input path " + settings.path() + ": " + e, e);
    }
    if (!settings.format().equals("csv")) {
      try {
        return ParquetFiles.read(spark, settings.path(), warnings);
      } catch (RuntimeException e) {
        throw ParquetFiles.explain(e)
            .orElseGet(
                () ->
                    new InputContractException(
                        "Cannot read Parquet from " + settings.path() + ": " + firstLine(e), e));
      }
    }
    InputSettings.CsvOptions csv = settings.csv();
    // Every column as text, read once for the header alone, so that a line with the wrong
    // number of fields lands in _corrupt_record instead of being padded or cut silently.
    StructType header =
        csvReader(csv, multiLine).option("inferSchema", false).csv(settings.path()).schema();
    if (header.fields().length == 0) {
      throw new InputContractException(
          "Input " + settings.path() + " is empty: no header line and no rows");
    }
    for (StructField f : header.fields()) {
      if (f.name().chars().anyMatch(ch -> (ch < 0x20 && ch != '\t') || ch == 0xFFFD)) {
        throw new InputContractException(
            "Input "
                + settings.path()
                + " is not "
                + csv.encoding()
                + " CSV text: its first line holds binary bytes"
                + (f.name().contains("PAR1") ? " (it is Parquet: set input.format = parquet)" : "")
                + "; check input.path and input.format");
      }
    }
    List<StructField> fields = new ArrayList<>();
    for (StructField f : header.fields()) {
      fields.add(DataTypes.createStructField(f.name(), DataTypes.StringType, true));
    }
    fields.add(DataTypes.createStructField(CORRUPT, DataTypes.StringType, true));
    return csvReader(csv, multiLine)
        .schema(DataTypes.createStructType(fields))
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .csv(settings.path());
  }

  /**
   * The text of a {@code source_record} struct as the quarantine keeps it: the raw line of a
   * malformed CSV line, else the source row as JSON.
   */
  public static Column sourceRecordText(StructType schema, Column record) {
    StructType fields = (StructType) schema.apply(CustomerSchema.SOURCE_RECORD).dataType();
    if (!List.of(fields.fieldNames()).contains(CORRUPT)) {
      return to_json(record);
    }
    Column[] parsed =
        Arrays.stream(fields.fieldNames())
            .filter(f -> !f.equals(CORRUPT))
            .map(f -> record.getField(f).as(f))
            .toArray(Column[]::new);
    return coalesce(record.getField(CORRUPT), to_json(struct(parsed)));
  }

  /** Spark's CSV reader with the options every read of the source shares. */
  private DataFrameReader csvReader(InputSettings.CsvOptions csv, boolean multiLine) {
    return spark
        .read()
        .option("header", csv.header())
        .option("sep", csv.delimiter())
        .option("quote", csv.quote())
        .option("escape", csv.escape())
        .option("multiLine", multiLine)
        .option("encoding", csv.encoding());
  }

  /** What a missing value of the column is read as ({@code missing} in its mapping), or null. */
  private static String missingAs(ColumnSource from, Map<String, String> categories) {
    return from == null || from.missing() == null ? null : from.missing().canonical(categories);
  }

  /** {@code text} as a literal of {@code type} (a number cast as a double is, for an int). */
  private static Column typed(String text, DataType type) {
    return DataTypes.StringType.equals(type) ? lit(text) : lit(Double.parseDouble(text)).cast(type);
  }

  /** A converted value and the {@code code:column} to report when conversion failed. */
  private record Converted(Column value, Column error) {}

  private Converted convert(
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
    if (DataTypes.StringType.equals(type)) {
      return new Converted(text, lit(null).cast(DataTypes.StringType));
    }

    Column number;
    ReasonCode failure = ReasonCode.NOT_A_NUMBER;
    if (from != null && from.dateFormat() != null) {
      Column date = try_to_timestamp(text.cast(DataTypes.StringType), lit(from.dateFormat()));
      number = floor(months_between(lit(java.sql.Date.valueOf(runDate)), date)).cast("double");
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

  /** Null for the configured missing-value markers. */
  private Column nullified(Column text) {
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

  /** A mapping expression's value, its type, and the reason to quarantine a row it failed on. */
  private record Evaluated(
      Column value, DataType type, Column error, String attemptName, Column attempt) {}

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
  private Evaluated evaluate(
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
          Column text = col(quoted(a.name()));
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
                        lettersAndDigits(name),
                        sourceColumns,
                        CustomerReader::lettersAndDigits,
                        Math.max(2, lettersAndDigits(name).length() / 4))
                    .map(c -> "; did you mean " + c + "?")
                    .orElse(" (columns found: " + listed(sourceColumns) + ")");
      } else if (condition.startsWith("UNRESOLVED_ROUTINE")) {
        what =
            "calls "
                + unquoted(parameters.getOrDefault("routineName", "?"))
                + ", which is not a Spark SQL function";
      } else if (condition.startsWith("PARSE_SYNTAX_ERROR")) {
        what = "is not valid Spark SQL: " + firstLine(e).replaceAll("^\\[[A-Z_.]+\\] ", "");
      } else {
        what = "does not compile: " + firstLine(e).replaceAll("^\\[[A-Z_.]+\\] ", "");
      }
    } else {
      what = "does not compile: " + firstLine(e);
    }
    return new InputContractException(
        String.format("%s: %s %s (mapping '%s')", key, expression, what, settings.mapping().name()),
        e);
  }

  /** "`LIMT_BAL`" or "`t`.`x`" as a user wrote it. */
  private static String unquoted(String name) {
    return name.replace("`", "");
  }

  /**
   * CSV text as the mapping sees it: trimmed (of blanks, tabs and line breaks), the configured
   * missing-value markers as null, and a number written with the configured grouping and decimal
   * separators ("20,000", "1.234,56") rewritten plainly ("20000", "1234.56"). Text that is not such
   * a number is left as it is.
   */
  private Column normalisedText(Column raw) {
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

  private static Column derivedId(List<String> sourceColumns) {
    Column[] values =
        sourceColumns.stream()
            .map(c -> coalesce(col(quoted(c)).cast(DataTypes.StringType), lit("\u0000")))
            .toArray(Column[]::new);
    return concat(lit("H"), substring(sha2(concat_ws("\u0001", values), 256), 1, 20));
  }

  /** "Customer-ID" -> "customerid": the last resort for an unmapped canonical column. */
  public static String lettersAndDigits(String name) {
    return nameKey(name).replaceAll("[^a-z0-9]+", "");
  }

  /** "; did you mean 'Anual Income'?" when a source column is a near miss for the canonical one. */
  private static String nearMiss(String canonical, List<String> sourceColumns) {
    String target = lettersAndDigits(canonical);
    return Names.closest(
            target,
            sourceColumns,
            CustomerReader::lettersAndDigits,
            Math.max(2, target.length() / 5))
        .map(
            c ->
                ": did you mean source column '"
                    + c
                    + "' (map it with input.mapping.columns."
                    + canonical
                    + ")?")
        .orElse("");
  }

  /** Source column names as messages list them: at most 40, each at most 40 characters. */
  static String listed(List<String> sourceColumns) {
    List<String> shown =
        sourceColumns.stream()
            .limit(40)
            .map(c -> c.length() <= 40 ? c : c.substring(0, 37) + "...")
            .toList();
    String more = sourceColumns.size() > 40 ? " and " + (sourceColumns.size() - 40) + " more" : "";
    return String.join(", ", shown) + more;
  }

  /** Name as matched against the mapping: no byte-order mark, no surrounding blanks, any case. */
  static String nameKey(String name) {
    return name.replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT);
  }

  /**
   * "Annual Income " -> "annual_income": how an unmapped source column finds its canonical name.
   */
  public static String canonicalForm(String name) {
    return nameKey(name).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
  }

  static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
