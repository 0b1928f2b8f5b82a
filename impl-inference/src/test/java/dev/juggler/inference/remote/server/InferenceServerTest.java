package dev.juggler.inference.remote.server;

import static dev.juggler.inference.remote.server.TestHttp.CODEC;
import static dev.juggler.inference.remote.server.TestHttp.error;
import static dev.juggler.inference.remote.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.RequestedOutput;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The v2 endpoints of a real server on 127.0.0.1: metadata, health, infer in JSON and binary, the token. */
class InferenceServerTest {

    private static AdderModel model;
    private static InferenceServer server;
    private static TestHttp http;

    @BeforeAll
    static void start() {
        model = new AdderModel(8);
        server = InferenceServer.builder().model(model).port(0).maxQueueRows(64).start();
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static InferRequest request(int rows) {
        float[] a = new float[rows * 4];
        float[] b = new float[rows * 4];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
            b[i] = 0.5f;
        }
        return InferRequest.of(List.of(InferTensor.ofFloats("INPUT0", new long[] {rows, 4}, a),
                InferTensor.ofFloats("INPUT1", new long[] {rows, 4}, b)));
    }

    @Test
    void serverMetadataAndHealth() {
        HttpResponse<byte[]> meta = http.get("/v2");
        assertEquals(200, meta.statusCode());
        JsonNode m = json(meta);
        assertEquals("juggler", m.get("name").asText());
        assertTrue(m.get("version").isTextual());
        assertTrue(m.get("extensions").toString().contains("binary_tensor_data"), m.toString());
        assertTrue(m.get("extensions").toString().contains("statistics"), m.toString());
        assertEquals(200, http.get("/v2/health/live").statusCode());
        assertEquals(200, http.get("/v2/health/ready").statusCode());
    }

    @Test
    void modelMetadataAtBothPaths() {
        for (String path : List.of("/v2/models/adder", "/v2/models/adder/versions/1")) {
            HttpResponse<byte[]> r = http.get(path);
            assertEquals(200, r.statusCode(), path);
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            JsonNode m = json(r);
            assertEquals("adder", m.get("name").asText());
            assertEquals("[\"1\"]", m.get("versions").toString());
            assertEquals("java", m.get("platform").asText());
            assertEquals("{\"name\":\"INPUT0\",\"datatype\":\"FP32\",\"shape\":[-1,4]}", m.get("inputs").get(0).toString());
            assertEquals("{\"name\":\"ROWSUM\",\"datatype\":\"INT32\",\"shape\":[-1,1]}", m.get("outputs").get(1).toString());
        }
        assertEquals(200, http.get("/v2/models/adder/ready").statusCode());
        assertEquals(200, http.get("/v2/models/adder/versions/1/ready").statusCode());
    }

    @Test
    void unknownModelsVersionsAndPathsAre404() {
        HttpResponse<byte[]> r = http.get("/v2/models/nope");
        assertEquals(404, r.statusCode());
        assertTrue(error(r).contains("unknown model 'nope'; this server serves adder"), error(r));
        r = http.get("/v2/models/adder/versions/2");
        assertEquals(404, r.statusCode());
        assertTrue(error(r).contains("model adder has no version '2'; it serves version 1"), error(r));
        assertEquals(404, http.get("/v2/models/nope/ready").statusCode());
        assertEquals(404, http.get("/v2/models/adder/versions/2/ready").statusCode());
        assertEquals(404, http.post("/v2/models/nope/infer", "{}").statusCode());
        for (String path : List.of("/", "/v1/models", "/v2/models/adder/bogus", "/v2/health/dead", "/v2/models/adder/a/b")) {
            r = http.get(path);
            assertEquals(404, r.statusCode(), path);
            assertTrue(error(r).contains("no such path"), path + ": " + error(r));
        }
    }

    @Test
    void wrongMethodsAre405() {
        HttpResponse<byte[]> r = http.get("/v2/models/adder/infer");
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
        assertTrue(error(r).contains("use POST"));
        r = http.post("/v2/models/adder", "{}");
        assertEquals(405, r.statusCode());
        assertTrue(error(r).contains("POST is not allowed here"));
        assertEquals(405, http.method("DELETE", "/v2/health/live").statusCode());
        assertEquals(405, http.method("PUT", "/metrics").statusCode());
    }

