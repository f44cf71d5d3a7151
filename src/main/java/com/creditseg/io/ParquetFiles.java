package com.creditseg.io;

import com.creditseg.schema.InputContractException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Parquet directory as users leave it: part files beside a README, a copied spreadsheet or a
 * {@code .crc} sidecar. Spark skips names starting with "_" or "." itself and fails on any other
 * file that is not Parquet; here such a file is skipped with a warning naming it, so the run reads
 * the data files only. And a read that fails on a file's contents (a corrupt file, a column whose
 * type differs between files) becomes an input-contract error naming the file, not a stack trace.
 */
public final class ParquetFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ParquetFiles.class);
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private ParquetFiles() {}

  /**
   * Reads the Parquet at {@code path}: the directory as it is when every file in it is Parquet (or
   * hidden), else its Parquet files with the directory as the partition base, and a warning for
   * {@code warnings} naming the files skipped.
   */
  static Dataset<Row> read(SparkSession spark, String path, List<String> warnings) {
    Path root = new Path(path);
    List<String> data = new ArrayList<>();
    List<String> stray = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.getFileStatus(root).isDirectory()) {
        return spark.read().parquet(path);
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      while (files.hasNext()) {
        FileStatus f = files.next();
        if (hidden(root, f.getPath())) {
          continue;
        }
        (isParquet(fs, f) ? data : stray).add(f.getPath().toString());
      }
    } catch (IOException e) {
      throw new InputContractException("Cannot list input path " + path + ": " + e, e);
    }
    if (stray.isEmpty()) {
      return spark.read().parquet(path);
    }
    if (data.isEmpty()) {
      throw new InputContractException(
          "Input "
              + path
              + " holds no Parquet file (found "
              + String.join(", ", stray.stream().limit(5).toList())
              + (stray.size() > 5 ? " and " + (stray.size() - 5) + " more" : "")
              + "): check input.path and input.format");
    }
    String warning =
        String.format(
            "Input %s: skipped %d file(s) that are not Parquet: %s%s",
            path,
            stray.size(),
            String.join(", ", stray.stream().limit(10).toList()),
            stray.size() > 10 ? " and " + (stray.size() - 10) + " more" : "");
    LOG.warn(warning);
    warnings.add(warning);
    return spark.read().option("basePath", path).parquet(data.toArray(String[]::new));
  }

  /** Whether Spark itself skips the file: a name in its path below the root starts with _ or . */
  private static boolean hidden(Path root, Path file) {
    for (Path p = file;
        p != null && !p.equals(root) && p.depth() > root.depth();
        p = p.getParent()) {
      String name = p.getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** A file ending in .parquet is taken at its word; any other must start with PAR1. */
  private static boolean isParquet(FileSystem fs, FileStatus f) throws IOException {
    if (f.getPath().getName().endsWith(".parquet")) {
      return true;
    }
    if (f.getLen() < 12) {
      return false;
    }
    byte[] head = new byte[MAGIC.length];
    try (InputStream in = fs.open(f.getPath())) {
      return in.readNBytes(head, 0, head.length) == head.length && Arrays.equals(head, MAGIC);
    }
  }

  /**
   * The input-contract error for a failure that Spark met reading an input file's contents, if
   * {@code e} is one: the file and what is wrong with it, in Spark's words, on one line.
   */
  public static Optional<InputContractException> explain(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ChecksumException) {
        return Optional.of(
            new InputContractException(
                "Cannot read the input: "
                    + String.valueOf(t.getMessage()).replaceAll("\\s*\\R.*", "")
                    + ": its checksum sidecar (the .crc file beside it) does not match its bytes,"
                    + " so the file was changed after it was written; if its data is right, delete"
                    + " the .crc file",
                e));
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkThrowable s && s.getCondition() != null) {
        String condition = s.getCondition();
        if (condition.startsWith("FAILED_READ_FILE") || condition.startsWith("CANNOT_READ_FILE")) {
          String message = String.valueOf(t.getMessage()).replaceAll("\\s*\\R.*", "");
          String fix =
              condition.contains("DATA_TYPE_MISMATCH")
                  ? ": the input's files disagree on this column's type; rewrite them with one"
                      + " type, or read the files of each type separately"
                  : ": check or remove that file";
          return Optional.of(
              new InputContractException("Cannot read the input: " + message + fix, e));
        }
      }
    }
    return Optional.empty();
  }
}
