package com.creditseg.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} as a user runs it: it generates the customers, runs the job and prints every stage
 * the run timed, the report included, with the same figures as the committed metrics.json. Nothing
 * here asserts on time.
 */
@ExtendWith(SharedSpark.class)
class BenchCommandTest {
  @TempDir Path work;

  @Test
  void printsEveryStageOfTheRunAsATableAndAsJson() throws IOException {
    CommandLine.Outcome o =
        CommandLine.execute(
            "bench",
            "--rows",
            "2000",
            "--work",
            work.toString(),
            "--set",
            "run.date=2026-01-31",
            "--set",
            "segment.seeds=1",
            "--set",
            "model.supervised.enabled=false");
    assertEquals(0, o.code(), o::describe);

    ObjectMapper mapper = new ObjectMapper();
    List<String> lines = o.stdout().lines().toList();
    JsonNode json = mapper.readTree(lines.get(lines.size() - 1));
    assertEquals(2000, json.get("rows").asLong());
    assertEquals("succeeded", json.get("status").asText());
    assertTrue(json.get("generateSeconds").asDouble() > 0, "generate timed");
    List<String> names = new ArrayList<>();
    json.get("stages").forEach(s -> names.add(s.get("name").asText()));
    assertEquals(
        List.of(
            "read",
            "duplicates",
            "medians",
            "validate",
            "fit",
            "segment",
            "population",
            "profile",
            "report"),
        names);

    // metrics.json holds every stage but the report, which reads it; the figures are the same.
    JsonNode committed =
        mapper.readTree(work.resolve("output/run_date=2026-01-31/metrics.json").toFile());
    assertEquals(2000, committed.at("/rows/in").asLong());
    JsonNode stages = committed.get("stages");
    assertEquals(names.size() - 1, stages.size());
    for (int i = 0; i < stages.size(); i++) {
      assertEquals(names.get(i), stages.get(i).get("name").asText());
      assertEquals(
          stages.get(i).get("seconds").asDouble(),
          json.get("stages").get(i).get("seconds").asDouble());
    }

    // The table: a row per stage with the rows it handled, and the run's.
    for (String stage : List.of("generate", "read", "segment", "report", "run")) {
      assertTrue(
          lines.stream().anyMatch(l -> l.matches(stage + " +[0-9.]+ +2,000 +[0-9,]+")),
          () -> stage + " row missing from:\n" + o.stdout());
    }
    assertTrue(lines.stream().anyMatch(l -> l.matches("peak heap [0-9,]+ MB of [0-9,]+ MB max")));
  }

  @Test
  void csvReadsTheCustomersBackFromALendersExtract() throws IOException {
    CommandLine.Outcome o =
        CommandLine.execute(
            "bench",
            "--rows",
            "1000",
            "--csv",
            "--work",
            work.toString(),
            "--set",
            "run.date=2026-01-31",
            "--set",
            "segment.seeds=1",
            "--set",
            "model.supervised.enabled=false");
    assertEquals(0, o.code(), o::describe);
    List<String> lines = o.stdout().lines().toList();
    JsonNode json = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    assertTrue(json.get("extractSeconds").asDouble() > 0, "the extract timed");

    // One CSV file with the export's names and 20 extra columns.
    try (Stream<Path> files = Files.list(work.resolve("extract-csv"))) {
      List<Path> csv = files.filter(f -> f.toString().endsWith(".csv")).toList();
      assertEquals(1, csv.size());
      String header = Files.readAllLines(csv.get(0)).get(0);
      assertTrue(header.startsWith("Customer ID,Age,Sex,Marital Status,"), header);
      assertTrue(header.endsWith("Bureau Attribute 19,Bureau Attribute 20"), header);
    }

    // Every customer read back onto the canonical schema, none quarantined: the mapping's units,
    // codes and expressions undo what the extract did, to its rounding.
    SparkSession spark = SharedSpark.spark();
    Dataset<Row> generated = spark.read().parquet(work.resolve("customers-1000").toString());
    Dataset<Row> segmented =
        spark.read().parquet(work.resolve("output/run_date=2026-01-31/segments").toString());
    assertEquals(1000, segmented.count());
    assertEquals(0, json.get("rows").asLong() - segmented.count());
    List<Row> pairs =
        generated
            .as("g")
            .join(segmented.as("s"), "customer_id")
            .select(
                col("g.annual_income"),
                col("s.annual_income"),
                col("g.late_payments_24m"),
                col("s.late_payments_24m"),
                col("g.credit_history_months"),
                col("s.credit_history_months"),
                col("g.gender"),
                col("s.gender"),
                col("g.defaulted"),
                col("s.defaulted"),
                col("s.bureau_attribute_20"))
            .collectAsList();
    assertEquals(1000, pairs.size());
    int incomes = 0;
    for (Row r : pairs) {
      if (!r.isNullAt(0)) {
        // Monthly income in cents, times 12.
        assertEquals(r.getDouble(0), r.getDouble(1), 0.06, r.toString());
        incomes++;
      }
      assertEquals(r.get(2), r.get(3), r.toString());
      assertEquals(r.get(4), r.get(5), r.toString());
      assertEquals(r.get(6), r.get(7), r.toString());
      assertEquals(r.get(8), r.get(9), r.toString());
      double attribute = r.getDouble(10);
      assertTrue(attribute >= 0 && attribute < 1000, r.toString());
    }
    assertTrue(incomes > 900, "incomes compared: " + incomes);
  }
}
