package com.creditseg.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.io.RunOutput;
import com.creditseg.metrics.RfmMetrics;
import com.creditseg.rfm.LoyaltyModel;
import com.creditseg.rfm.RfmScorer;
import com.creditseg.rfm.RfmSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** generate --kind transactions, then rfm, through the command line, end to end. */
@ExtendWith(SharedSpark.class)
class RfmJobTest {
  @TempDir Path dir;

  /** {@code rfm} on {@code input} into {@code output} for 2026-01-31, with {@code settings}. */
  static CommandLine.Outcome rfm(String input, String output, String... settings) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "rfm",
                "--set",
                "transactions.input.path=" + input,
                "--set",
                "output.path=" + output,
                "--set",
                "run.date=2026-01-31"));
    for (String s : settings) {
      args.add("--set");
      args.add(s);
    }
    return CommandLine.execute(args);
  }

  @Test
  void rfmOnGeneratedTransactionsCommitsAndTheLoyaltyModelBeatsTheMajorityClass() throws Exception {
    String input = dir.resolve("transactions").toString();
    String output = dir.resolve("out").toString();
    CommandLine.Outcome generated =
        CommandLine.execute(
            "generate", "--kind", "transactions", "--customers", "3000", "--output", input);
    assertEquals(0, generated.code(), generated.describe());
    CommandLine.Outcome run =
        rfm(input, output, "rfm.kmeans.k=4", "rfm.loyalty.gbt.max-iterations=20");
    assertEquals(0, run.code(), run.describe());

    Path runDir = Path.of(output, "run_date=2026-01-31");
    assertTrue(Files.exists(runDir.resolve("_SUCCESS")));
    String page = Files.readString(runDir.resolve("report/index.html"));
    // The data is embedded as HTML-safe JSON, which escapes the apostrophe.
    assertTrue(page.contains("<h2>R × F grid</h2>"), "report sections");
    assertTrue(page.contains("\"Can\\u0027t Lose\""), "report data");
    assertTrue(Files.exists(runDir.resolve("report/plotly.js")));
    assertTrue(Files.exists(runDir.resolve("profiles.json")));
    RfmMetrics m =
        RunOutput.JSON.readValue(runDir.resolve("metrics.json").toFile(), RfmMetrics.class);
    assertTrue(m.rows().reconciled(), "rows: " + m.rows());
    assertEquals(m.rows().in(), m.rows().used() + m.rows().quarantined());
    assertTrue(m.rows().cancellations() > 0, "cancellations netted");
    // rfm.snapshot = last-transaction: the day after the last transaction, which the generator's
    // window (2024-01-01 + 730 days) puts at the end of 2025.
    LocalDate snapshot = LocalDate.parse(m.snapshotDate());
    assertEquals(LocalDate.parse(m.lastTransaction().substring(0, 10)).plusDays(1), snapshot);
    assertTrue(snapshot.getYear() == 2025, "snapshot " + snapshot);
    assertEquals(3000, m.customers());
    assertEquals(3000, m.segments().stream().mapToLong(RfmSummary.NamedSegment::customers).sum());
    assertEquals(25, m.grid().size());
    assertEquals(4, m.kmeans().k());

    LoyaltyModel.Report loyalty = m.loyalty();
    assertEquals(snapshot.minusDays(90).toString(), loyalty.cutoff(), "rfm.loyalty.horizon-days");
    assertNull(loyalty.note());
    assertEquals(3, loyalty.models().size());
    for (LoyaltyModel.Evaluation e : loyalty.models()) {
      assertTrue(
          e.accuracy() > loyalty.majorityAccuracy() + 0.05,
          e.model() + " accuracy " + e.accuracy() + " vs majority " + loyalty.majorityAccuracy());
      assertTrue(e.rocAuc() > 0.75, e.model() + " AUC " + e.rocAuc());
    }

    Dataset<Row> segments =
        SharedSpark.spark().read().parquet(runDir.resolve("segments").toString());
    assertEquals(3000, segments.count());
    Row p =
        segments
            .agg(
                functions.min(LoyaltyModel.P_LOYAL),
                functions.max(LoyaltyModel.P_LOYAL),
                functions.count(LoyaltyModel.P_LOYAL),
                functions.min(RfmScorer.R_SCORE),
                functions.max(RfmScorer.R_SCORE))
            .first();
    assertTrue(p.getDouble(0) >= 0 && p.getDouble(1) <= 1, "p_loyal in [0, 1]: " + p);
    assertEquals(3000, p.getLong(2), "every customer has p_loyal");
    assertEquals(1, p.getInt(3));
    assertEquals(5, p.getInt(4));
    assertFalse(
        List.of(segments.columns()).contains("cutoff_frequency"),
        "the cutoff features are internal");
  }

  @Test
  void placeholderIdsAreNoCustomerAndAnIdHoldingMostPurchasesIsNamed() throws Exception {
    String generatedPath = dir.resolve("clean").toString();
    CommandLine.Outcome generated =
        CommandLine.execute(
            "generate", "--kind", "transactions", "--customers", "300", "--output", generatedPath);
    assertEquals(0, generated.code(), generated.describe());
    var spark = SharedSpark.spark();
    var clean = spark.read().parquet(generatedPath);
    long cleanRows = clean.count();
    // A shop's walk-in till: one id on many purchases; and an extract's "(blank)" for no id.
    var walkIn =
        clean
            .limit(400)
            .withColumn("customer_id", lit("WALK-IN"))
            .withColumn("transaction_id", concat(lit("W"), col("transaction_id")));
    var blank =
        clean
            .limit(50)
            .withColumn("customer_id", lit("(blank)"))
            .withColumn("transaction_id", concat(lit("B"), col("transaction_id")));
    String input = dir.resolve("with-placeholders").toString();
    clean.unionByName(walkIn).unionByName(blank).write().parquet(input);
    String output = dir.resolve("out-placeholders").toString();
    CommandLine.Outcome run =
        rfm(input, output, "transactions.max-quarantined-share=1", "rfm.loyalty.enabled=false");
    assertEquals(0, run.code(), run.describe());
    RfmMetrics m =
        RunOutput.JSON.readValue(
            Path.of(output, "run_date=2026-01-31", "metrics.json").toFile(), RfmMetrics.class);
    assertEquals(cleanRows + 450, m.rows().in());
    assertEquals(50L, m.quarantineReasons().get("missing_id:customer_id"));
    assertEquals(1, m.warnings().size(), m.warnings().toString());
    assertTrue(m.warnings().get(0).startsWith("customer_id 'WALK-IN' holds "), m.warnings().get(0));
    assertTrue(
        m.warnings().get(0).endsWith("add it to transactions.input.placeholder-ids"),
        m.warnings().get(0));
  }

  @Test
  void pandasParquetWithNanosecondTimestampsIsRead() throws Exception {
    // What pandas writes: transaction times as INT64 TIMESTAMP(NANOS), which Spark cannot read
    // as timestamps.
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message transactions { required binary customer_id (STRING);"
                + " required binary transaction_id (STRING);"
                + " required int64 transaction_time (TIMESTAMP(NANOS,true));"
                + " required double amount; }");
    Path pandas = dir.resolve("pandas");
    Files.createDirectories(pandas);
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    long day = 86_400L * 1_000_000_000L;
    long start = Instant.parse("2025-06-01T10:00:00Z").getEpochSecond() * 1_000_000_000L;
    int lines = 0;
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(
                new org.apache.hadoop.fs.Path(pandas.resolve("part-0.parquet").toString()))
            .withType(schema)
            .build()) {
      for (int c = 0; c < 40; c++) {
        for (int t = 0; t <= c % 4; t++) {
          writer.write(
              groups
                  .newGroup()
                  .append("customer_id", "c" + c)
                  .append("transaction_id", "t" + c + "-" + t)
                  .append("transaction_time", start + (c * 3L + t * 20L) * day)
                  .append("amount", 10.0 + c));
          lines++;
        }
      }
    }
    String output = dir.resolve("out-pandas").toString();
    CommandLine.Outcome run =
        rfm(pandas.toString(), output, "rfm.kmeans.k=2", "rfm.loyalty.enabled=false");
    assertEquals(0, run.code(), run.describe());
    RfmMetrics m =
        RunOutput.JSON.readValue(
            Path.of(output, "run_date=2026-01-31", "metrics.json").toFile(), RfmMetrics.class);
    assertEquals(lines, m.rows().in());
    assertEquals(0, m.rows().quarantined(), m.quarantineReasons().toString());
    assertEquals(40, m.customers());
    // The last purchase: customer 39, its 4th line, 39 * 3 + 3 * 20 days after the start.
    assertEquals("2025-11-25T10:00", m.lastTransaction().substring(0, 16).replace(' ', 'T'));
  }

  @Test
  void tooManyBadTransactionsStopTheRunWithExitCodeThree() {
    String input = dir.resolve("faulty").toString();
    String output = dir.resolve("out-faulty").toString();
    CommandLine.Outcome generated =
        CommandLine.execute(
            "generate",
            "--kind",
            "transactions",
            "--customers",
            "200",
            "--output",
            input,
            "--set",
            "transactions.generate.fault-rate=0.2");
    assertEquals(0, generated.code(), generated.describe());
    CommandLine.Outcome run = rfm(input, output);
    assertEquals(ExitCode.QUALITY, run.code(), run.describe());
    assertTrue(
        run.lastLine().contains("above transactions.max-quarantined-share = 0.05"), run.lastLine());
    // The reasons by count come before where to look.
    assertTrue(
        run.lastLine().matches(".*; top reasons: [a-z_]+:[a-z_]+ [0-9,]+.*; quarantine and.*"),
        run.lastLine());
    assertTrue(Files.exists(Path.of(output, "_failed", "run_date=2026-01-31", "metrics.json")));
    assertFalse(Files.exists(Path.of(output, "run_date=2026-01-31")));
  }
}
