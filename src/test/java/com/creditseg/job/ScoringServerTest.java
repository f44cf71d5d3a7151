package com.creditseg.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.creditseg.ReasonCodeValues;
import com.creditseg.SharedSpark;
import com.creditseg.TestSettings;
import com.creditseg.config.Settings;
import com.creditseg.model.PortableModel;
import com.creditseg.serve.CustomerScorer;
import com.creditseg.serve.ScoringServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} against the batch job: a run on a small generated set with every kind of fault,
 * then every customer posted to the server, which must answer what the run wrote for it (or refuse
 * it with the reasons the run quarantined it for). Then the errors, and concurrent clients.
 */
@ExtendWith(SharedSpark.class)
class ScoringServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static String input;
  static Path runDir;
  static Map<String, ObjectNode> customers;
  static ScoringServer server;
  static HttpClient http;

  /** The fixture's settings: faults of every kind, rules that impute, clip and reject. */
  static Settings settings(String output, String... extra) {
    List<String> overrides =
        new ArrayList<>(
            List.of(
                "input.path=" + input,
                "output.path=" + output,
                "run.date=2026-01-31",
                "generate.output=" + input,
                "generate.rows=400",
                "generate.partitions=2",
                "generate.seed=11",
                "generate.faults.null-rate=0.10",
                "generate.faults.nan-rate=0.05",
                "generate.faults.infinity-rate=0.03",
                "generate.faults.negative-rate=0.06",
                "generate.faults.out-of-range-rate=0.08",
                "quality.max-quarantined-share=0.6",
                // impute-constant on an int column: 1.7 is imputed as 1
                "quality.columns.recent_inquiries.missing=impute-constant",
                "quality.columns.recent_inquiries.constant=1.7",
                // reject missing values on a double column: null, NaN and infinite each quarantined
                "quality.columns.annual_income.missing=reject",
                "segment.k=4",
                // The rule score and segments only, to keep the run small. With a scorecard in
                // the model the server answers its columns too; CustomerScorer's scorecard
                // answers are checked against the batch run's in SupervisedRunTest.
                "model.supervised.enabled=false"));
    overrides.addAll(List.of(extra));
    return TestSettings.of(overrides);
  }

  @BeforeAll
  static void runAndServe() throws IOException {
    input = tmp.resolve("customers").toString();
    Settings settings = settings(tmp.resolve("out").toString());
    new GenerateJob(SharedSpark.spark(), settings.generate()).run();
    new SegmentationJob(SharedSpark.spark(), settings).run();
    runDir = tmp.resolve("out").resolve("run_date=2026-01-31");
    customers = new LinkedHashMap<>();
    for (Row row : SharedSpark.spark().read().parquet(input).collectAsList()) {
      customers.put(row.getAs("customer_id"), json(row));
    }
    server = serve(runDir);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static ScoringServer serve(Path run) throws IOException {
    PortableModel model = ServeCommand.read(ServeCommand.modelFile(run.toString()));
    ScoringServer s =
        new ScoringServer(new CustomerScorer(model), new InetSocketAddress("127.0.0.1", 0), 4);
    s.start();
    return s;
  }

  /** A row of the generated input as the JSON object a client would send (NaN as "NaN"). */
  static ObjectNode json(Row row) {
    ObjectNode node = JSON.createObjectNode();
    for (StructField f : row.schema().fields()) {
      Object v = row.getAs(f.name());
      if (v == null) {
        node.putNull(f.name());
      } else if (v instanceof Integer i) {
        node.put(f.name(), i);
      } else if (v instanceof Double d) {
        node.put(f.name(), d);
      } else {
        node.put(f.name(), v.toString());
      }
    }
    return node;
  }

  record Answer(int status, JsonNode body) {}

  static Answer post(ScoringServer s, String body) {
    return send(s, "/score", HttpRequest.BodyPublishers.ofString(body), "POST");
  }

  static Answer send(ScoringServer s, String path, HttpRequest.BodyPublisher body, String method) {
    URI uri = URI.create("http://127.0.0.1:" + s.address().getPort() + path);
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).method(method, body).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(
          "application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(null));
      return new Answer(r.statusCode(), JSON.readTree(r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Answer get(String path) {
    return send(server, path, HttpRequest.BodyPublishers.noBody(), "GET");
  }

  /** The batch job's answer for each customer it wrote to segments/, by id. */
  static Map<String, Row> segments(Path run) {
    Map<String, Row> byId = new HashMap<>();
    for (Row r :
        SharedSpark.spark().read().parquet(run.resolve("segments").toString()).collectAsList()) {
      byId.put(r.getAs("customer_id"), r);
    }
    return byId;
  }

  /** The columns model.json has rules for: the repairs and rejections serve can know of. */
  static Set<String> ruledColumns(ScoringServer s) {
    Set<String> columns = new HashSet<>();
    get("/model").body().get("columns").fieldNames().forEachRemaining(columns::add);
    return columns;
  }

  static Set<String> strings(JsonNode array) {
    Set<String> values = new TreeSet<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  static Set<String> strings(List<String> values, Set<String> columns) {
    Set<String> kept = new TreeSet<>();
    values.stream().filter(v -> columns.contains(v.split(":")[1])).forEach(kept::add);
    return kept;
  }

  @Test
  void everyCustomerScoresAsTheBatchJobScoredIt() {
    Map<String, Row> batch = segments(runDir);
    Map<String, List<String>> quarantined = new HashMap<>();
    for (Row r :
        SharedSpark.spark()
            .read()
            .parquet(runDir.resolve("quarantine").toString())
            .collectAsList()) {
      quarantined.put(r.getAs("customer_id"), r.getList(r.fieldIndex("reasons")));
    }
    Set<String> modelColumns = ruledColumns(server);
    int scored = 0, imputed = 0, clipped = 0, rejected = 0;
    for (Map.Entry<String, ObjectNode> c : customers.entrySet()) {
      Answer a = post(server, c.getValue().toString());
      Row expected = batch.get(c.getKey());
      if (expected != null) {
        assertEquals(200, a.status(), c.getKey() + ": " + a.body());
        JsonNode got = a.body();
        String who = c.getKey() + " " + c.getValue() + " -> " + got;
        assertEquals(c.getKey(), got.get("customer_id").asText());
        assertEquals((int) expected.getAs("credit_score"), got.get("credit_score").asInt(), who);
        // Every one of the four columns, nulls included, as the batch job wrote it.
        assertEquals(
            ReasonCodeValues.of(expected, "reason_code", 4),
            ReasonCodeValues.of(got, "reason_code", 4),
            who);
        assertNull(got.get("reason_code_5"), who);
        assertEquals((int) expected.getAs("cluster"), got.get("cluster").asInt(), who);
        assertEquals(expected.getAs("segment"), got.get("segment").asText(), who);
        assertEquals((int) expected.getAs("segment_rank"), got.get("segment_rank").asInt(), who);
        assertNull(got.get("factor_score"), who);
        // The batch repairs columns the model does not read too (age): model.json has no rule
        // for those. Its order of repairs follows a hash map's; compare them as sets.
        List<String> repairs = expected.getList(expected.fieldIndex("repairs"));
        assertEquals(strings(repairs, modelColumns), strings(got.get("repairs")), who);
        scored++;
        imputed += got.get("repairs").toString().contains("imputed:") ? 1 : 0;
        clipped += got.get("repairs").toString().contains("clipped:") ? 1 : 0;
      } else {
        List<String> reasons = quarantined.get(c.getKey());
        assertTrue(reasons != null, c.getKey() + " is neither in segments nor in quarantine");
        if (strings(reasons, modelColumns).size() == reasons.size()) {
          assertEquals(400, a.status(), c.getKey() + " " + reasons + ": " + a.body());
          assertEquals(
              new TreeSet<>(reasons), strings(a.body().get("reasons")), a.body().toString());
          rejected++;
        }
      }
    }
    String counts =
        String.format(
            "scored %d (imputed %d, clipped %d), refused %d", scored, imputed, clipped, rejected);
    assertTrue(scored >= 250 && imputed >= 20 && clipped >= 8 && rejected >= 15, counts);
  }

  @Test
  void anArrayOfCustomersIsScoredInOrder() {
    Map<String, Row> batch = segments(runDir);
    ArrayNode request = JSON.createArrayNode();
    List<String> ids = new ArrayList<>(batch.keySet()).subList(0, 100);
    ids.forEach(id -> request.add(customers.get(id)));
    Answer a = post(server, request.toString());
    assertEquals(200, a.status(), a.body().toString());
    assertEquals(100, a.body().size());
    for (int i = 0; i < ids.size(); i++) {
      Row expected = batch.get(ids.get(i));
      assertEquals(ids.get(i), a.body().get(i).get("customer_id").asText());
      assertEquals(
          (int) expected.getAs("credit_score"), a.body().get(i).get("credit_score").asInt());
      assertEquals(expected.getAs("segment"), a.body().get(i).get("segment").asText());
    }
  }

  @Test
  void segmentDistanceScoresAsTheBatchJobScored() throws IOException {
    Path output = tmp.resolve("out-distance");
    // Refitted with another seed against the first run: its segments carry that run's ids, so
    // the server must map KMeans indices to ids as the batch job does.
    new SegmentationJob(
            SharedSpark.spark(),
            settings(
                output.toString(),
                "score.method=segment-distance",
                "segment.seed=99",
                "stability.previous-run=" + runDir))
        .run();
    Path run = output.resolve("run_date=2026-01-31");
    assertFalse(
        JSON.readTree(run.resolve("model/model.json").toFile()).at("/segmentation/ids").isEmpty(),
        "the refit carries segment ids");
    Map<String, Row> batch = segments(run);
    try (ScoringServer distance = serve(run)) {
      assertEquals(
          "segment-distance",
          send(distance, "/model", HttpRequest.BodyPublishers.noBody(), "GET")
              .body()
              .get("score_method")
              .asText());
      for (Map.Entry<String, Row> e : batch.entrySet()) {
        Answer a = post(distance, customers.get(e.getKey()).toString());
        Row expected = e.getValue();
        String who = e.getKey() + " -> " + a.body();
        assertEquals(200, a.status(), who);
        assertEquals(
            (int) expected.getAs("credit_score"), a.body().get("credit_score").asInt(), who);
        assertEquals(
            (int) expected.getAs("factor_score"), a.body().get("factor_score").asInt(), who);
        assertEquals((int) expected.getAs("cluster"), a.body().get("cluster").asInt(), who);
        assertEquals(
            (int) expected.getAs("segment_rank"), a.body().get("segment_rank").asInt(), who);
      }
    }
  }

  /** A customer the batch job scored without a repair and with every value, to break in tests. */
  static ObjectNode valid() {
    for (Row r : segments(runDir).values()) {
      ObjectNode c = customers.get(r.<String>getAs("customer_id"));
      boolean complete = true;
      for (JsonNode v : c) {
        complete &= !v.isNull() && !(v.isDouble() && !Double.isFinite(v.doubleValue()));
      }
      if (complete && r.getList(r.fieldIndex("repairs")).isEmpty()) {
        return c.deepCopy();
      }
    }
    throw new AssertionError("no complete customer in the fixture");
  }

  static void assertError(Answer a, int status, String... fragments) {
    assertEquals(status, a.status(), a.body().toString());
    String error = a.body().get("error").asText();
    for (String f : fragments) {
      assertTrue(error.contains(f), "'" + f + "' not in: " + error);
    }
  }

  @Test
  void badRequestsAreRefusedNamingTheField() {
    assertError(post(server, "{\"customer_id\": "), 400, "bad JSON");
    assertError(post(server, ""), 400, "empty body");
    assertError(post(server, "42"), 400, "expected a customer");

    ObjectNode typo = valid();
    typo.put("annual_incom", 5);
    assertError(
        post(server, typo.toString()),
        400,
        "unknown field 'annual_incom'",
        "did you mean 'annual_income'");

    ObjectNode missing = valid();
    missing.remove("payment_history");
    Answer a = post(server, missing.toString());
    assertError(a, 400, "missing required field 'payment_history'");
    assertEquals("[\"missing_field:payment_history\"]", a.body().get("reasons").toString());

    ObjectNode outOfRange = valid();
    outOfRange.put("payment_history", 1.5);
    a = post(server, outOfRange.toString());
    assertError(a, 400, "payment_history = 1.5 is out of range [0.0, 1.0] (out_of_range)");
    assertEquals("[\"out_of_range:payment_history\"]", a.body().get("reasons").toString());
    assertEquals(outOfRange.get("customer_id").asText(), a.body().get("customer_id").asText());

    ObjectNode notANumber = valid();
    notANumber.put("annual_income", "NaN");
    assertError(post(server, notANumber.toString()), 400, "annual_income = NaN", "(not_a_number)");
    String bareNaN =
        valid()
            .put("annual_income", 0)
            .toString()
            .replace("\"annual_income\":0", "\"annual_income\":NaN");
    assertError(post(server, bareNaN), 400, "(not_a_number)");
    assertError(
        post(server, valid().putNull("annual_income").toString()),
        400,
        "annual_income is null",
        "(missing_value)");
    assertError(
        post(server, valid().put("annual_income", "lots").toString()),
        400,
        "annual_income = \"lots\" is not a number");
    assertError(
        post(server, valid().put("credit_history_months", true).toString()), 400, "wrong type");
    assertError(
        post(server, valid().put("employment_status", "Retired").toString()),
        400,
        "employment_status = \"Retired\" is not one of Employed, Self-Employed, Unemployed, Other",
        "(unmappable_category)");
    assertError(post(server, valid().put("customer_id", " ").toString()), 400, "(missing_id)");
    assertError(
        post(server, valid().put("defaulted", 2).toString()), 400, "defaulted = 2 is not 0 or 1");

    ArrayNode mixed = JSON.createArrayNode().add(valid()).add(valid().put("payment_history", -1));
    a = post(server, mixed.toString());
    assertError(a, 400, "customer [1]", "out of range");
    assertEquals(1, a.body().get("index").asInt());
  }

  @Test
  void valuesAreReadAsTheBatchReaderReadsThem() {
    ObjectNode base = valid();
    Answer plain = post(server, base.toString());
    // Category case and blanks, a whole double for an int column, a blank as a missing value.
    ObjectNode spelled = base.deepCopy();
    spelled.put(
        "employment_status", "  " + base.get("employment_status").asText().toUpperCase() + " ");
    spelled.put("credit_history_months", base.get("credit_history_months").asInt() + 0.0);
    // Numbers written as text, as a CSV has them.
    spelled.put("annual_income", " " + base.get("annual_income").asText() + " ");
    spelled.put("recent_inquiries", String.valueOf(base.get("recent_inquiries").asInt()));
    Answer same = post(server, spelled.toString());
    assertEquals(200, same.status(), same.body().toString());
    assertEquals(plain.body(), same.body());

    // A fraction in a whole-number column is refused, as the batch job quarantines it; never
    // rounded.
    ObjectNode fraction =
        base.deepCopy()
            .put("credit_history_months", base.get("credit_history_months").asInt() + 0.2);
    assertError(
        post(server, fraction.toString()), 400, "is not a whole number", "(not_an_integer)");
    assertError(
        post(server, base.deepCopy().put("credit_history_months", 2147483648L).toString()),
        400,
        "(out_of_range)");

    ObjectNode blank = base.deepCopy().put("recent_inquiries", "");
    Answer imputed = post(server, blank.toString());
    assertEquals(200, imputed.status(), imputed.body().toString());
    assertTrue(imputed.body().get("repairs").toString().contains("imputed:recent_inquiries"));
  }

  @Test
  void oversizeWrongMethodAndUnknownPathAreRefused() {
    String big = "[" + " ".repeat(ScoringServer.MAX_BODY_BYTES) + "]";
    assertError(post(server, big), 413, "request body above");
    ArrayNode many = JSON.createArrayNode();
    for (int i = 0; i <= ScoringServer.MAX_CUSTOMERS; i++) {
      many.addObject();
    }
    assertError(post(server, many.toString()), 413, "1001 customers", "at most 1000");
    assertError(get("/nope"), 404, "no such path: /nope");
    assertError(get("/score"), 405, "GET is not allowed on /score; use POST");
    assertError(
        send(server, "/health", HttpRequest.BodyPublishers.ofString("{}"), "POST"), 405, "use GET");
    // The server still answers after all of that.
    assertEquals(200, get("/health").status());
  }

  @Test
  void aFaultWhileScoringIsA500NamingItAndTheServerGoesOn() throws IOException {
    // A hand-edited model.json whose first centre lost a coordinate loads, and fails only when a
    // customer is assigned to a segment.
    PortableModel model = ServeCommand.read(ServeCommand.modelFile(runDir.toString()));
    double[][] centres = model.segmentation().centres();
    centres[0] = Arrays.copyOf(centres[0], centres[0].length - 1);
    try (ScoringServer broken =
        new ScoringServer(new CustomerScorer(model), new InetSocketAddress("127.0.0.1", 0), 2)) {
      broken.start();
      assertError(
          post(broken, valid().toString()),
          500,
          "internal error",
          "ArrayIndexOutOfBoundsException");
      // The request failed, not the server: it answers the next one.
      assertEquals(
          200, send(broken, "/health", HttpRequest.BodyPublishers.noBody(), "GET").status());
    }
  }

  @Test
  void healthAndModelSayWhatIsServed() throws IOException {
    Answer health = get("/health");
    assertEquals(200, health.status());
    assertEquals("{\"status\":\"ok\"}", health.body().toString());

    JsonNode model = get("/model").body();
    JsonNode manifest = JSON.readTree(runDir.resolve("model").resolve("model.json").toFile());
    assertEquals("2026-01-31", model.get("run_date").asText());
    assertEquals(1, model.get("schema_version").asInt());
    assertEquals(manifest.get("creditsegVersion"), model.get("creditseg_version"));
    assertEquals(manifest.get("mapping"), model.get("mapping"));
    assertEquals("factors", model.get("score_method").asText());
    assertEquals(manifest.at("/segmentation/features"), model.get("features"));
    int k = JSON.readTree(runDir.resolve("metrics.json").toFile()).at("/segments/k").asInt();
    assertEquals(k, model.get("segments").size());
    Set<Integer> ranks = new TreeSet<>();
    model.get("segments").forEach(s -> ranks.add(s.get("rank").asInt()));
    assertEquals(IntStream.rangeClosed(1, k).boxed().collect(Collectors.toSet()), ranks);
    assertFalse(model.get("segments").get(0).get("label").asText().isEmpty());
  }

  @Test
  void concurrentClientsEachGetTheirOwnAnswer() throws Exception {
    Map<String, Row> batch = segments(runDir);
    List<String> ids = new ArrayList<>(batch.keySet());
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t * 37;
        done.add(
            clients.submit(
                () -> {
                  int correct = 0;
                  for (int i = 0; i < 50; i++) {
                    String id = ids.get((offset + i * 7) % ids.size());
                    Answer a = post(server, customers.get(id).toString());
                    boolean same =
                        a.status() == 200
                            && a.body().get("customer_id").asText().equals(id)
                            && a.body().get("credit_score").asInt()
                                == (int) batch.get(id).getAs("credit_score")
                            && a.body()
                                .get("segment")
                                .asText()
                                .equals(batch.get(id).getAs("segment"));
                    correct += same ? 1 : 0;
                  }
                  return correct;
                }));
      }
      for (Future<Integer> f : done) {
        assertEquals(50, f.get());
      }
    } finally {
      clients.shutdown();
    }
  }

  @Test
  void serveNeedsAModel() {
    CommandLine.Outcome missing =
        CommandLine.execute("serve", "--model", tmp.resolve("nothing").toString());
    assertEquals(ExitCode.USAGE, missing.code(), missing.describe());
    assertTrue(
        missing.lastLine().contains("is neither a committed run directory"), missing.describe());
    assertEquals(
        runDir.resolve("model").resolve("model.json"),
        ServeCommand.modelFile(runDir.resolve("model").toString()));
    assertEquals(
        runDir.resolve("model").resolve("model.json"),
        ServeCommand.modelFile(runDir.resolve("model").resolve("model.json").toString()));
  }
}
