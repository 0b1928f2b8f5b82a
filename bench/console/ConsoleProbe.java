import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console benchmark's client (bench/console.sh), run as a single-file program on the juggler jar's
 * class path against a running `juggler console`:
 *
 *   tables URL QUERIES_FILE REPS   every table query of the file REPS times (after one warm-up round),
 *                                  through the JSON API as the pages call it; prints each query's p50/p95
 *                                  and "RESULT_TABLES p95_ms=… p50_ms=… requests=…"
 *   sse URL SCHEMA_URL USER SCHEMA ROUNDS   subscribes to /api/v1/events, re-schedules one failed track
 *                                  through the ledger (another process's write, as a worker's would be)
 *                                  and times until an event shows the new failed count; ROUNDS times
 *   csv URL                        streams /api/v1/tracks.csv (every row) and counts rows/bytes
 *   schema JDBC_URL USER SCHEMA    creates the ledger's tables in SCHEMA (the operator commands never do)
 */
public final class ConsoleProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern FAILED = Pattern.compile("\"tracks\"\\s*:\\s*\\{[^}]*\"failed\"\\s*:\\s*(\\d+)");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "tables" -> tables(args[1], Files.readAllLines(Path.of(args[2])), Integer.parseInt(args[3]));
            case "sse" -> sse(args[1], args[2], args[3], args[4], Integer.parseInt(args[5]));
            case "csv" -> csv(args[1]);
            case "schema" -> {
                try (var ledger = dev.juggler.jdbc.JdbcLedger.builder().url(args[1]).user(args[2]).password(System.getenv("PGPASSWORD"))
                        .schema(args[3]).build()) {
                    ledger.estimate(); // the first use creates the tables
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static HttpResponse<InputStream> get(String url) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET()
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + body);
        }
        return response;
    }

    private static void tables(String base, List<String> lines, int reps) throws Exception {
        List<String> queries = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        List<Long> all = new ArrayList<>();
        for (int round = -1; round < reps; round++) {
            for (String query : queries) {
                long start = System.nanoTime();
                try (InputStream body = get(base + query).body()) {
                    body.readAllBytes();
                }
                long took = System.nanoTime() - start;
                if (round >= 0) {
                    all.add(took);
                    perQuery(query).add(took);
                }
            }
        }
        for (String query : queries) {
            long[] ns = perQuery(query).stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("  %-60s p50 %6.1f ms  p95 %6.1f ms%n", query, pct(ns, 50), pct(ns, 95));
        }
        long[] ns = all.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("RESULT_TABLES p95_ms=%.0f p50_ms=%.1f max_ms=%.0f requests=%d%n", pct(ns, 95), pct(ns, 50), ns[ns.length - 1] / 1e6,
                ns.length);
    }

    private static final java.util.Map<String, List<Long>> PER_QUERY = new java.util.HashMap<>();

    private static List<Long> perQuery(String query) {
        return PER_QUERY.computeIfAbsent(query, q -> new ArrayList<>());
    }

    private static double pct(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static void sse(String base, String jdbcUrl, String user, String schema, int rounds) throws Exception {
        BlockingQueue<long[]> events = new ArrayBlockingQueue<>(10_000);
        HttpResponse<InputStream> stream = get(base + "/api/v1/events");
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null;) {
                    Matcher m = FAILED.matcher(line);
                    if (line.startsWith("data:") && m.find()) {
                        events.offer(new long[] {System.nanoTime(), Long.parseLong(m.group(1))});
                    }
                }
            } catch (Exception e) {
                // the stream ends when the probe exits
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        long[] first = events.poll(60, TimeUnit.SECONDS);
        if (first == null) {
            throw new IllegalStateException("no status event with tracks.failed within 60 s");
        }
        long failed = first[1];
        List<Long> latencies = new ArrayList<>();
        try (var ledger = dev.juggler.jdbc.JdbcLedger.builder().url(jdbcUrl).user(user).password(System.getenv("PGPASSWORD"))
                .schema(schema).build()) {
            for (int round = 0; round < rounds; round++) {
                var track = ledger.reader().tracks(dev.juggler.ledger.TrackQuery.firstPage(1).inState(dev.juggler.ledger.ChunkState.FAILED));
                if (track.isEmpty()) {
                    break;
                }
                events.clear();
                long start = System.nanoTime();
                ledger.reschedule(dev.juggler.ledger.RescheduleFilter.track(track.get(0).trackId())
                        .andReason(".*"), false);
                long expected = failed - 1;
                while (true) {
                    long[] event = events.poll(120, TimeUnit.SECONDS);
                    if (event == null) {
                        throw new IllegalStateException("no event showed " + expected + " failed tracks within 120 s");
                    }
                    if (event[1] == expected) {
                        latencies.add(event[0] - start);
                        failed = expected;
                        break;
                    }
                }
            }
        }
        long[] ns = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("RESULT_SSE update_ms_p50=%.0f update_ms_max=%.0f rounds=%d%n", pct(ns, 50), ns[ns.length - 1] / 1e6, ns.length);
    }

    private static void csv(String url) throws Exception {
        long start = System.nanoTime();
        long rows = 0;
        long bytes = 0;
        try (InputStream body = get(url).body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = body.read(buffer)) > 0;) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        rows++;
                    }
                }
            }
        }
        System.out.printf("RESULT_CSV lines=%d bytes=%d seconds=%.1f%n", rows, bytes, (System.nanoTime() - start) / 1e9);
    }
}
