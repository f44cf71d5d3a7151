package com.creditseg.io;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import com.creditseg.schema.CustomerSchema;
import com.creditseg.schema.InputContractException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * The output directory of one run date, written atomically: everything goes to a staging directory
 * {@code <root>/_staging/run_date=<date>-<uuid>/} and {@link #commit()} swaps it into {@code
 * <root>/run_date=<date>/} only once complete, so a failed run leaves the previous result for that
 * date in place and a rerun replaces it.
 *
 * <p>Layout: {@code segments/} (Parquet, partitioned by segment), {@code profiles/} (Parquet) with
 * {@code profiles.csv} and {@code profiles.json}, {@code quarantine/}, {@code model/}, {@code
 * metrics.json}, {@code _SUCCESS}.
 */
public final class RunOutput {
  public static final String SEGMENTS = "segments";
  public static final String QUARANTINE = "quarantine";
  public static final String PROFILES = "profiles";
  public static final String MODEL = "model";
  public static final String STABILITY = "stability";
  private static final String FAILED = "_failed";

  public static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final SparkSession spark;
  private final FileSystem fs;
  private final Path root;
  private final Path finalDir;
  private final Path staging;
  private final RunLock lock;
  private final boolean rootExisted;

  /**
   * Opens the run of {@code date} under {@code root}: takes the date's lock (see {@link RunLock}; a
   * lock older than {@code lockTimeout} is stale), cleans up after a run of the date that died, and
   * creates this run's staging directory. {@link #commit}, {@link #keepAsFailed} and {@link
   * #abandon} give the lock up.
   */
  public RunOutput(SparkSession spark, String root, LocalDate date, Duration lockTimeout) {
    this.spark = spark;
    this.root = new Path(root);
    String name = "run_date=" + date;
    this.finalDir = new Path(this.root, name);
    this.staging = new Path(new Path(this.root, "_staging"), name + "-" + UUID.randomUUID());
    RunLock taken = null;
    boolean existed = true;
    try {
      this.fs = this.root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      existed = fs.exists(this.root);
      taken = RunLock.take(fs, this.root, name, lockTimeout);
      recover(name);
      if (!fs.mkdirs(staging)) {
        throw new IOException("cannot create " + staging);
      }
    } catch (InputContractException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      if (taken != null) {
        taken.release();
      }
      throw new InputContractException(
          "Cannot write to output.path " + root + ": " + e.getMessage(), e);
    }
    this.lock = taken;
    this.rootExisted = existed;
  }

  /**
   * Cleans up after a run of the same date that died: its staging directories go, and a previous
   * result that a commit had moved aside but not replaced is moved back. Runs of one date never
   * overlap here: the caller holds the date's lock.
   */
  private void recover(String name) throws IOException {
    Path trashDir = new Path(root, "_trash");
    if (!fs.exists(finalDir) && fs.exists(trashDir)) {
      for (FileStatus aside : fs.listStatus(trashDir, p -> p.getName().startsWith(name + "-"))) {
        if (fs.exists(new Path(aside.getPath(), "_SUCCESS"))) {
          fs.rename(aside.getPath(), finalDir);
          break;
        }
      }
    }
    for (Path dir : List.of(staging.getParent(), trashDir)) {
      if (fs.exists(dir)) {
        for (FileStatus stale : fs.listStatus(dir, p -> p.getName().startsWith(name + "-"))) {
          fs.delete(stale.getPath(), true);
        }
        deleteIfEmpty(dir);
      }
    }
  }

  /** Where the committed result is (or will be). */
  public String location() {
    return fs.makeQualified(finalDir).toString();
  }

  /** Where this run's files are until {@link #commit()}. */
  public String stagingLocation() {
    return fs.makeQualified(staging).toString();
  }

  /**
   * The segmented customers, partitioned by {@code segment}. The customer id is written without a
   * dictionary: ids are unique in the segments, so Parquet's dictionary for them only hashes every
   * id until the page falls back to plain encoding (the same file in the end, after a sizeable
   * share of the write's time spent on a dictionary that is thrown away).
   */
  public void writeSegments(Dataset<Row> segmented) {
    segmented
        .write()
        .mode(SaveMode.Overwrite)
        .option("parquet.enable.dictionary#" + CustomerSchema.CUSTOMER_ID, "false")
        .partitionBy(CustomerSchema.SEGMENT)
        .parquet(child(SEGMENTS));
  }

  public void writeQuarantine(Dataset<Row> quarantine) {
    quarantine.write().mode(SaveMode.Overwrite).parquet(child(QUARANTINE));
  }

  /** A Parquet output this run has staged, read back (columnar: read only what is needed). */
  public Dataset<Row> staged(String name) {
    return spark.read().parquet(child(name));
  }

  /** Profiles as Parquet, one CSV file and a JSON array (the table is one row per segment). */
  public void writeProfiles(Dataset<Row> profiles) {
    writeTable(PROFILES, profiles);
    try {
      ArrayNode array = JSON.createArrayNode();
      for (String row : profiles.toJSON().collectAsList()) {
        array.add(JSON.readTree(row));
      }
      writeJson("profiles.json", array);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write profiles under " + staging, e);
    }
  }

