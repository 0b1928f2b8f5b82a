package dev.juggler.inference.remote.server;

import static dev.juggler.inference.remote.server.TestHttp.error;
import static dev.juggler.inference.remote.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Batching in real time over HTTP, the bounded queue, and the statistics and metrics it leaves. Timing is
 * reported and asserted only loosely.
 */
class InferenceServerBatchingTest {

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? (-?[0-9.eE+]+|NaN|[+-]Inf)");

    @Test
    void concurrentRequestsShareModelRuns() throws Exception {
        AdderModel model = new AdderModel(8);
        try (InferenceServer server = InferenceServer.builder().model(model).port(0).maxBatchSize(8)
                .maxQueueDelay(Duration.ofMillis(2)).threads(16).start()) {
            TestHttp http = new TestHttp(server);
            assertEquals(200, http.infer("adder", InferenceServerTest.request(1), false).statusCode(), "warm-up");
            long loneMillis = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long lone = System.nanoTime();
                assertEquals(200, http.infer("adder", InferenceServerTest.request(1), false).statusCode());
                loneMillis = Math.min(loneMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lone));
            }

            int clients = 16;
            int perClient = 40;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<Integer>> done = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < perClient; i++) {
                        ok += http.infer("adder", InferenceServerTest.request(1), true).statusCode() == 200 ? 1 : 0;
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> f : done) {
                ok += f.get(2, TimeUnit.MINUTES);
            }
            long burstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            pool.shutdown();
            assertEquals(clients * perClient, ok);

            JsonNode stats = json(http.get("/v2/models/adder/stats")).get("model_stats").get(0);
            long inferences = stats.get("inference_count").asLong();
            long executions = stats.get("execution_count").asLong();
            System.out.printf("batching: %d requests of 1 row from %d clients in %d ms: inference_count=%d "
                    + "execution_count=%d (%.2f rows/run), lone request %d ms (best of 5), batch rows %s%n", ok, clients, burstMillis,
                    inferences, executions, (double) inferences / executions, loneMillis, histogram(model.batchRows()));
            assertEquals(clients * perClient + 6, inferences);
            assertTrue(executions < inferences, "some runs took several requests: " + executions + " < " + inferences);
            assertTrue(model.batchRows().stream().allMatch(n -> n <= 8), model.batchRows().toString());
            assertTrue(loneMillis < 500, "a lone request waits about the delay, took " + loneMillis + " ms");
        }
    }

    private static Map<Integer, Integer> histogram(List<Integer> rows) {
        Map<Integer, Integer> h = new HashMap<>();
        rows.forEach(r -> h.merge(r, 1, Integer::sum));
        return h;
    }

    @Test
    void aFullQueueAnswers503AndTheHeldRequestsStillComplete() throws Exception {
        AdderModel model = new AdderModel(1).hold();
        try (InferenceServer server = InferenceServer.builder().model(model).port(0).maxQueueRows(2)
                .maxQueueDelay(Duration.ZERO).start()) {
            TestHttp http = new TestHttp(server);
            List<CompletableFuture<HttpResponse<byte[]>>> held = new ArrayList<>();
            held.add(CompletableFuture.supplyAsync(() -> http.infer("adder", InferenceServerTest.request(1), false)));
            assertTrue(model.awaitEntered(1), "the first request reached the model, which holds it");
            held.add(CompletableFuture.supplyAsync(() -> http.infer("adder", InferenceServerTest.request(1), false)));
            held.add(CompletableFuture.supplyAsync(() -> http.infer("adder", InferenceServerTest.request(1), false)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!metrics(http).contains("juggler_inference_queue_rows{model=\"adder\",version=\"1\"} 2")) {
                assertTrue(System.nanoTime() < deadline, "two rows queue behind the held one");
                Thread.sleep(5);
            }
            HttpResponse<byte[]> refused = http.infer("adder", InferenceServerTest.request(1), false);
            assertEquals(503, refused.statusCode());
            assertTrue(error(refused).contains("queue full (2 rows waiting, limit 2; this request has 1)"), error(refused));
            assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());

            model.release(3);
            for (CompletableFuture<HttpResponse<byte[]>> f : held) {
                assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
            }
            JsonNode s = json(http.get("/v2/models/stats")).get("model_stats").get(0).get("inference_stats");
            assertEquals(3, s.get("success").get("count").asLong());
            assertEquals(1, s.get("fail").get("count").asLong());
        }
    }

    @Test
    void statisticsAndMetricsAfterSomeRequests() throws Exception {
        AdderModel model = new AdderModel(8);
        try (InferenceServer server = InferenceServer.builder().model(model).port(0).start()) {
            TestHttp http = new TestHttp(server);
            for (int i = 0; i < 3; i++) {
                assertEquals(200, http.infer("adder", InferenceServerTest.request(2), false).statusCode());
            }
            assertEquals(400, http.post("/v2/models/adder/infer", "{").statusCode());

            for (String path : List.of("/v2/models/stats", "/v2/models/adder/stats", "/v2/models/adder/versions/1/stats")) {
                HttpResponse<byte[]> r = http.get(path);
                assertEquals(200, r.statusCode(), path);
                JsonNode m = json(r).get("model_stats").get(0);
                assertEquals("adder", m.get("name").asText());
                assertEquals("1", m.get("version").asText());
                assertEquals(6, m.get("inference_count").asLong());
                assertEquals(3, m.get("execution_count").asLong());
                JsonNode s = m.get("inference_stats");
                for (String stage : List.of("success", "queue", "compute_input", "compute_infer", "compute_output")) {
                    assertEquals(3, s.get(stage).get("count").asLong(), stage);
                    assertTrue(s.get(stage).get("ns").asLong() >= 0, stage);
                }
                assertTrue(s.get("success").get("ns").asLong() > 0);
                assertEquals(1, s.get("fail").get("count").asLong());
            }
            assertEquals(404, http.get("/v2/models/nope/stats").statusCode());

            HttpResponse<byte[]> r = http.get("/metrics");
            assertEquals(200, r.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
            String text = new String(r.body(), StandardCharsets.UTF_8);
            Map<String, String> values = new HashMap<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("#")) {
                    assertTrue(line.matches("# (HELP|TYPE) [a-z_]+ .+"), line);
                    continue;
                }
                Matcher mm = SAMPLE.matcher(line);
                assertTrue(mm.matches(), "not a sample line: " + line);
                values.put(line.substring(0, line.lastIndexOf(' ')), mm.group(mm.groupCount()));
            }
            String labels = "{model=\"adder\",version=\"1\"}";
            assertEquals("3", values.get("juggler_inference_request_success" + labels));
            assertEquals("1", values.get("juggler_inference_request_failure" + labels));
            assertEquals("6", values.get("juggler_inference_count" + labels));
            assertEquals("3", values.get("juggler_inference_exec_count" + labels));
            assertEquals("0", values.get("juggler_inference_queue_rows" + labels));
            assertTrue(values.containsKey("juggler_inference_queue_duration_us" + labels));
            assertTrue(values.containsKey("juggler_inference_compute_infer_duration_us" + labels));
            assertTrue(text.contains("# TYPE juggler_inference_queue_rows gauge\n"));
            assertTrue(text.contains("# TYPE juggler_inference_count counter\n"));
        }
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", ServerStats.escapeLabel("a\\b\"c\nd"));
        ServerStats stats = new ServerStats();
        stats.add("we\"ird", "1");
        String text = stats.prometheus();
        assertTrue(text.contains("juggler_inference_count{model=\"we\\\"ird\",version=\"1\"} 0\n"), text);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("#") || SAMPLE.matcher(line).matches(), line);
        }
    }

    @Test
    void closingTurnsReadyOffRefusesNewInfersAndFinishesQueuedOnes() throws Exception {
        AdderModel model = new AdderModel(8).hold();
        InferenceServer server = InferenceServer.builder().model(model).port(0).start();
        TestHttp http = new TestHttp(server);
        assertEquals(200, http.get("/v2/health/ready").statusCode());
        CompletableFuture<HttpResponse<byte[]>> held =
                CompletableFuture.supplyAsync(() -> http.infer("adder", InferenceServerTest.request(1), false));
        assertTrue(model.awaitEntered(1));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (http.get("/v2/health/ready").statusCode() == 200) {
            assertTrue(System.nanoTime() < deadline, "ready turns off when closing starts");
            Thread.sleep(5);
        }
        assertEquals(200, http.get("/v2/health/live").statusCode());
        HttpResponse<byte[]> refused = http.infer("adder", InferenceServerTest.request(1), false);
        assertEquals(503, refused.statusCode());
        assertTrue(error(refused).contains("closing"), error(refused));
        model.release(1);
        assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode(), "the request in the model is answered");
        closing.get(30, TimeUnit.SECONDS);
        server.close();
        assertFalse(server.toString().contains("http"), server.toString());
    }

    private static String metrics(TestHttp http) {
        return new String(http.get("/metrics").body(), StandardCharsets.UTF_8);
    }
}
