package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes a scheduler acts on, end to end through {@link Main#execute}: 0 success, 1
 * anything else, 2 bad usage, configuration or input contract, 3 data-quality threshold breached;
 * the last line on stderr says why, and a stack trace appears only with {@code --verbose}.
 */
@ExtendWith(SharedSpark.class)
class ExitCodeTest {
  @TempDir static Path tmp;
  static Path clean;
  static Path faulty;

  /** What one command line returned and printed on stderr. */
  record Outcome(int code, String stderr) {
    String lastLine() {
      String[] lines = stderr.strip().split("\\R");
      return lines[lines.length - 1];
    }

    boolean hasStackTrace() {
      return stderr.lines().anyMatch(l -> l.startsWith("\tat "));
    }

    String describe() {
      return "exit " + code + ", stderr:\n" + stderr;
    }
  }

  static Outcome execute(List<String> args) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args.toArray(String[]::new));
      return new Outcome(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  static Outcome execute(String... args) {
    return execute(List.of(args));
  }

  /** {@code run} on {@code input} into a fresh output directory, plus {@code extra} arguments. */
  static Outcome run(Path input, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--set",
                "input.path=" + input,
                "--set",
                "output.path=" + tmp.resolve("out-" + input.getFileName()),
                "--set",
                "run.date=2026-01-31",
                "--set",
                "segment.seeds=1"));
    args.addAll(List.of(extra));
    return execute(args);
  }

  @BeforeAll
  static void generate() {
    clean = tmp.resolve("clean");
    faulty = tmp.resolve("faulty");
    Outcome generated = execute("generate", "--rows", "3000", "--output", clean.toString());
    assertEquals(ExitCode.SUCCESS, generated.code(), generated.describe());
    generated =
        execute(
            "generate",
            "--rows",
            "3000",
            "--output",
            faulty.toString(),
            "--set",
            "generate.faults.null-rate=0.5");
    assertEquals(ExitCode.SUCCESS, generated.code(), generated.describe());
  }

  @Test
  void successIsZero() {
    Outcome o = run(clean);
    assertEquals(ExitCode.SUCCESS, o.code(), o.describe());
    assertTrue(Files.exists(tmp.resolve("out-clean/run_date=2026-01-31/_SUCCESS")), "no _SUCCESS");
  }

  @Test
  void unknownSubcommandIsUsage() {
    Outcome o = execute("frobnicate");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertFalse(o.hasStackTrace(), o.describe());
  }

  @Test
  void missingSubcommandIsUsage() {
    Outcome o = execute();
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
  }

  @Test
  void unknownOptionIsUsage() {
    Outcome o = execute("run", "--no-such-option");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(o.stderr().contains("--no-such-option"), o.describe());
    assertFalse(o.hasStackTrace(), o.describe());
  }

  @Test
  void unknownKeyIsUsageWithASuggestionOnTheLastLine() {
    Outcome o = run(clean, "--set", "segment.kk=5");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertEquals(
        "creditseg: Unknown key 'segment.kk' (--set segment.kk): did you mean 'segment.k'?",
        o.lastLine());
    assertFalse(o.hasStackTrace(), o.describe());
  }

  @Test
  void verboseAddsTheStackTrace() {
    Outcome o = run(clean, "--set", "segment.kk=5", "--verbose");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(o.hasStackTrace(), o.describe());
    assertTrue(o.lastLine().contains("did you mean 'segment.k'?"), o.describe());
  }

  @Test
  void badValueIsUsage() {
    Outcome o = run(clean, "--set", "run.date=31/01/2026");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(o.lastLine().contains("run.date = '31/01/2026'"), o.describe());
  }

  @Test
  void missingInputPathIsUsage() {
    Path missing = tmp.resolve("no-such-input");
    Outcome o = run(missing);
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(o.lastLine().startsWith("creditseg: Input path not found: "), o.describe());
    assertTrue(o.lastLine().contains(missing.toString()), o.describe());
    assertFalse(o.hasStackTrace(), o.describe());
  }

  @Test
  void qualityBreachIsThree() {
    List<String> args = new ArrayList<>();
    // Half the rows have one numeric feature empty; rejecting instead of imputing quarantines them.
    for (String column :
        List.of(
            "age",
            "annual_income",
            "credit_utilization_ratio",
            "payment_history",
            "late_payments_24m",
            "credit_history_months",
            "recent_inquiries",
            "number_of_credit_accounts",
            "loan_amount",
            "interest_rate",
            "loan_term",
            "spending_score")) {
      args.addAll(List.of("--set", "quality.columns." + column + ".missing=reject"));
    }
    args.addAll(List.of("--set", "quality.max-quarantined-share=0.05"));
    Outcome o = run(faulty, args.toArray(String[]::new));
    assertEquals(ExitCode.QUALITY, o.code(), o.describe());
    assertTrue(o.lastLine().contains("above quality.max-quarantined-share = 0.05"), o.describe());
    assertFalse(o.hasStackTrace(), o.describe());
    assertFalse(
        Files.exists(tmp.resolve("out-faulty/run_date=2026-01-31")),
        "a breached run must not commit");
  }
}
