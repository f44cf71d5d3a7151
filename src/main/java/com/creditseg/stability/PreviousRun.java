package com.creditseg.stability;

import com.creditseg.config.StabilitySettings;
import com.creditseg.schema.InputContractException;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The committed run a run is compared with (stability.previous-run): by default the latest run of
 * an earlier {@code run.date} under the same output.path that has {@code _SUCCESS}, a model and
 * segments; or the run directory named.
 */
public record PreviousRun(String location, String runDate) {
  static final String MODEL = "model";
  static final String SEGMENTS = "segments";

  public String model() {
    return new Path(location, MODEL).toString();
  }

  public String segments() {
    return new Path(location, SEGMENTS).toString();
  }

  /** The previous run for a run of {@code runDate} writing under {@code outputPath}, if any. */
  public static Optional<PreviousRun> find(
      SparkSession spark, StabilitySettings settings, String outputPath, LocalDate runDate) {
    String setting = settings.previousRun();
    if (setting.equals(StabilitySettings.NONE)) {
      return Optional.empty();
    }
    try {
      if (!setting.equals(StabilitySettings.AUTO)) {
        Path dir = new Path(setting);
        FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!isComplete(fs, dir)) {
          throw new InputContractException(
              "stability.previous-run = "
                  + setting
                  + " is not a committed run directory (with _SUCCESS, model/ and segments/)");
        }
        return Optional.of(new PreviousRun(fs.makeQualified(dir).toString(), dateOf(dir)));
      }
      Path root = new Path(outputPath);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        return Optional.empty();
      }
      PreviousRun latest = null;
      LocalDate latestDate = null;
      for (FileStatus s : fs.listStatus(root, p -> p.getName().startsWith("run_date="))) {
        LocalDate date;
        try {
          date = LocalDate.parse(dateOf(s.getPath()));
        } catch (DateTimeParseException e) {
          continue;
        }
        if (date.isBefore(runDate)
            && (latestDate == null || date.isAfter(latestDate))
            && isComplete(fs, s.getPath())) {
          latestDate = date;
          latest = new PreviousRun(fs.makeQualified(s.getPath()).toString(), date.toString());
        }
      }
      return Optional.ofNullable(latest);
    } catch (IOException e) {
      throw new InputContractException("Cannot look for the previous run: " + e.getMessage(), e);
    }
  }

  private static boolean isComplete(FileSystem fs, Path dir) throws IOException {
    return fs.exists(new Path(dir, "_SUCCESS"))
        && fs.exists(new Path(new Path(dir, MODEL), "manifest.json"))
        && fs.exists(new Path(dir, SEGMENTS));
  }

  private static String dateOf(Path dir) {
    String name = dir.getName();
    return name.startsWith("run_date=") ? name.substring("run_date=".length()) : name;
  }
}
