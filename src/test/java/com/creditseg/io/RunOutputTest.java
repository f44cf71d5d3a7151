package com.creditseg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.SharedSpark;
import com.creditseg.schema.InputContractException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Staging, atomic commit, recovery after a run that died, failed and abandoned runs. */
@ExtendWith(SharedSpark.class)
class RunOutputTest {
  static final LocalDate DATE = LocalDate.of(2026, 1, 31);

  @TempDir Path root;

  RunOutput open() {
    return new RunOutput(SharedSpark.spark(), root.toString(), DATE, Duration.ofHours(1));
  }

  Path committed() {
    return root.resolve("run_date=2026-01-31");
  }

  /** The names in the output root. */
  List<String> entries() throws IOException {
    try (Stream<Path> files = Files.list(root)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void nothingIsVisibleUntilCommitThenOnlyTheResult() throws Exception {
    RunOutput output = open();
    output.writeJson("metrics.json", Map.of("run", 1));

    assertFalse(Files.exists(committed()));
    assertTrue(Files.exists(Path.of(URI.create(output.stagingLocation()))), "staged");

    output.commit();

    assertEquals(List.of("run_date=2026-01-31"), entries(), "no _staging or _trash left");
    assertTrue(Files.exists(committed().resolve("_SUCCESS")));
    assertEquals(
        "{\n  \"run\" : 1\n}", Files.readString(committed().resolve("metrics.json")).strip());
  }

  @Test
  void tablesAsCsvAreRfc4180AndCannotRunFormulasInASpreadsheet() throws Exception {
    var spark = SharedSpark.spark();
    var table =
        spark.createDataFrame(
            List.of(
                RowFactory.create("=1+1", -5.0),
                RowFactory.create("@SUM(1+1)*cmd|x", 1.0),
                RowFactory.create("=HYPERLINK(\"http://x\")", 2.0),
                RowFactory.create("+44 20", 3.0),
                RowFactory.create("-12.5", 4.0),
                RowFactory.create("Say \"hi\", then", 5.0),
                RowFactory.create("\tcmd", 6.0)),
            new StructType().add("label", "string").add("value", "double"));
    RunOutput output = open();
    output.writeTable("profiles", table);
    output.commit();

    List<String> lines = Files.readAllLines(committed().resolve("profiles.csv"));
    assertEquals(
        List.of(
            "label,value",
            "'=1+1,-5.0",
            "'@SUM(1+1)*cmd|x,1.0",
            "\"'=HYPERLINK(\"\"http://x\"\")\",2.0",
            "'+44 20,3.0",
            "-12.5,4.0",
            "\"Say \"\"hi\"\", then\",5.0",
            "'\tcmd,6.0"),
        lines);
    // The Parquet keeps the values as they are.
    assertEquals(
        "=1+1",
        spark
            .read()
            .parquet(committed().resolve("profiles").toString())
            .filter("value = -5")
            .first()
            .getString(0));
  }

  @Test
  void aRunOfADateInProgressKeepsASecondOneOutButNotOtherDates() throws Exception {
    RunOutput first = open();
    first.writeJson("metrics.json", Map.of("run", 1));
    InputContractException e = assertThrows(InputContractException.class, this::open);
    assertTrue(
        e.getMessage().startsWith("another run of this date is in progress (host "),
        e.getMessage());
    assertTrue(
        e.getMessage().contains(", process " + ProcessHandle.current().pid() + ", started "),
        e.getMessage());
    assertTrue(
        Files.exists(Path.of(URI.create(first.stagingLocation()))),
        "the first run's staging directory is left alone");
    RunOutput otherDate =
        new RunOutput(SharedSpark.spark(), root.toString(), DATE.plusDays(1), Duration.ofHours(1));
    otherDate.abandon();
    first.commit();
    assertEquals(List.of("run_date=2026-01-31"), entries(), "the lock is gone with the run");
    open().abandon();
  }

  @Test
  void aLockWhoseRunIsGoneOrTooOldIsTakenOver() throws Exception {
    Path lock = root.resolve("_locks/run_date=2026-01-31");
    Files.createDirectories(lock.getParent());
    // A process of this host that has ended: pid 2^22 + 1 is above Linux's pid_max default.
    String host = InetAddress.getLocalHost().getHostName();
    Files.writeString(
        lock, "{\"host\":\"" + host + "\",\"pid\":4194305,\"startedAt\":\"2026-01-31T00:00:00Z\"}");
    open().abandon();
    assertFalse(Files.exists(lock));

    // Another host's lock is respected while it is young, and taken over when older than the
    // timeout.
    Files.createDirectories(lock.getParent());
    Files.writeString(lock, "{\"host\":\"elsewhere\",\"pid\":1,\"startedAt\":\"now\"}");
    assertThrows(InputContractException.class, this::open);
    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusSeconds(7200)));
    open().abandon();
    assertEquals(List.of(), entries());
  }