  /**
   * A small table (a few thousand rows at most) as Parquet under {@code name} and as one CSV file
   * {@code name.csv} beside it, with a header. The CSV is RFC 4180 (a quote inside a field is
   * doubled, as spreadsheets read it) and safe to open in one: a text cell that starts with =, +,
   * -, @, a tab or a carriage return, and is not a plain number, is written with a leading
   * apostrophe (OWASP's advice against CSV formula injection), since category values and labels
   * come from the input. The Parquet keeps the values as they are.
   */
  public void writeTable(String name, Dataset<Row> table) {
    table.write().mode(SaveMode.Overwrite).parquet(child(name));
    Path csv = new Path(staging, name + ".csv");
    String csvDir = new Path(csv.getParent(), "_" + csv.getName() + "_parts").toString();
    spreadsheetSafe(table)
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .option("header", true)
        .option("escape", "\"")
        .csv(csvDir);
    try {
      for (FileStatus part : fs.listStatus(new Path(csvDir), p -> p.getName().endsWith(".csv"))) {
        fs.rename(part.getPath(), csv);
      }
      fs.delete(new Path(csvDir), true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + csv, e);
    }
  }

  /** The table with its text cells neutralised for spreadsheets (see {@link #writeTable}). */
  static Dataset<Row> spreadsheetSafe(Dataset<Row> table) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : table.schema().fields()) {
      Column c = functions.col("`" + f.name().replace("`", "``") + "`");
      if (DataTypes.StringType.equals(f.dataType())) {
        Column formula =
            c.rlike("^[=+\\-@\t\r]")
                .and(not(c.rlike("^[+-]?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?$")));
        c = when(formula, concat(lit("'"), c)).otherwise(c);
      }
      columns.add(c.as(f.name()));
    }
    return table.select(columns.toArray(Column[]::new));
  }

  /**
   * A supervised challenger model, under model/challengers/{@code name} (its own layout: MLlib's,
   * or the category index and the XGBoost booster).
   */
  public void writeChallenger(String name, MLWritable model) {
    try {
      model.write().overwrite().save(child(MODEL + "/challengers/" + name));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save the " + name + " model under " + staging, e);
    }
  }

  /** The comparison with the previous run: stability/psi and stability/migration. */
  public void writeStability(Dataset<Row> psi, Dataset<Row> migration) {
    psi.write().mode(SaveMode.Overwrite).parquet(child(STABILITY + "/psi"));
    migration.write().mode(SaveMode.Overwrite).parquet(child(STABILITY + "/migration"));
  }

  /** Where a staged output {@code name} goes: for writers of their own (the model bundle). */
  public String stagedPath(String name) {
    return child(name);
  }

  /** Any Jackson-serializable value (records included) as indented JSON. */
  public void writeJson(String name, Object value) {
    try (OutputStream out = fs.create(new Path(staging, name), true)) {
      JSON.writeValue(out, value);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + name + " under " + staging, e);
    }
  }

  /**
   * Marks the staged result complete with {@code _SUCCESS} and swaps it in for the date: the old
   * result is moved aside, the new one moved in, the old one deleted, and a failed attempt at the
   * same date kept under {@code _failed/} removed.
   */
  public void commit() {
    try {
      fs.create(new Path(staging, "_SUCCESS"), true).close();
      Path trash = null;
      if (fs.exists(finalDir)) {
        trash = new Path(new Path(root, "_trash"), staging.getName());
        fs.mkdirs(trash.getParent());
        if (!fs.rename(finalDir, trash)) {
          throw new IOException("cannot move " + finalDir + " aside");
        }
      }
      if (!fs.rename(staging, finalDir)) {
        if (trash != null) {
          fs.rename(trash, finalDir);
        }
        throw new IOException("cannot move " + staging + " to " + finalDir);
      }
      if (trash != null) {
        fs.delete(trash, true);
      }
      // A failed attempt at this date is superseded by this result.
      Path failed = new Path(new Path(root, FAILED), finalDir.getName());
      if (fs.exists(failed)) {
        fs.delete(failed, true);
      }
      deleteIfEmpty(new Path(root, FAILED));
      deleteIfEmpty(new Path(root, "_trash"));
      deleteIfEmpty(staging.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit the run to " + finalDir, e);
    } finally {
      lock.release();
    }
  }

  /** Moves the staged files to {@code <root>/_failed/run_date=<date>/} for inspection. */
  public String keepAsFailed() {
    Path failed = new Path(new Path(root, FAILED), finalDir.getName());
    try {
      fs.delete(failed, true);
      fs.mkdirs(failed.getParent());
      fs.rename(staging, failed);
      deleteIfEmpty(staging.getParent());
      return fs.makeQualified(failed).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep the failed run under " + failed, e);
    } finally {
      lock.release();
    }
  }

  /**
   * Removes the staging directory of a run that will not be committed, and the output path itself
   * when this run created it and nothing else is in it.
   */
  public void abandon() {
    try {
      fs.delete(staging, true);
      deleteIfEmpty(staging.getParent());
      lock.release();
      if (!rootExisted) {
        deleteIfEmpty(root);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + staging, e);
    } finally {
      lock.release();
    }
  }

  private void deleteIfEmpty(Path dir) throws IOException {
    if (fs.exists(dir) && fs.listStatus(dir).length == 0) {
      fs.delete(dir, false);
    }
  }

  private String child(String name) {
    return new Path(staging, name).toString();
  }
}
