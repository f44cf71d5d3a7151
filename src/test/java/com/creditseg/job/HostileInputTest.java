package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs through the command line, as a scheduler sees them: the exit code, the last line
 * on stderr, and {@code rows_in = rows_out + rows_quarantined + rows_deduplicated} in metrics.json.
 */
@ExtendWith(SharedSpark.class)
class HostileInputTest {
  static final String HEADER = CustomerCsv.HEADER;

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
                "input.mapping.categories.employment_status={emp=Employed, unemp=Unemployed}",
                // Supervised models have their own tests (SegmentationJobTest, SupervisedRunTest).
                "--set",
                "model.supervised.enabled=false"));
    for (String e : extra) {
      args.add("--set");
      args.add(e);
    }
    CommandLine.Outcome executed = CommandLine.execute(args);
    File metrics = new File(out.toFile(), "run_date=2026-02-01/metrics.json");
    if (!metrics.exists()) {
      metrics = new File(out.toFile(), "_failed/run_date=2026-02-01/metrics.json");
    }
    JsonNode json = metrics.exists() ? new ObjectMapper().readTree(metrics) : null;
    return new Outcome(executed.code(), executed.lastLine(), executed.stderr(), json);
  }

  @Test
  void everyReasonCodeIsTriggeredAndCounted() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(CustomerCsv.goodLines(40));
    lines.addAll(
        List.of(
            CustomerCsv.good("", 1), // missing_id
            CustomerCsv.good("d1", 2),
            CustomerCsv.good("d1", 3), // duplicate_id (x2)
            CustomerCsv.good("c1", 4),
            CustomerCsv.good("c1", 4), // exact copy: deduplicated
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
    lines.addAll(CustomerCsv.goodLines(30));
    Outcome o = run(csv("bom.csv", lines));
    assertEquals(0, o.exitCode(), o.stderr());
    assertEquals(30, o.rows("out"));
    assertFalse(o.metrics().at("/input/customerIdDerived").asBoolean());
  }

  @Test
  void mixedTypesQuarantineOnlyTheTextValues() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(CustomerCsv.goodLines(30));
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
    assertTrue(
        o.lastLine().contains("; top reasons: out_of_range:payment_history 20; quarantine"),
        o.lastLine());
    assertEquals(20, o.rows("quarantined"));
    o.assertReconciled();
    File quarantine = tmp.resolve("out-allbad.csv/_failed/run_date=2026-02-01/quarantine").toFile();
    assertEquals(20, SharedSpark.spark().read().parquet(quarantine.toString()).count());
  }

  @Test
  void duplicateAndNullIds() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(CustomerCsv.goodLines(30));
    lines.add(CustomerCsv.good("g1", 1)); // exact copy of g1
    lines.add(CustomerCsv.good("g2", 99)); // conflicts with g2
    lines.add(CustomerCsv.good("", 5));
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
    lines.addAll(CustomerCsv.goodLines(30));
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
                    + ": spending_score is a clustering feature: map a source column to it"
                    + " (input.mapping.columns.spending_score) or remove it from segment.features"
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
                List.of(
                    HEADER,
                    CustomerCsv.good("a", 1),
                    CustomerCsv.good("b", 1).replace("b,", "b,"),
                    CustomerCsv.good("c", 1))),
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

  /**
   * Property: whatever is done to a row, it ends up in the output or in quarantine (or is counted
   * as a copy), the counts reconcile against the files themselves, and no untouched row is lost.
   */
  @Test
  void randomlyCorruptedRowsLoseNothing() throws Exception {
    Random random = new Random(20260131);
    List<String> lines = new ArrayList<>(List.of(HEADER));
    Set<String> untouched = new TreeSet<>();
    Set<String> reusedIds = new TreeSet<>();
    List<String> corruptions =
        List.of("", "abc", "-5", "1e12", "NaN", "Infinity", "-Infinity", "NA", "0.5.1", "\"x");
    for (int i = 0; i < 3000; i++) {
      String id = "r" + i;
      String line = CustomerCsv.good(id, random.nextInt(1000));
      if (random.nextDouble() < 0.25) {
        String[] cells = line.split(",", -1);
        switch (random.nextInt(5)) {
          case 0 ->
              cells[random.nextInt(cells.length)] =
                  corruptions.get(random.nextInt(corruptions.size()));
          case 1 -> cells = Arrays.copyOf(cells, cells.length - 1 - random.nextInt(3));
          case 2 -> {
            cells = Arrays.copyOf(cells, cells.length + 1);
            cells[cells.length - 1] = "extra";
          }
          case 3 -> {
            String other = "r" + random.nextInt(i + 1);
            reusedIds.add(other);
            cells[0] = other;
          }
          default -> cells[8] = random.nextBoolean() ? "Retired" : " emp ";
        }
        line = String.join(",", cells);
      } else {
        untouched.add(id);
      }
      lines.add(line);
    }
    untouched.removeAll(reusedIds); // a row whose id another row took may be quarantined with it

    Path input = csv("random.csv", lines);
    Set<String> plain = runAndCheckNothingIsLost(input, untouched);

    // The same rows through mapping expressions: ANSI casts throw on the corrupted values, and
    // each such row must be quarantined (expression_error) rather than stop the run.
    Path copy = csv("random-expressions.csv", lines);
    Set<String> viaExpressions =
        runAndCheckNothingIsLost(
            copy,
            untouched,
            "input.mapping.columns.annual_income={expression=\"CAST(annual_income AS DOUBLE)\"}",
            "input.mapping.columns.late_payments_24m={expression=\"CAST(late_payments_24m AS"
                + " INT)\"}",
            "input.mapping.columns.credit_utilization_ratio={expression=\"CAST("
                + "credit_utilization_ratio AS DOUBLE) * 1\"}");
    assertEquals(plain, viaExpressions, "the same rows survive with or without expressions");
    Dataset<Row> quarantine =
        SharedSpark.spark()
            .read()
            .parquet(
                tmp.resolve("out-random-expressions.csv/run_date=2026-02-01/quarantine")
                    .toString());
    assertTrue(
        quarantine.filter("reason = 'expression_error'").count() > 0,
        "some corruptions fail inside an expression");
  }

  /** Runs the job on the input; checks reconciliation and that no untouched row is lost. */
  private Set<String> runAndCheckNothingIsLost(Path input, Set<String> untouched, String... extra)
      throws Exception {
    Outcome o = run(input, extra);
    assertEquals(0, o.exitCode(), o.lastLine());
    assertEquals(3000, o.rows("in"));
    o.assertReconciled();

    String runDir = tmp.resolve("out-" + input.getFileName() + "/run_date=2026-02-01").toString();
    Dataset<Row> segments = SharedSpark.spark().read().parquet(runDir + "/segments");
    Dataset<Row> quarantine = SharedSpark.spark().read().parquet(runDir + "/quarantine");
    assertEquals(o.rows("out"), segments.count());
    assertEquals(o.rows("quarantined"), quarantine.count());
    assertEquals(3000, segments.count() + quarantine.count() + o.rows("deduplicated"));
    Set<String> written = new TreeSet<>();
    segments.select("customer_id").collectAsList().forEach(r -> written.add(r.getString(0)));
    Set<String> lost = new TreeSet<>(untouched);
    lost.removeAll(written);
    assertEquals(Set.of(), lost, "untouched rows missing from the output");
    assertEquals(0, quarantine.filter("source_record is null or reason is null").count());
    return written;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
