package com.creditseg.job;

import com.creditseg.config.RfmRunSettings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rfm}: RFM segmentation and the loyalty model from transactions; exit code 3 at the gate.
 */
@Command(
    name = "rfm",
    mixinStandardHelpOptions = true,
    description = {
      "Read transactions, compute recency, frequency and monetary value per customer, score and"
          + " segment them, fit the loyalty model; write <output.path>/run_date=<run.date>/.",
      "Main keys: transactions.input.path, transactions.input.format (parquet|csv), output.path,"
          + " run.date, rfm.snapshot (last-transaction|run-date), rfm.loyalty.cutoff."
    })
final class RfmCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RfmRunSettings settings = common.rfmSettings(List.of());
    settings.transactions().requirePaths(settings.base().output().path());
    RfmJob.Outcome outcome =
        new RfmJob(Sessions.get("creditseg rfm " + settings.base().run().date()), settings).run();
    return outcome.reportTo(spec.commandLine().getErr());
  }
}
