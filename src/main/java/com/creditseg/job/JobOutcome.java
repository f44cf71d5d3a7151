package com.creditseg.job;

import java.io.PrintWriter;
import java.util.Optional;

/**
 * How a job ({@code run}, {@code score}, {@code bench}, {@code rfm}) ended, as a value: its exit
 * code, and for a job that stopped, one line saying why.
 */
public sealed interface JobOutcome permits RunOutcome, RfmJob.Outcome {

  /** {@link ExitCode}: success, a quality gate or a population shift. */
  int exitCode();

  /** Why the job did not succeed, for the last stderr line; empty when it did. */
  Optional<String> failure();

  /** Writes {@link #failure} to {@code err} as one line and returns the exit code. */
  default int reportTo(PrintWriter err) {
    failure()
        .ifPresent(
            why -> {
              err.println("creditseg: " + oneLine(why));
              err.flush();
            });
    return exitCode();
  }

  /** {@code message} on one line: line breaks and the blanks around them become one space. */
  static String oneLine(String message) {
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