    @Test
    void inferInJsonEchoesTheIdAndAnswersInJson() throws Exception {
        HttpResponse<byte[]> r = http.infer("adder", request(2).withId("req-42"), false);
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals(InferCodec.JSON, r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(r.headers().firstValue(InferCodec.HEADER_LENGTH).isEmpty());
        JsonNode body = json(r);
        assertEquals("req-42", body.get("id").asText());
        assertEquals("adder", body.get("model_name").asText());
        assertEquals("1", body.get("model_version").asText());
        InferResponse decoded = CODEC.decodeResponse(r.body(), OptionalInt.empty());
        assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f},
                decoded.output("SUM").orElseThrow().asFloats());
        assertArrayEquals(new int[] {10, 26}, decoded.output("ROWSUM").orElseThrow().asInts());
        assertArrayEquals(new long[] {2, 1}, decoded.output("ROWSUM").orElseThrow().shape());
    }

    @Test
    void inferInBinaryBothWays() {
        InferRequest req = new InferRequest(Optional.of("b1"), Map.of(InferRequest.BINARY_DATA_OUTPUT, true),
                request(3).inputs(), List.of());
        HttpResponse<byte[]> r = http.infer("adder", req, true);
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals(InferCodec.BINARY, r.headers().firstValue("Content-Type").orElseThrow());
        int headerLength = Integer.parseInt(r.headers().firstValue(InferCodec.HEADER_LENGTH).orElseThrow());
        InferResponse decoded = CODEC.decodeResponse(r.body(), OptionalInt.of(headerLength));
        assertEquals(Optional.of("b1"), decoded.id());
        assertEquals(12, decoded.output("SUM").orElseThrow().asFloats().length);
        assertEquals(3 * 4 * 4 + 3 * 4 + headerLength, r.body().length, "both outputs travel as raw bytes");
    }

    @Test
    void onlyTheRequestedOutputsEachInItsOwnEncoding() {
        InferRequest req = InferRequest.of(request(1).inputs(), List.of(RequestedOutput.binary("ROWSUM", true)));
        HttpResponse<byte[]> r = http.infer("adder", req, false);
        assertEquals(200, r.statusCode(), new String(r.body()));
        InferResponse decoded = CODEC.decodeResponse(r.body(),
                OptionalInt.of(Integer.parseInt(r.headers().firstValue(InferCodec.HEADER_LENGTH).orElseThrow())));
        assertEquals(List.of("ROWSUM"), decoded.outputs().stream().map(InferTensor::name).toList());
        assertArrayEquals(new int[] {10}, decoded.outputs().get(0).asInts());

        req = InferRequest.of(request(1).inputs(), List.of(RequestedOutput.of("SUM"), RequestedOutput.binary("ROWSUM", false)));
        r = http.infer("adder", req, true);
        assertEquals(InferCodec.JSON, r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(2, CODEC.decodeResponse(r.body(), OptionalInt.empty()).outputs().size());

        req = InferRequest.of(request(1).inputs(), List.of(RequestedOutput.of("NOPE")));
        r = http.infer("adder", req, false);
        assertEquals(400, r.statusCode());
        assertTrue(error(r).contains("model adder has no output 'NOPE'; its outputs are SUM FP32[-1, 4], ROWSUM INT32[-1, 1]"),
                error(r));
    }

    @Test
    void aRequestLargerThanTheBatchIsSplitAndAnsweredAsOne() {
        HttpResponse<byte[]> r = http.infer("adder", request(21), true);
        assertEquals(200, r.statusCode(), new String(r.body()));
        InferResponse decoded = CODEC.decodeResponse(r.body(), OptionalInt.empty());
        float[] sum = decoded.output("SUM").orElseThrow().asFloats();
        assertEquals(84, sum.length);
        assertEquals(83.5f, sum[83]);
        r = http.infer("adder", request(65), false);
        assertEquals(400, r.statusCode());
        assertTrue(error(r).contains("the request has 65 rows, more than the queue of model adder holds (64 rows)"), error(r));
    }

    @Test
    void modelFailuresAre500AndModelRefusals400() {
        float[] a = {AdderModel.FAIL, 0, 0, 0};
        InferRequest req = InferRequest.of(List.of(InferTensor.ofFloats("INPUT0", new long[] {1, 4}, a),
                InferTensor.ofFloats("INPUT1", new long[] {1, 4}, new float[4])));
        HttpResponse<byte[]> r = http.infer("adder", req, false);
        assertEquals(500, r.statusCode());
        assertTrue(error(r).contains("model adder failed: the adder does not take -999.0"), error(r));
        a[0] = AdderModel.REFUSE;
        req = InferRequest.of(List.of(InferTensor.ofFloats("INPUT0", new long[] {1, 4}, a),
                InferTensor.ofFloats("INPUT1", new long[] {1, 4}, new float[4])));
        r = http.infer("adder", req, false);
        assertEquals(400, r.statusCode());
        assertTrue(error(r).contains("the adder refuses"), error(r));
        assertEquals(200, http.infer("adder", request(1), false).statusCode());
    }

    @Test
    void aNonLoopbackHostHeaderIsRefusedWithoutAToken() throws Exception {
        TestHttp.RawResponse r = http.raw("GET /v2 HTTP/1.1\r\nHost: evil.example:8000\r\nConnection: close", new byte[0]);
        assertEquals(403, r.status());
        assertTrue(r.body().contains("addressed to 127.0.0.1"), r.body());
        assertEquals(200, http.raw("GET /v2 HTTP/1.1\r\nHost: localhost:1\r\nConnection: close", new byte[0]).status());
    }

    @Test
    void bindingAReachableAddressWithoutATokenIsRefused() {
        InferenceServer.Builder b = InferenceServer.builder().model(new AdderModel(8)).bind("0.0.0.0:0");
        InferenceBindRefusedException e = assertThrows(InferenceBindRefusedException.class, b::start);
        assertTrue(e.getMessage().contains("0.0.0.0:0"), e.getMessage());
        assertTrue(e instanceof InvalidConfigException);
    }

    @Test
    void withATokenEveryRequestNeedsIt() {
        String token = "s3cret-token-0123456789";
        AdderModel guarded = new AdderModel(8);
        try (InferenceServer s = InferenceServer.builder().model(guarded).bind("127.0.0.1:0").token(token).start()) {
            assertFalse(s.toString().contains(token), s.toString());
            assertTrue(s.toString().contains("token=***"), s.toString());
            TestHttp none = new TestHttp(s);
            TestHttp wrong = new TestHttp(s, "s3cret-token-0123456780");
            for (TestHttp client : List.of(none, wrong)) {
                HttpResponse<byte[]> r = client.infer("adder", request(1), false);
                assertEquals(401, r.statusCode());
                assertTrue(error(r).contains("Authorization: Bearer"), error(r));
                assertFalse(error(r).contains(token));
                assertEquals(401, client.get("/v2/health/live").statusCode());
                assertEquals(401, client.get("/metrics").statusCode());
            }
            assertEquals(0, guarded.runs(), "the model is never reached without the token");
            TestHttp good = new TestHttp(s, token);
            assertEquals(200, good.infer("adder", request(1), false).statusCode());
            assertEquals(200, good.get("/v2/models/adder").statusCode());
            assertEquals(1, guarded.runs());
        }
    }

    @Test
    void aPortInUseIsAPermanentFailureThatLeavesNoThreads() {
        JugglerException e = assertThrows(JugglerException.class,
                () -> InferenceServer.builder().model(new AdderModel("other", 4, 4)).port(server.port()).start());
        assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + server.port()), e.getMessage());
        assertFalse(e.isTransient());
        long after = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("juggler-serve-")
                && t.isAlive() && t.getName().contains("other")).count();
        assertEquals(0, after, "the batcher's threads of the failed server ended");
    }

    @Test
    void theBuilderChecksItsSettings() {
        assertThrows(InvalidConfigException.class, () -> InferenceServer.builder().start(), "no model");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> InferenceServer.builder().model(new AdderModel(4)).maxBatchSize(8).port(0).start());
        assertTrue(e.getMessage().contains("model adder takes at most 4 rows per run"), e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> InferenceServer.builder().token("short"));
        assertFalse(e.getMessage().contains("short"));
        assertThrows(InvalidConfigException.class,
                () -> InferenceServer.builder().model(new AdderModel(4)).model(new AdderModel(2)).port(0).start());
        assertThrows(InvalidConfigException.class,
                () -> InferenceServer.builder().model(new AdderModel("bad name", 4, 4)).port(0).start());
        assertThrows(InvalidConfigException.class, () -> InferenceServer.builder().maxQueueDelay(java.time.Duration.ofMillis(-1)));
        assertThrows(InvalidConfigException.class, () -> InferenceServer.builder().bind("nohostport"));
        assertThrows(InvalidConfigException.class,
                () -> InferenceServer.builder().model(new AdderModel(8)).maxQueueRows(4).port(0).start());
    }
}
