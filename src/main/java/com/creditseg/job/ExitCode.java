package com.creditseg.job;

/** The job's exit codes, as Airflow and shell scripts see them. */
public final class ExitCode {
  public static final int SUCCESS = 0;

  /** Anything else: a bug, an I/O failure, Spark failing. */
  public static final int FAILURE = 1;

  /** Bad usage, bad configuration, or input that breaks the contract (missing column, ...). */
  public static final int USAGE = 2;

  /** More rows quarantined than quality.max-quarantined-share allows. */
  public static final int QUALITY = 3;

  /**
   * A significant population shift against the previous run, with stability.fail-on = significant.
   * The run was committed: its outputs are there to inspect.
   */
  public static final int SHIFT = 4;

  private ExitCode() {}
}
