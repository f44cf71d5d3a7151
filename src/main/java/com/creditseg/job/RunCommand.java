package com.creditseg.job;

import com.creditseg.config.Settings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code run}: the segmentation job; exit code 3 when it stops at the quality gate. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Read, validate, score and segment customers; write <output.path>/run_date=<run.date>/.",
      "Main keys: input.path, input.format (parquet|csv), output.path, run.date, segment.k"
          + " (number or auto)."
    })
final class RunCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Settings settings = common.settings(List.of()).requireInputAndOutput();
    RunOutcome outcome =
        new SegmentationJob(Sessions.get("creditseg run " + settings.run().date()), settings).run();
    return outcome.reportTo(spec.commandLine().getErr());
  }
}
