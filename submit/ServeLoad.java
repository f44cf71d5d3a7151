import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A bounded load test of {@code creditseg serve}: a fixed number of {@code POST /score} requests,
 * one customer each, from a few concurrent clients; prints p50, p99 and max latency and requests
 * per second. Customers are drawn from a seeded generator (canonical columns, about 5 % of values
 * null so that some are imputed, some values out of range so that some are clipped). Run with the
 * JDK alone (no build):
 *
 * <pre>
 *   java submit/ServeLoad.java [url] [requests] [clients] [warm-up requests]
 *   java submit/ServeLoad.java http://127.0.0.1:8080/score 20000 4 2000
 * </pre>
 */
public class ServeLoad {
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080/score");
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    run(http, uri, warmUp, clients, 1);
    long started = System.nanoTime();
    long[] latencies = run(http, uri, requests, clients, 2);
    double seconds = (System.nanoTime() - started) / 1e9;
    Arrays.sort(latencies);
    System.out.printf(
        Locale.ROOT,
        "%d requests from %d clients in %.2f s: %.0f requests/s; latency p50 %.3f ms, p99 %.3f ms,"
            + " max %.3f ms%n",
        requests,
        clients,
        seconds,
        requests / seconds,
        latencies[latencies.length / 2] / 1e6,
        latencies[(int) Math.ceil(latencies.length * 0.99) - 1] / 1e6,
        latencies[latencies.length - 1] / 1e6);
  }

  /** Sends {@code requests} requests from {@code clients} threads; every answer must be 200. */
  static long[] run(HttpClient http, URI uri, int requests, int clients, long seed)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<long[]>> parts = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int share = requests / clients + (c < requests % clients ? 1 : 0);
      SplittableRandom random = new SplittableRandom(seed * 1000 + c);
      int client = c;
      parts.add(
          pool.submit(
              () -> {
                long[] latencies = new long[share];
                for (int i = 0; i < share; i++) {
                  HttpRequest request =
                      HttpRequest.newBuilder(uri)
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofString(customer(client, i, random)))
                          .build();
                  long t = System.nanoTime();
                  HttpResponse<String> response =
                      http.send(request, HttpResponse.BodyHandlers.ofString());
                  latencies[i] = System.nanoTime() - t;
                  if (response.statusCode() != 200) {
                    throw new IllegalStateException(response.statusCode() + " " + response.body());
                  }
                }
                return latencies;
              }));
    }
    long[] all = new long[requests];
    int n = 0;
    for (Future<long[]> part : parts) {
      long[] latencies = part.get();
      System.arraycopy(latencies, 0, all, n, latencies.length);
      n += latencies.length;
    }
    pool.shutdown();
    return all;
  }

  /** One customer as JSON: plausible values, some null, some out of range. */
  static String customer(int client, int i, SplittableRandom r) {
    return String.format(
        Locale.ROOT,
        "{\"customer_id\":\"load-%d-%d\",\"age\":%d,\"employment_status\":\"%s\","
            + "\"annual_income\":%s,\"credit_utilization_ratio\":%s,\"payment_history\":%s,"
            + "\"late_payments_24m\":%s,\"credit_history_months\":%s,\"recent_inquiries\":%s,"
            + "\"number_of_credit_accounts\":%s}",
        client,
        i,
        18 + r.nextInt(60),
        r.nextBoolean() ? "Employed" : "Self-Employed",
        orNull(r, 15_000 + r.nextDouble() * 150_000),
        orNull(r, r.nextDouble() < 0.02 ? 7.5 : r.nextDouble() * 1.2),
        orNull(r, 0.8 + r.nextDouble() * 0.2),
        orNull(r, r.nextInt(12)),
        orNull(r, r.nextInt(400)),
        orNull(r, r.nextInt(10)),
        orNull(r, 1 + r.nextInt(25)));
  }

  private static String orNull(SplittableRandom r, Number value) {
    return r.nextDouble() < 0.05 ? "null" : value.toString();
  }
}
