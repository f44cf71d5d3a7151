package com.creditseg.io;

import static org.apache.spark.sql.functions.*;

import com.creditseg.config.InputSettings;
import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.creditseg.schema.Names;
import com.creditseg.schema.SourceRecord;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The files an input reads, before any mapping: Parquet as it is (stray files skipped, see {@link
 * ParquetFiles}), or CSV with every column as text, a line with the wrong number of fields kept
 * whole under {@link SourceRecord#CORRUPT} instead of being padded or cut. Also the checks only the
 * source can answer: whether a CSV's bytes decode in its encoding, and whether a multi-line parse
 * ran over a stray quote.
 */
final class SourceFile {
  private final SparkSession spark;
  private final InputSettings settings;

  SourceFile(SparkSession spark, InputSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  /**
   * Whether a multi-line parse ran over a stray quote: a quote that opens a field and does not
   * close reads on to the next quote, however many records later, so that one record swallows the
   * lines between. Its sign: a malformed record whose text spans lines (a valid file has none), or,
   * in a file of five columns or more, a field spanning lines one of which holds as many fields as
   * a record (a free-text field with a line break in it holds prose, not a record's worth of
   * delimiters).
   */
  Column derailed(List<String> sourceColumns, boolean malformedLines) {
    Column record = col(CustomerSchema.SOURCE_RECORD);
    String delimiter = Pattern.quote(settings.csv().delimiter());
    int fields = sourceColumns.size();
    Column any = lit(false);
    if (malformedLines) {
      any = any.or(coalesce(record.getField(SourceRecord.CORRUPT).contains("\n"), lit(false)));
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
  static Column holdsReplacementCharacter(List<Column> texts) {
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
  void checkDecodes(Dataset<Row> file, List<String> sourceColumns) {
    List<Column> texts = new ArrayList<>();
    sourceColumns.forEach(c -> texts.add(col(Names.quoted(c))));
    if (List.of(file.columns()).contains(SourceRecord.CORRUPT)) {
      texts.add(col(SourceRecord.CORRUPT));
    }
    List<Row> suspects =
        file.filter(holdsReplacementCharacter(texts))
            .select(input_file_name().as("file"))
            .distinct()
            .limit(20)
            .collectAsList();
    Charset charset = Charset.forName(settings.csv().encoding());
    for (Row suspect : suspects) {
      Path path = new Path(suspect.<String>getAs("file"));
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

  Dataset<Row> read(boolean multiLine, List<String> warnings) {
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
    fields.add(DataTypes.createStructField(SourceRecord.CORRUPT, DataTypes.StringType, true));
    return csvReader(csv, multiLine)
        .schema(DataTypes.createStructType(fields))
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", SourceRecord.CORRUPT)
        .csv(settings.path());
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

  /**
   * The source's column names, as a mapping sees them, without reading any rows (a CSV's header
   * line only). Lets a reader of another canonical schema decide which columns to map.
   */
  List<String> sourceColumns() {
    return List.of(read(settings.csv().multiLine(), new ArrayList<>()).columns()).stream()
        .filter(c -> !c.equals(SourceRecord.CORRUPT))
        .toList();
  }

  static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
