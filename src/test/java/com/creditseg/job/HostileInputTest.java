package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs through the command line, as a scheduler sees them: the exit code, the last line
 * on stderr, and {@code rows_in = rows_out + rows_quarantined + rows_deduplicated} in metrics.json.
 */
@ExtendWith(SharedSpark.class)
class HostileInputTest {
  static final String HEADER =
      "customer_id,annual_income,credit_utilization_ratio,payment_history,late_payments_24m,"
          + "credit_history_months,recent_inquiries,number_of_credit_accounts,employment_status,"
          + "defaulted";

  @TempDir Path tmp;

  /** What one command-line run left behind. */
  record Outcome(int exitCode, String lastLine, String stderr, JsonNode metrics) {
    long rows(String name) {
      return metrics.at("/rows/" + name).asLong();
    }

    void assertReconciled() {
      assertEquals(
          rows("in"),
          rows("out") + rows("quarantined") + rows("deduplicated"),
          metrics.at("/rows").toString());
    }
  }

  /** A clean customer line with the given id; values vary with n so clusters can form. */
  static String good(String id, int n) {
    return String.join(
        ",",
        id,
        String.valueOf(30_000 + 1_000 * (n % 50)),
        String.valueOf(0.1 + 0.015 * (n % 40)),
        String.valueOf(0.80 + 0.004 * (n % 50)),
        String.valueOf(n % 5),
        String.valueOf(12 + 3 * (n % 60)),
        String.valueOf(n % 4),
        String.valueOf(1 + n % 7),
        n % 3 == 0 ? "Unemployed" : "Employed",
        String.valueOf(n % 9 == 0 ? 1 : 0));
  }