  @Test
  void aSecondRunOfTheDateReplacesTheFirstWhole() throws Exception {
    RunOutput first = open();
    first.writeJson("only-in-first.json", Map.of("run", 1));
    first.commit();

    RunOutput second = open();
    second.writeJson("metrics.json", Map.of("run", 2));
    assertTrue(Files.exists(committed().resolve("only-in-first.json")), "old result until commit");
    second.commit();

    assertFalse(Files.exists(committed().resolve("only-in-first.json")));
    assertTrue(Files.readString(committed().resolve("metrics.json")).contains("2"));
    assertEquals(List.of("run_date=2026-01-31"), entries());
  }

  @Test
  void aRunThatDiedMidCommitIsRecoveredByTheNext() throws Exception {
    RunOutput first = open();
    first.writeJson("metrics.json", Map.of("run", 1));
    first.commit();
    // A second run died after moving the old result aside and before moving its own in, leaving
    // its staging directory and the previous result in _trash.
    Path trash = root.resolve("_trash/run_date=2026-01-31-dead");
    Files.createDirectories(trash.getParent());
    Files.move(committed(), trash);
    Files.createDirectories(root.resolve("_staging/run_date=2026-01-31-dead/segments"));

    RunOutput next = open();

    assertTrue(Files.exists(committed().resolve("_SUCCESS")), "previous result moved back");
    assertTrue(Files.readString(committed().resolve("metrics.json")).contains("1"));
    assertFalse(Files.exists(root.resolve("_trash")));
    assertFalse(Files.exists(root.resolve("_staging/run_date=2026-01-31-dead")));
    next.abandon();
    assertEquals(List.of("run_date=2026-01-31"), entries());
  }

  @Test
  void aFailedRunIsKeptAsideUntilTheDateSucceeds() throws Exception {
    RunOutput first = open();
    first.writeJson("metrics.json", Map.of("run", 1));
    first.commit();

    RunOutput failed = open();
    failed.writeJson("metrics.json", Map.of("run", 2));
    String kept = failed.keepAsFailed();

    assertTrue(kept.endsWith("_failed/run_date=2026-01-31"), kept);
    assertTrue(
        Files.readString(root.resolve("_failed/run_date=2026-01-31/metrics.json")).contains("2"));
    assertTrue(Files.readString(committed().resolve("metrics.json")).contains("1"));
    assertEquals(List.of("_failed", "run_date=2026-01-31"), entries());

    RunOutput retried = open();
    retried.writeJson("metrics.json", Map.of("run", 3));
    retried.commit();
    assertEquals(List.of("run_date=2026-01-31"), entries(), "the failed attempt is superseded");
  }

  @Test
  void anUnwritableRootNamesThePath() throws Exception {
    Path file = Files.writeString(root.resolve("a-file"), "x");

    InputContractException e =
        assertThrows(
            InputContractException.class,
            () ->
                new RunOutput(
                    SharedSpark.spark(),
                    file.resolve("out").toString(),
                    DATE,
                    Duration.ofHours(1)));
    assertTrue(e.getMessage().startsWith("Cannot write to output.path " + file), e.getMessage());
  }
}
