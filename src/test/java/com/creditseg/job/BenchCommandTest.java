package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}