  static List<String> goodLines(int count) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add(good("g" + i, i));
    }
    return lines;
  }

  Path csv(String name, List<String> lines) throws Exception {
    Path file = tmp.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  Outcome run(Path input, String... extra) throws Exception {
    Path out = tmp.resolve("out-" + input.getFileName());
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--set",
                "input.path=" + input,
                "--set",
                "input.format=csv",
                "--set",
                "output.path=" + out,
                "--set",
                "run.date=2026-02-01",
                "--set",
                "segment.k=2",
                "--set",
                "segment.seeds=1",
                "--set",
                "segment.max-iterations=10",
                "--set",
                "quality.max-quarantined-share=1.0",
                "--set",
                "input.mapping.categories.employment_status={emp=Employed, unemp=Unemployed}"));
    for (String e : extra) {
      args.add("--set");
      args.add(e);
    }
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code = Main.execute(args.toArray(String[]::new));
    } finally {
      System.setErr(original);
    }
    String stderr = captured.toString(StandardCharsets.UTF_8);
    String[] lines = stderr.strip().split("\\R");
    File metrics = new File(out.toFile(), "run_date=2026-02-01/metrics.json");
    if (!metrics.exists()) {
      metrics = new File(out.toFile(), "_failed/run_date=2026-02-01/metrics.json");
    }
    JsonNode json = metrics.exists() ? new ObjectMapper().readTree(metrics) : null;
    return new Outcome(code, lines[lines.length - 1], stderr, json);
  }

  @Test
  void everyReasonCodeIsTriggeredAndCounted() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(goodLines(40));
    lines.addAll(
        List.of(
            good("", 1), // missing_id
            good("d1", 2),
            good("d1", 3), // duplicate_id (x2)
            good("c1", 4),
            good("c1", 4), // exact copy: deduplicated
            "v1,50000,0.3,,1,60,1,3,Employed,0", // missing_value (reject policy)
            "v2,lots,0.3,0.9,1,60,1,3,Employed,0", // not_a_number
            "v3,50000,Infinity,0.9,1,60,1,3,Employed,0", // infinite (reject policy)
            "v4,50000,0.3,1.7,1,60,1,3,Employed,0", // out_of_range
            "v5,50000,0.3,0.9,1,60,1,3,Retired,0", // unmappable_category
            "v6,50000,0.3,0.9,1,60,1,3", // malformed_line (too few fields)
            "v7,50000,0.3,0.9,1,60,1,3,Employed,0,extra,more")); // malformed_line (too many)
    Outcome o =
        run(
            csv("reasons.csv", lines),
            "quality.columns.payment_history.missing=reject",
            "quality.columns.credit_utilization_ratio.missing=reject");
    assertEquals(0, o.exitCode(), o.stderr());
    o.assertReconciled();
    assertEquals(52, o.rows("in"));
    assertEquals(1, o.rows("deduplicated"));
    assertEquals(
        Set.of(
            "missing_id",
            "duplicate_id",
            "missing_value",
            "not_a_number",
            "infinite",
            "out_of_range",
            "unmappable_category",
            "malformed_line"),
        fieldNames(o.metrics().at("/quality/quarantinedByReason")));
    assertEquals(2, o.metrics().at("/quality/quarantinedByReason/duplicate_id").asLong());
    assertEquals(2, o.metrics().at("/quality/quarantinedByReason/malformed_line").asLong());
    assertEquals(
        1,
        o.metrics()
            .at("/quality/quarantinedByReasonAndColumn/not_a_number:annual_income")
            .asLong());
    assertEquals(41, o.rows("out")); // 40 good + one copy of c1
  }

  @Test
  void bomPaddedHeadersAndMixedCaseMapByThemselves() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(
        "\uFEFF Customer_ID ,Annual Income, Credit Utilization Ratio ,Payment History,"
            + "late_payments_24m,CREDIT_HISTORY_MONTHS,Recent Inquiries,Number of Credit Accounts,"
            + "Employment Status,Defaulted");
    lines.addAll(goodLines(30));
    Outcome o = run(csv("bom.csv", lines));
    assertEquals(0, o.exitCode(), o.stderr());
    assertEquals(30, o.rows("out"));
    assertFalse(o.metrics().at("/input/customerIdDerived").asBoolean());
  }

  @Test
  void mixedTypesQuarantineOnlyTheTextValues() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(goodLines(30));
    lines.add("m1,50000,0.3,0.9,two,60,1,3,Employed,0");
    lines.add("m2,50000,0.3,0.9,1,five years,1,3,Employed,0");
    Outcome o = run(csv("mixed.csv", lines));
    assertEquals(0, o.exitCode(), o.stderr());
    assertEquals(30, o.rows("out"));
    assertEquals(2, o.rows("quarantined"));
    o.assertReconciled();
  }

  @Test
  void emptyFileAndHeaderOnlyFileAreContractErrors() throws Exception {
    Path empty = tmp.resolve("empty.csv");
    Files.writeString(empty, "");
    Outcome o = run(empty);
    assertEquals(2, o.exitCode());
    assertEquals(
        "creditseg: Input " + empty + " is empty: no header line and no rows", o.lastLine());
    assertFalse(o.stderr().contains("\tat "), "no stack trace without --verbose");

    Outcome h = run(csv("header.csv", List.of(HEADER)));
    assertEquals(2, h.exitCode());
    assertEquals("creditseg: Input " + tmp.resolve("header.csv") + " has no rows", h.lastLine());
  }

  @Test
  void everyRowBadFailsWithTheQuarantineKept() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    for (int i = 0; i < 20; i++) {
      lines.add("b" + i + ",50000,0.3,7,1,60,1,3,Employed,0"); // payment history 7 > 1
    }
    Outcome o = run(csv("allbad.csv", lines));
    assertEquals(3, o.exitCode());
    assertTrue(
        o.lastLine().startsWith("creditseg: 20 of 20 rows (100.0%) quarantined, none left"),
        o.lastLine());
    assertEquals(20, o.rows("quarantined"));
    o.assertReconciled();
    File quarantine = tmp.resolve("out-allbad.csv/_failed/run_date=2026-02-01/quarantine").toFile();
    assertEquals(20, SharedSpark.spark().read().parquet(quarantine.toString()).count());
  }

  @Test
  void duplicateAndNullIds() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(goodLines(30));
    lines.add(good("g1", 1)); // exact copy of g1
    lines.add(good("g2", 99)); // conflicts with g2
    lines.add(good("", 5));
    lines.add(",1,1,1,1,1,1,1,Employed,0");
    Outcome o = run(csv("ids.csv", lines));
    assertEquals(0, o.exitCode(), o.stderr());
    assertEquals(1, o.rows("deduplicated"));
    assertEquals(4, o.rows("quarantined")); // g2 twice, two without id
    assertEquals(29, o.rows("out"));
    assertEquals(2, o.metrics().at("/quality/quarantinedByReason/missing_id").asLong());
    o.assertReconciled();
  }

  @Test
  void userErrorsExitTwoWithOneLine() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(goodLines(30));
    Path input = csv("ok.csv", lines);

    Outcome missing = run(tmp.resolve("nowhere.csv"));
    assertEquals(2, missing.exitCode());
    assertEquals(
        "creditseg: Input path not found: " + tmp.resolve("nowhere.csv"), missing.lastLine());

    Outcome typo = run(input, "segment.kk=3");
    assertEquals(2, typo.exitCode());
    assertEquals(
        "creditseg: Unknown key 'segment.kk' (--set segment.kk): did you mean" + " 'segment.k'?",
        typo.lastLine());

    Outcome column = run(input, "segment.features=[credit_score, spending_score]");
    assertEquals(2, column.exitCode());
    assertTrue(
        column
            .lastLine()
            .startsWith(
                "creditseg: Required column spending_score not found"
                    + " in "
                    + input
                    + " (mapping 'canonical'; columns found: customer_id,"),
        column.lastLine());

    Outcome mapping = run(input, "input.mapping.columns.annual_income=Salary");
    assertEquals(2, mapping.exitCode());
    assertTrue(
        mapping
            .lastLine()
            .startsWith(
                "creditseg: input.mapping.columns.annual_income names"
                    + " source column 'Salary', which the input does not have"),
        mapping.lastLine());

    Outcome tooMany =
        run(
            csv(
                "few.csv",
                List.of(HEADER, good("a", 1), good("b", 1).replace("b,", "b,"), good("c", 1))),
            "segment.k=3");
    assertEquals(2, tooMany.exitCode());
    assertTrue(
        tooMany
            .lastLine()
            .startsWith("creditseg: segment.k = 3 is larger than the 1" + " distinct customers"),
        tooMany.lastLine());

    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Outcome unwritable = run(input, "output.path=" + file.resolve("out"));
    assertEquals(2, unwritable.exitCode());
    assertTrue(
        unwritable
            .lastLine()
            .startsWith("creditseg: Cannot write to output.path " + file.resolve("out")),
        unwritable.lastLine());
    assertFalse(unwritable.stderr().contains("\tat "));
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
