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
import java.nio.file.StandardCopyOption;
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
            "v7,50000,0.3,0.9,1,60,1,3,Employed,0,extra,more", // malformed_line (too many)
            "v8,50000,0.3,0.9,3.7,60,1,3,Employed,0", // not_an_integer, never rounded to 4
            "v9,50000,0.3,0.9,1,2147483648,1,3,Employed,0", // out_of_range of an int
            "v10,50000,0.3,0.9,2.0,60,1,3,Employed,0")); // a whole number written 2.0 is 2
    Outcome o =
        run(
            csv("reasons.csv", lines),
            "quality.columns.payment_history.missing=reject",
            "quality.columns.credit_utilization_ratio.missing=reject");
    assertEquals(0, o.exitCode(), o.stderr());
    o.assertReconciled();
    assertEquals(55, o.rows("in"));
    assertEquals(1, o.rows("deduplicated"));
    assertEquals(
        Set.of(
            "missing_id",
            "duplicate_id",
            "missing_value",
            "not_a_number",
            "not_an_integer",
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
    assertEquals(
        1,
        o.metrics()
            .at("/quality/quarantinedByReasonAndColumn/not_an_integer:late_payments_24m")
            .asLong());
    assertEquals(
        1,
        o.metrics()
            .at("/quality/quarantinedByReasonAndColumn/out_of_range:credit_history_months")
            .asLong());
    assertEquals(42, o.rows("out")); // 40 good + one copy of c1 + v10
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

    // Placeholders that extracts write for an unknown id are no id: never one customer holding
    // every such row. Twice "(blank)" would otherwise be a duplicate id; here all are missing_id.
    List<String> placeholders = new ArrayList<>(List.of(HEADER));
    placeholders.addAll(CustomerCsv.goodLines(30));
    for (String id : List.of("(blank)", "(blank)", " Unknown ", "n/a", "-", "NONE")) {
      placeholders.add(CustomerCsv.good(id, 7));
    }
    Outcome p = run(csv("placeholders.csv", placeholders));
    assertEquals(0, p.exitCode(), p.stderr());
    assertEquals(6, p.metrics().at("/quality/quarantinedByReason/missing_id").asLong());
    assertEquals(30, p.rows("out"));
    p.assertReconciled();
    // A user's own list replaces the default one.
    Outcome own = run(csv("own-placeholders.csv", placeholders), "input.placeholder-ids=[\"-\"]");
    assertEquals(1, own.metrics().at("/quality/quarantinedByReason/missing_id").asLong());
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

    Outcome nearMiss = run(input, "input.mapping.columns.annual_income=annual_incme");
    assertEquals(2, nearMiss.exitCode());
    assertTrue(
        nearMiss
            .lastLine()
            .startsWith(
                "creditseg: input.mapping.columns.annual_income names source column"
                    + " 'annual_incme', which the input does not have; did you mean"
                    + " 'annual_income'?"),
        nearMiss.lastLine());

    // An expression that does not compile: the key, the expression and what is wrong, one line.
    String key = "input.mapping.columns.credit_utilization_ratio";
    Outcome unresolved =
        run(input, key + "={expression=\"CAST(annual_incom AS DOUBLE) / 100000\"}");
    assertEquals(2, unresolved.exitCode(), unresolved.stderr());
    assertEquals(
        "creditseg: "
            + key
            + ": expression \"CAST(annual_incom AS DOUBLE) / 100000\" reads annual_incom, which"
            + " the input does not have; did you mean annual_income? (mapping 'canonical')",
        unresolved.lastLine());
    Outcome function = run(input, key + "={expression=\"NULLIFF(annual_income, 0)\"}");
    assertEquals(2, function.exitCode(), function.stderr());
    assertEquals(
        "creditseg: "
            + key
            + ": expression \"NULLIFF(annual_income, 0)\" calls NULLIFF, which is not a Spark SQL"
            + " function (mapping 'canonical')",
        function.lastLine());
    Outcome syntax = run(input, key + "={expression=\"CAST(annual_income AS DOUBLE\"}");
    assertEquals(2, syntax.exitCode(), syntax.stderr());
    assertTrue(
        syntax
            .lastLine()
            .startsWith(
                "creditseg: "
                    + key
                    + ": expression \"CAST(annual_income AS DOUBLE\" is not valid Spark SQL:"),
        syntax.lastLine());
    Outcome types = run(input, key + "={expression=\"annual_income / array(1)\"}");
    assertEquals(2, types.exitCode(), types.stderr());
    assertTrue(
        types
            .lastLine()
            .startsWith(
                "creditseg: "
                    + key
                    + ": expression \"annual_income / array(1)\" does not compile:"),
        types.lastLine());
    for (Outcome o : List.of(unresolved, function, syntax, types)) {
      assertFalse(o.stderr().contains("\tat "), o.stderr());
    }

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

  @Test
  void aLabelTheModelsCannotUseSkipsThemUnderAutoAndStopsThemUnderTrue() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    CustomerCsv.goodLines(200).forEach(l -> lines.add(l.replaceFirst(",1$", ",0")));
    Path input = csv("one-class.csv", lines);

    Outcome auto = run(input, "model.supervised.enabled=auto");
    assertEquals(0, auto.exitCode(), auto.stderr());
    assertEquals(200, auto.rows("out"));
    String warning = auto.metrics().at("/warnings/0").asText();
    assertTrue(
        warning.startsWith("Cannot fit supervised models: the ")
            && warning.endsWith(
                "; the supervised models were skipped (model.supervised.enabled = auto)"),
        warning);
    assertTrue(auto.metrics().at("/supervised").isNull(), auto.metrics().toString());

    Outcome on = run(csv("one-class-on.csv", lines), "model.supervised.enabled=true");
    assertEquals(2, on.exitCode(), on.stderr());
    assertTrue(on.lastLine().startsWith("creditseg: Cannot fit supervised models"), on.lastLine());
    assertFalse(on.stderr().contains("RejectedExecutionException"), on.stderr());
  }

  @Test
  void aFeatureThatIsTheLabelIsDroppedAsASuspectedLeak() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(CustomerCsv.goodLines(300));
    Outcome o =
        run(
            csv("leak.csv", lines),
            "model.supervised.enabled=true",
            "input.mapping.extra-columns.leaky={expression=\"CAST(defaulted AS DOUBLE)\","
                + " type=double}");
    assertEquals(0, o.exitCode(), o.stderr());
    JsonNode leaky = null;
    for (JsonNode f : o.metrics().at("/supervised/features")) {
      if (f.get("feature").asText().equals("leaky")) {
        leaky = f;
      }
    }
    assertTrue(leaky != null, o.metrics().at("/supervised/features").toString());
    assertEquals("suspected_leak", leaky.get("status").asText());
    assertTrue(leaky.get("iv").asDouble() > 2, leaky.toString());
    assertEquals(0.0, leaky.get("coefficient").asDouble());
    String warning = o.metrics().at("/warnings/0").asText();
    assertTrue(
        warning.startsWith(
            "leaky: dropped from every supervised model as a suspected leak of the label"),
        warning);
    // No model saw it: none separates the held-out classes perfectly.
    for (JsonNode m : o.metrics().at("/supervised/models")) {
      assertTrue(m.at("/validation/rocAuc").asDouble() < 0.999, m.toString());
    }
  }

  @Test
  void aColumnMostlyImputedIsNamedInTheWarnings() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    List<String> good = CustomerCsv.goodLines(100);
    for (int i = 0; i < good.size(); i++) {
      // annual_income missing in 20 of 100 rows: imputed, above the default 10 %.
      lines.add(i % 5 == 0 ? good.get(i).replaceFirst("^(g\\d+),\\d+,", "$1,,") : good.get(i));
    }
    Outcome o = run(csv("imputed.csv", lines));
    assertEquals(0, o.exitCode(), o.stderr());
    assertEquals(
        "annual_income: 20.0 % of the rows (20) had no usable value and were imputed, above"
            + " quality.warn-imputed-share = 0.1; if a missing value means something (no account,"
            + " none), map it to that value instead",
        o.metrics().at("/warnings/0").asText());
    assertEquals(1, o.metrics().at("/warnings").size());
    Outcome quiet = run(csv("imputed-quiet.csv", lines), "quality.warn-imputed-share=0.25");
    assertEquals(0, quiet.metrics().at("/warnings").size());
  }

  /** Writes the CSV lines as a Parquet directory of {@code files} part files, types inferred. */
  Path parquet(String name, List<String> lines, int files) throws Exception {
    Path dir = tmp.resolve(name);
    SharedSpark.spark()
        .read()
        .option("header", true)
        .option("inferSchema", true)
        .csv(csv(name + ".csv", lines).toString())
        .repartition(files)
        .write()
        .parquet(dir.toString());
    return dir;
  }

  @Test
  void parquetDirectoriesAsUsersLeaveThem() throws Exception {
    List<String> lines = new ArrayList<>(List.of(HEADER));
    lines.addAll(CustomerCsv.goodLines(40));

    // A README and a spreadsheet beside the part files are skipped, and the rows all read.
    Path withStray = parquet("stray", lines, 2);
    Files.writeString(withStray.resolve("README.txt"), "Customers extract, see the wiki.\n");
    Files.writeString(withStray.resolve("extract.xlsx"), "PK not a parquet file");
    Outcome stray = run(withStray, "input.format=parquet");
    assertEquals(0, stray.exitCode(), stray.stderr());
    assertEquals(40, stray.rows("in"));
    stray.assertReconciled();
    String skipped = stray.metrics().at("/warnings/0").asText();
    assertTrue(
        skipped.startsWith("Input " + withStray + ": skipped 2 file(s) that are not Parquet: "),
        skipped);
    assertTrue(skipped.contains("README.txt") && skipped.contains("extract.xlsx"), skipped);

    // A corrupt part file is named.
    Path corrupt = parquet("corrupt", lines, 2);
    Path part;
    try (var files = Files.list(corrupt)) {
      part = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().get();
    }
    byte[] bytes = Files.readAllBytes(part);
    Arrays.fill(bytes, 4, bytes.length - 8, (byte) 7);
    Files.write(part, bytes);
    Files.deleteIfExists(part.resolveSibling("." + part.getFileName() + ".crc"));
    Outcome broken = run(corrupt, "input.format=parquet");
    assertEquals(2, broken.exitCode(), broken.stderr());
    assertTrue(
        broken.lastLine().startsWith("creditseg: Cannot read the input: "), broken.lastLine());
    assertTrue(broken.lastLine().contains(part.getFileName().toString()), broken.lastLine());
    assertFalse(broken.stderr().contains("\tat "));
    assertFalse(Files.exists(tmp.resolve("out-corrupt")), "no _staging/ or lock left behind");

    // A part file changed after it was written, its .crc sidecar left as it was: named, with
    // what to do.
    Path stale = parquet("stale-crc", lines, 1);
    Path staleFile;
    try (var files = Files.list(stale)) {
      staleFile =
          files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().get();
    }
    Path crc = staleFile.resolveSibling("." + staleFile.getFileName() + ".crc");
    assertTrue(Files.exists(crc), "Spark wrote a checksum sidecar");
    byte[] crcBytes = Files.readAllBytes(crc);
    SharedSpark.spark()
        .read()
        .parquet(stale.toString())
        .limit(39)
        .coalesce(1)
        .write()
        .parquet(tmp.resolve("stale-rewritten").toString());
    try (var files = Files.list(tmp.resolve("stale-rewritten"))) {
      Files.copy(
          files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().get(),
          staleFile,
          StandardCopyOption.REPLACE_EXISTING);
    }
    Files.write(crc, crcBytes);
    Outcome staleRun = run(stale, "input.format=parquet");
    assertEquals(2, staleRun.exitCode(), staleRun.stderr());
    assertTrue(
        staleRun.lastLine().contains(staleFile.getFileName().toString()), staleRun.lastLine());
    assertTrue(staleRun.lastLine().contains("delete the .crc file"), staleRun.lastLine());

    // As text in one file and a number in another: named, with the fix.
    Path mixed = parquet("mixed", lines.subList(0, 21), 1);
    appendParquet(mixed, lines.subList(21, 41), ",k$1,");
    Outcome types = run(mixed, "input.format=parquet");
    assertEquals(2, types.exitCode(), types.stderr());
    assertTrue(types.lastLine().startsWith("creditseg: Cannot read the input: "), types.lastLine());
    assertTrue(types.lastLine().contains("annual_income"), types.lastLine());
    assertTrue(types.lastLine().contains("rewrite them with one type"), types.lastLine());
    assertFalse(types.stderr().contains("\tat "));
  }

  /** Appends the lines, annual_income rewritten by {@code replacement}, as one more file. */
  private void appendParquet(Path dir, List<String> lines, String replacement) throws Exception {
    List<String> changed = new ArrayList<>(List.of(HEADER));
    lines.forEach(l -> changed.add(l.replaceFirst(",(\\d+),", replacement)));
    SharedSpark.spark()
        .read()
        .option("header", true)
        .option("inferSchema", true)
        .csv(csv(dir.getFileName() + "-more.csv", changed).toString())
        .write()
        .mode("append")
        .parquet(dir.toString());
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

    // And inside the functions the shipped examples use: a CAST nested in NULLIF (which reads its
    // argument twice, so Spark evaluates it once, ahead of the rest), CASE WHEN, COALESCE,
    // arithmetic, to_date on text built from the cell. A row that fails anywhere in the tree is
    // quarantined; none stops the run.
    Path nested = csv("random-nested.csv", lines);
    Set<String> viaNested =
        runAndCheckNothingIsLost(
            nested,
            untouched,
            "input.mapping.columns.credit_utilization_ratio={expression=\"CAST("
                + "credit_utilization_ratio AS DOUBLE) * CAST(annual_income AS DOUBLE)"
                + " / NULLIF(CAST(annual_income AS DOUBLE), 0)\"}",
            "input.mapping.columns.late_payments_24m={expression=\"CASE WHEN"
                + " CAST(late_payments_24m AS INT) > 0 THEN CAST(late_payments_24m AS INT) ELSE 0"
                + " END\"}",
            "input.mapping.columns.payment_history={expression=\"COALESCE(CAST(payment_history"
                + " AS DOUBLE) * 2 / 2, NULL)\"}",
            "input.mapping.columns.recent_inquiries={expression=\"DAYOFMONTH(to_date(CONCAT("
                + "'2026-01-1', recent_inquiries))) - 10\"}");
    Dataset<Row> nestedQuarantine =
        SharedSpark.spark()
            .read()
            .parquet(
                tmp.resolve("out-random-nested.csv/run_date=2026-02-01/quarantine").toString());
    Set<String> failed = new TreeSet<>();
    nestedQuarantine
        .filter("reason = 'expression_error'")
        .select("reason_column")
        .collectAsList()
        .forEach(r -> failed.add("expression_error:" + r.getString(0)));
    assertEquals(
        Set.of(
            "expression_error:credit_utilization_ratio",
            "expression_error:late_payments_24m",
            "expression_error:payment_history",
            "expression_error:recent_inquiries"),
        failed,
        "each nested expression quarantines the rows it fails on");
    // A row the plain mapping keeps and the nested one does not failed in an expression (to_date
    // of a clipped negative count, say): it is in the quarantine as such, not lost.
    Set<String> lostToNesting = new TreeSet<>(plain);
    lostToNesting.removeAll(viaNested);
    Set<String> quarantinedByExpressions = new TreeSet<>();
    nestedQuarantine
        .filter("array_contains(transform(reasons, r -> split(r, ':')[0]), 'expression_error')")
        .select("customer_id")
        .collectAsList()
        .forEach(r -> quarantinedByExpressions.add(r.getString(0)));
    lostToNesting.removeAll(quarantinedByExpressions);
    assertEquals(Set.of(), lostToNesting, "kept by the plain mapping, neither kept nor failed");
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
