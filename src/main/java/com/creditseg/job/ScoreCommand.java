package com.creditseg.job;

import com.creditseg.config.Settings;
import com.creditseg.model.RunModel;
import com.creditseg.schema.InputContractException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code score}: applies a committed run's model to customers, without refitting: the model's score
 * card, imputation medians, clipping ranges, centres and labels. The input goes through the mapping
 * and quality rules of the settings (pass the run's own {@code --config}); the output has the
 * layout of {@code run}, under {@code <output.path>/run_date=<run.date>/}. Exit code 3 when it
 * stops at the quality gate.
 */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Score and segment customers with a saved model: no refit, no k search.",
      "Writes <output.path>/run_date=<run.date>/ as run does; --model is a run directory",
      "(output/run_date=2026-01-31) or its model/ directory."
    })
final class ScoreCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description =
          "A committed run directory, or its model/ directory (local or any Hadoop path).")
  String model;

  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Settings settings = common.settings(List.of()).requireInputAndOutput();
    SparkSession spark = Sessions.get("creditseg score " + settings.run().date());
    RunModel loaded = RunModel.load(spark, modelDirectory(spark, model));
    RunOutcome outcome = new SegmentationJob(spark, settings, loaded).run();
    return outcome.reportTo(spec.commandLine().getErr());
  }

  /**
   * DIR itself when it holds a model, else DIR/model; either way the model of a committed run: its
   * run directory has {@code _SUCCESS} and lies in no {@code _staging}, {@code _failed} or {@code
   * _trash} directory. A run killed before its commit leaves a complete-looking model under
   * _staging/ that was never published; scoring with it would commit output from it.
   */
  static String modelDirectory(SparkSession spark, String dir) {
    Path path = new Path(dir);
    Path found = null;
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(new Path(path, "segments.json"))) {
        found = path;
      } else if (fs.exists(new Path(path, "model/segments.json"))) {
        found = new Path(path, "model");
      }
      if (found == null) {
        throw new InputContractException(
            "--model "
                + dir
                + " is neither a committed run directory (with model/) nor a model directory (with"
                + " segments.json)");
      }
      Path run = found.getParent();
      for (Path p = run; p != null; p = p.getParent()) {
        if (p.getName().startsWith("_")) {
          throw new InputContractException(
              "--model "
                  + dir
                  + " is inside "
                  + p.getName()
                  + "/, the output of a run that did not commit (killed or failed): use a"
                  + " committed run directory, <output.path>/run_date=YYYY-MM-DD");
        }
      }
      if (run == null || !fs.exists(new Path(run, "_SUCCESS"))) {
        throw new InputContractException(
            "--model "
                + dir
                + " is not the model of a committed run: "
                + run
                + " has no _SUCCESS; use a committed run directory,"
                + " <output.path>/run_date=YYYY-MM-DD");
      }
    } catch (IOException e) {
      throw new InputContractException("Cannot read --model " + dir + ": " + e, e);
    }
    return found.toString();
  }
}
