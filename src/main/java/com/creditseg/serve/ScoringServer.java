package com.creditseg.serve;

import com.creditseg.model.PortableModel;
import com.creditseg.schema.ReasonCodeColumns;
import com.creditseg.segment.SegmentLabeler.ClusterLabel;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores customers over HTTP with a {@link CustomerScorer}: no Spark, one model, JSON in and out.
 *
 * <ul>
 *   <li>{@code POST /score}: one customer (a JSON object with canonical column names) or an array
 *       of at most {@value #MAX_CUSTOMERS}; answers the same shape with the fields of the batch
 *       job's columns, named as they are: {@code customer_id}, {@code credit_score}, {@code
 *       factor_score} (segment-distance only), {@code reason_code_1 … reason_code_N} (every one,
 *       null past the customer's last), {@code cluster}, {@code segment}, {@code segment_rank},
 *       {@code repairs}, and with a scorecard {@code scorecard_points}, {@code
 *       probability_of_default} and {@code scorecard_reason_code_1 … scorecard_reason_code_N}.
 *   <li>{@code GET /health}: {@code {"status":"ok"}}; {@code GET /model}: what is served.
 * </ul>
 *
 * <p>Errors are JSON {@code {"error": "..."}}: 400 for JSON that does not parse and for a customer
 * the batch job would quarantine or cannot read (unknown or missing field, wrong type, a value its
 * rules reject; with {@code reasons}, the quarantine's {@code code:column}, and for an array the
 * {@code index} of the first such customer), 413 for a body above {@value #MAX_BODY_BYTES} bytes or
 * too many customers, 404 for another path, 405 for another method, 500 for anything else; no
 * request can stop the server.
 *
 * <p>It is the JDK's own {@code com.sun.net.httpserver}: scoring a customer is a few microseconds
 * of arithmetic, so a small fixed pool of threads on a blocking server is plenty, and it adds no
 * dependency to a jar whose only runtime dependencies are Spark's own (Jetty is shaded inside
 * Spark, not an API to build on).
 */
public final class ScoringServer implements AutoCloseable {
  /** The largest request body read; above it the answer is 413. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  /** The most customers one request may hold; above it the answer is 413. */
  public static final int MAX_CUSTOMERS = 1000;

  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  // JSON cannot write NaN or Infinity; a client's json.dumps writes the bare
                  // tokens.
                  .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * The logger, initialised on first use: the logging framework's start-up would otherwise be a
   * third of serve's, and a server that answers every request has nothing to log.
   */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(ScoringServer.class);
  }

  private static final String NO_DELAY = "sun.net.httpserver.nodelay";

  private final CustomerScorer scorer;
  private final HttpServer server;
  private final ExecutorService threads;

  /** Binds {@code address} (port 0: any free port) and scores with {@code threads} threads. */
  public ScoringServer(CustomerScorer scorer, InetSocketAddress address, int threads)
      throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.scorer = scorer;
    // The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
    // the body then waits for the client's delayed ACK, which makes every request many times
    // slower than the scoring itself. The property is read once, when the first server is created.
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
    this.server = HttpServer.create(address, 128);
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "serve-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(this.threads);
    server.createContext("/", this::handle);
  }

  public void start() {
    server.start();
  }

  /** The address bound, with the actual port. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops accepting, lets requests in progress finish (at most a second), stops the threads. */
  @Override
  public void close() {
    server.stop(1);
    threads.shutdown();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A status and its JSON body. */
  private record Response(int status, JsonNode body, String allow) {
    Response(int status, JsonNode body) {
      this(status, body, null);
    }
  }

  private void handle(HttpExchange exchange) {
    try (exchange) {
      Response response;
      try {
        response = route(exchange);
      } catch (RuntimeException | Error e) {
        Log.LOG.error("Failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        response = error(500, "internal error: " + e);
      }
      send(exchange, response);
    } catch (IOException | RuntimeException e) {
      // The client went away or sent no valid request: nothing left to answer.
      Log.LOG.debug(
          "Cannot answer {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
    }
  }

  private Response route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    return switch (path) {
      case "/score" -> method.equals("POST") ? score(exchange) : notAllowed(method, path, "POST");
      case "/health" ->
          method.equals("GET")
              ? new Response(200, JSON.createObjectNode().put("status", "ok"))
              : notAllowed(method, path, "GET");
      case "/model" ->
          method.equals("GET") ? new Response(200, model()) : notAllowed(method, path, "GET");
      default ->
          error(404, "no such path: " + path + " (paths: POST /score, GET /health, GET /model)");
    };
  }

  private Response score(HttpExchange exchange) throws IOException {
    // Read up to the limit even when Content-Length says more: a client still sending its body
    // when the server closes the connection often never sees the 413.
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      return error(
          413,
          "request body above "
              + MAX_BODY_BYTES
              + " bytes; send at most "
              + MAX_CUSTOMERS
              + " customers per request");
    }
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return error(400, "bad JSON: " + e.getOriginalMessage());
    }
    if (request == null || request.isMissingNode()) {
      return error(400, "empty body: expected a customer (a JSON object) or an array of them");
    }
    if (request.isObject()) {
      CustomerScorer.Outcome outcome = scorer.score(request);
      return outcome instanceof CustomerScorer.Scored scored
          ? new Response(200, json(scored))
          : rejected((CustomerScorer.Rejected) outcome, -1);
    }
    if (!request.isArray()) {
      return error(
          400,
          "expected a customer (a JSON object) or an array of them, got " + request.getNodeType());
    }
    if (request.size() > MAX_CUSTOMERS) {
      return error(
          413,
          request.size() + " customers in one request; at most " + MAX_CUSTOMERS + " are scored");
    }
    List<CustomerScorer.Scored> scored = new ArrayList<>(request.size());
    for (int i = 0; i < request.size(); i++) {
      JsonNode customer = request.get(i);
      if (!customer.isObject()) {
        return error(400, "customer [" + i + "] is not a JSON object: " + customer.getNodeType());
      }
      CustomerScorer.Outcome outcome = scorer.score(customer);
      if (outcome instanceof CustomerScorer.Rejected rejected) {
        return rejected(rejected, i);
      }
      scored.add((CustomerScorer.Scored) outcome);
    }
    ArrayNode results = JSON.createArrayNode();
    scored.forEach(s -> results.add(json(s)));
    return new Response(200, results);
  }

  private ObjectNode json(CustomerScorer.Scored s) {
    ObjectNode node = JSON.createObjectNode();
    node.put("customer_id", s.customerId());
    node.put("credit_score", s.creditScore());
    if (s.factorScore() != null) {
      node.put("factor_score", s.factorScore());
    }
    putReasonCodes(node, scorer.reasonCodeColumns(), s.reasonCodes());
    node.put("cluster", s.cluster());
    node.put("segment", s.segment());
    node.put("segment_rank", s.segmentRank());
    s.repairs().forEach(node.putArray("repairs")::add);
    if (s.scorecard() != null) {
      node.put("scorecard_points", s.scorecard().points());
      node.put("probability_of_default", s.scorecard().probabilityOfDefault());
      putReasonCodes(
          node, scorer.model().scorecard().reasonCodeColumns(), s.scorecard().reasonCodes());
    }
    if (!s.warnings().isEmpty()) {
      s.warnings().forEach(node.putArray("warnings")::add);
    }
    return node;
  }

  /** One field per reason-code column, as the batch job writes them: null past the last code. */
  private static void putReasonCodes(ObjectNode node, List<String> columns, List<String> codes) {
    String[] values = ReasonCodeColumns.spread(codes, columns.size());
    for (int i = 0; i < values.length; i++) {
      node.put(columns.get(i), values[i]);
    }
  }

  /** 400 for a customer that cannot be scored; {@code index} is its place in an array, or -1. */
  private static Response rejected(CustomerScorer.Rejected r, int index) {
    String who =
        (index >= 0 ? "customer [" + index + "]" : "customer")
            + (r.customerId() == null ? "" : " '" + r.customerId() + "'");
    ObjectNode body = JSON.createObjectNode().put("error", who + ": " + r.message());
    if (index >= 0) {
      body.put("index", index);
    }
    body.put("customer_id", r.customerId());
    r.reasons().forEach(body.putArray("reasons")::add);
    return new Response(400, body);
  }

  private ObjectNode model() {
    PortableModel m = scorer.model();
    ObjectNode node = JSON.createObjectNode();
    node.put("format", m.format());
    node.put("creditseg_version", m.creditsegVersion());
    node.put("schema_version", m.schemaVersion());
    node.put("run_date", m.runDate());
    node.put("mapping", m.mapping());
    node.put("score_method", m.score().method());
    m.segmentation().features().forEach(node.putArray("features")::add);
    ArrayNode segments = node.putArray("segments");
    for (ClusterLabel l : m.segmentation().clusters()) {
      segments
          .addObject()
          .put("cluster", l.cluster())
          .put("rank", l.rank())
          .put("label", l.label());
    }
    m.required().forEach(node.putArray("required")::add);
    ObjectNode columns = node.putObject("columns");
    m.columnTypes().forEach(columns::put);
    // How the run read each column: a client may send the source column instead, except where
    // the run computed the column (an expression, a date), whose value it must send computed.
    ObjectNode inputs = node.putObject("inputs");
    if (m.inputs() != null) {
      m.inputs()
          .forEach(
              (column, input) -> {
                ObjectNode i = inputs.putObject(column);
                i.put("source", input.source());
                i.put("send_computed", input.computed());
                i.put("used", m.columnTypes().containsKey(column));
              });
    }
    scorer.knownFields().forEach(node.putArray("fields")::add);
    return node;
  }

  private static Response notAllowed(String method, String path, String allowed) {
    return new Response(
        405,
        JSON.createObjectNode()
            .put("error", method + " is not allowed on " + path + "; use " + allowed),
        allowed);
  }

  private static Response error(int status, String message) {
    return new Response(status, JSON.createObjectNode().put("error", message));
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(response.body());
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    if (response.allow() != null) {
      exchange.getResponseHeaders().set("Allow", response.allow());
    }
    exchange.sendResponseHeaders(response.status(), bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
