package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
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

  /** {@code run} on {@code input} into a fresh output directory, plus {@code extra} arguments. */
  static CommandLine.Outcome run(Path input, String... extra) {
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
                "segment.seeds=1",
                // Supervised models have their own tests (SegmentationJobTest, SupervisedRunTest).
                "--set",
                "model.supervised.enabled=false"));
    args.addAll(List.of(extra));
    return CommandLine.execute(args);
  }

  @BeforeAll
  static void generate() {
    clean = tmp.resolve("clean");
    faulty = tmp.resolve("faulty");
    CommandLine.Outcome generated =
        CommandLine.execute("generate", "--rows", "3000", "--output", clean.toString());
    assertEquals(ExitCode.SUCCESS, generated.code(), generated.describe());
    generated =
        CommandLine.execute(
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
    CommandLine.Outcome o = run(clean);
    assertEquals(ExitCode.SUCCESS, o.code(), o.describe());
    assertTrue(Files.exists(tmp.resolve("out-clean/run_date=2026-01-31/_SUCCESS")), "no _SUCCESS");
  }

  @Test
  void scoreWithoutAModelIsUsage() {
    CommandLine.Outcome missing = CommandLine.execute("score");
    assertEquals(ExitCode.USAGE, missing.code(), missing.describe());
    assertTrue(missing.stderr().contains("--model"), missing.describe());

    CommandLine.Outcome notAModel =
        CommandLine.execute(
            "score",
            "--model",
            tmp.toString(),
            "--set",
            "input.path=" + tmp,
            "--set",
            "output.path=" + tmp.resolve("out-score"));
    assertEquals(ExitCode.USAGE, notAModel.code(), notAModel.describe());
    assertEquals(
        "creditseg: --model "
            + tmp
            + " is neither a committed run directory (with model/) nor a model directory (with"
            + " segments.json)",
        notAModel.lastLine());
    assertFalse(notAModel.hasStackTrace(), notAModel.describe());
  }

  @Test
  void scoreRefusesTheModelOfARunThatDidNotCommit() throws Exception {
    CommandLine.Outcome ran = run(clean, "--set", "output.path=" + tmp.resolve("out-uncommitted"));
    assertEquals(ExitCode.SUCCESS, ran.code(), ran.describe());
    Path committed = tmp.resolve("out-uncommitted/run_date=2026-01-31");
    // What a run killed just before its commit leaves: the whole result, under _staging/.
    Path staged = tmp.resolve("out-uncommitted/_staging/run_date=2026-01-31-0b5e");
    Files.createDirectories(staged.getParent());
    Files.move(committed, staged);
    List<String> scoring =
        List.of(
            "--set",
            "input.path=" + clean,
            "--set",
            "output.path=" + tmp.resolve("out-from-staging"),
            "--set",
            "run.date=2026-02-28");
    for (Path model : List.of(staged, staged.resolve("model"))) {
      List<String> args = new ArrayList<>(List.of("score", "--model", model.toString()));
      args.addAll(scoring);
      CommandLine.Outcome o = CommandLine.execute(args);
      assertEquals(ExitCode.USAGE, o.code(), o.describe());
      assertEquals(
          "creditseg: --model "
              + model
              + " is inside _staging/, the output of a run that did not commit (killed or"
              + " failed): use a committed run directory, <output.path>/run_date=YYYY-MM-DD",
          o.lastLine());
    }
    // A run directory without _SUCCESS is no committed run either.
    Path copied = tmp.resolve("copied-run");
    Files.move(staged, copied);
    Files.delete(copied.resolve("_SUCCESS"));
    List<String> args = new ArrayList<>(List.of("score", "--model", copied.toString()));
    args.addAll(scoring);
    CommandLine.Outcome o = CommandLine.execute(args);
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(
        o.lastLine().contains(" has no _SUCCESS; use a committed run directory"), o.lastLine());
    assertFalse(Files.exists(tmp.resolve("out-from-staging/run_date=2026-02-28")));
  }

  @Test
  void unknownSubcommandIsUsage() {
    CommandLine.Outcome o = CommandLine.execute("frobnicate");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertFalse(o.hasStackTrace(), o.describe());
  }

  @Test
  void missingSubcommandIsUsage() {
    CommandLine.Outcome o = CommandLine.execute();
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
  }

  @Test
  void unknownOptionIsUsage() {
    CommandLine.Outcome o = CommandLine.execute("run", "--no-such-option");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(o.stderr().contains("--no-such-option"), o.describe());
    assertFalse(o.hasStackTrace(), o.describe());
  }

  @Test
  void aMappingTargetTypoIsUsageWithTheClosestColumn() {
    CommandLine.Outcome o = run(clean, "--set", "input.mapping.columns.annual_incom=Salary");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(
        o.lastLine()
            .startsWith(
                "creditseg: input.mapping.columns.annual_incom maps to 'annual_incom', which is"
                    + " not a canonical column: did you mean 'annual_income'? (one of customer_id,"
                    + " age, "),
        o.lastLine());

    CommandLine.Outcome category =
        run(clean, "--set", "input.mapping.categories.gendr={F=Female, M=Male}");
    assertEquals(ExitCode.USAGE, category.code(), category.describe());
    assertTrue(
        category
            .lastLine()
            .contains(
                "input.mapping.categories.gendr maps to 'gendr', which is not a canonical"
                    + " column: did you mean 'gender'?"),
        category.lastLine());
    assertFalse(category.hasStackTrace(), category.describe());
  }

  @Test
  void unknownKeyIsUsageWithASuggestionOnTheLastLine() {
    CommandLine.Outcome o = run(clean, "--set", "segment.kk=5");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertEquals(
        "creditseg: Unknown key 'segment.kk' (--set segment.kk): did you mean 'segment.k'?",
        o.lastLine());
    assertFalse(o.hasStackTrace(), o.describe());
  }

  @Test
  void verboseAddsTheStackTrace() {
    CommandLine.Outcome o = run(clean, "--set", "segment.kk=5", "--verbose");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(o.hasStackTrace(), o.describe());
    assertTrue(o.lastLine().contains("did you mean 'segment.k'?"), o.describe());
  }

  @Test
  void badValueIsUsage() {
    CommandLine.Outcome o = run(clean, "--set", "run.date=31/01/2026");
    assertEquals(ExitCode.USAGE, o.code(), o.describe());
    assertTrue(o.lastLine().contains("run.date = '31/01/2026'"), o.describe());
  }

  @Test
  void missingInputPathIsUsage() {
    Path missing = tmp.resolve("no-such-input");
    CommandLine.Outcome o = run(missing);
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
    CommandLine.Outcome o = run(faulty, args.toArray(String[]::new));
    assertEquals(ExitCode.QUALITY, o.code(), o.describe());
    assertTrue(o.lastLine().contains("above quality.max-quarantined-share = 0.05"), o.describe());
    assertFalse(o.hasStackTrace(), o.describe());
    assertFalse(
        Files.exists(tmp.resolve("out-faulty/run_date=2026-01-31")),
        "a breached run must not commit");
  }
}
