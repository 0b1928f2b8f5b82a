package dev.juggler.inference.remote.server;

import static dev.juggler.inference.remote.server.TestHttp.CODEC;
import static dev.juggler.inference.remote.server.TestHttp.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferTensor;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken requests: each gets a 400 (or 413) whose message names the problem, and the server
 * answers a good request right after.
 */
class InferenceServerMalformedTest {

    private static final String INFER = "/v2/models/adder/infer";
    private static AdderModel model;
    private static InferenceServer server;
    private static TestHttp http;

    @BeforeAll
    static void start() {
        model = new AdderModel(8);
        server = InferenceServer.builder().model(model).port(0).bodyLimit(4096).start();
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void stillServes() {
        HttpResponse<byte[]> r = http.infer("adder", InferenceServerTest.request(1), true);
        assertEquals(200, r.statusCode(), "the server answers a good request after a bad one");
    }

    private static void assert400(HttpResponse<byte[]> r, String expected) {
        assertEquals(400, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertTrue(error(r).contains(expected), "expected \"" + expected + "\" in: " + error(r));
    }

    private static String tensor(String name, String datatype, String shape, String data) {
        return "{\"name\":\"" + name + "\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape + ",\"data\":" + data + "}";
    }

    private static String body(String... tensors) {
        return "{\"inputs\":[" + String.join(",", tensors) + "]}";
    }

    private static final String GOOD1 = tensor("INPUT1", "FP32", "[1,4]", "[1,2,3,4]");

    @Test
    void notJson() {
        assert400(http.post(INFER, "{\"inputs\": ["), "not valid JSON");
        assert400(http.post(INFER, ""), "JSON");
        assert400(http.post(INFER, "[1,2]"), "");
    }

    @Test
    void wrongDatatype() {
        assert400(http.post(INFER, body(tensor("INPUT0", "INT32", "[1,4]", "[1,2,3,4]"), GOOD1)),
                "input 'INPUT0' is INT32 but model adder takes INPUT0 FP32[-1, 4]");
        assert400(http.post(INFER, body(tensor("INPUT0", "FP33", "[1,4]", "[1,2,3,4]"), GOOD1)), "unknown datatype");
    }

    @Test
    void wrongShape() {
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[1,3]", "[1,2,3]"), GOOD1)),
                "input 'INPUT0' has shape [1, 3] but model adder takes INPUT0 FP32[-1, 4]");
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[4]", "[1,2,3,4]"), GOOD1)),
                "input 'INPUT0' has shape [4]");
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[1,4]", "[1,2,3]"), GOOD1)), "INPUT0");
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[0,4]", "[]"), tensor("INPUT1", "FP32", "[0,4]", "[]"))),
                "input 'INPUT0' has 0 rows");
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[-2,4]", "[]"), GOOD1)), "INPUT0");
    }

    @Test
    void missingUnknownAndMismatchedInputs() {
        assert400(http.post(INFER, body(GOOD1)), "input 'INPUT0' is missing; model adder takes INPUT0 FP32[-1, 4], INPUT1");
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[1,4]", "[1,2,3,4]"), GOOD1,
                tensor("EXTRA", "FP32", "[1]", "[1]"))), "model adder has no input 'EXTRA'");
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[2,4]", "[1,2,3,4,5,6,7,8]"), GOOD1)),
                "input 'INPUT1' has 1 rows but input 'INPUT0' has 2; every input needs the same number of rows");
    }

    @Test
    void truncatedBinaryBody() {
        InferCodec.Encoded e = CODEC.encodeRequest(InferenceServerTest.request(2), true);
        byte[] cut = Arrays.copyOf(e.body(), e.length() - 5);
        HttpResponse<byte[]> r = http.post(INFER, cut, e.headerLength());
        assertEquals(400, r.statusCode());
        assertTrue(error(r).contains("INPUT1"), error(r));
    }

    @Test
    void badInferenceHeaderContentLength() {
        InferCodec.Encoded e = CODEC.encodeRequest(InferenceServerTest.request(1), true);
        byte[] body = e.body();
        assert400(http.post(INFER, body, OptionalInt.of(body.length + 1)),
                "Inference-Header-Content-Length is " + (body.length + 1) + " but the body has " + body.length + " bytes");
        for (String bad : List.of("-5", "99999999999999999999", "12abc", "4294967296")) {
            HttpResponse<byte[]> r = http.send(http.builder(INFER).header(InferCodec.HEADER_LENGTH, bad)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            assert400(r, "Inference-Header-Content-Length is \"" + bad + "\"");
        }
        // a JSON-only body with a header length: the JSON part is cut short
        byte[] json = CODEC.encodeRequest(InferenceServerTest.request(1), false).body();
        assert400(http.post(INFER, json, OptionalInt.of(10)), "");
    }

    @Test
    void aDeclaredBodyAboveTheLimitIsRefusedUnread() throws Exception {
        TestHttp.RawResponse r = http.raw("POST " + INFER + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                + "application/json\r\nContent-Length: 100000000", new byte[0]);
        assertEquals(413, r.status(), r.headers());
        assertTrue(r.body().contains("the request body has 100000000 bytes, more than this server's limit of 4096 bytes"),
                r.body());
    }

    @Test
    void aChunkedBodyAboveTheLimitIsRefused() {
        byte[] big = new byte[10_000];
        Arrays.fill(big, (byte) ' ');
        HttpResponse<byte[]> r = http.send(http.builder(INFER)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
        assertEquals(413, r.statusCode());
        assertTrue(error(r).contains("more than this server's limit of 4096 bytes"), error(r));
    }

    @Test
    void aContentLengthThatIsNotANumber() throws Exception {
        TestHttp.RawResponse r = http.raw("POST " + INFER + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ten",
                "{}".getBytes(StandardCharsets.UTF_8));
        // the JDK's server refuses it before any handler runs
        assertEquals(400, r.status(), r.headers() + "\n" + r.body());
        r = http.raw("POST " + INFER + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\nConnection: close",
                "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, r.status(), r.headers() + "\n" + r.body());
    }

    @Test
    void hugeShapesAreRefusedWithoutAllocating() {
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[100000000000,4]", "[1]"), GOOD1)), "INPUT0");
        assert400(http.post(INFER, body(tensor("INPUT0", "FP32", "[100000000000,0]", "[]"),
                tensor("INPUT1", "FP32", "[100000000000,0]", "[]"))), "INPUT0");
        InferRequest wide = InferRequest.of(List.of(InferTensor.ofFloats("INPUT0", new long[] {1, 4}, new float[4]),
                InferTensor.ofFloats("INPUT1", new long[] {1, 4}, new float[4])));
        assertEquals(200, http.infer("adder", wide, false).statusCode());
    }

    @Test
    void randomlyDamagedBodiesGet400NeverA500() {
        long seed = new java.util.Random().nextLong();
        java.util.Random random = new java.util.Random(seed);
        InferCodec.Encoded good = CODEC.encodeRequest(InferenceServerTest.request(3), true);
        byte[] original = good.body();
        int headerLength = good.headerLength().getAsInt();
        int ok = 0;
        for (int i = 0; i < 150; i++) {
            byte[] body = Arrays.copyOf(original, random.nextInt(5) == 0 ? random.nextInt(original.length + 1)
                    : original.length);
            for (int flips = 1 + random.nextInt(3); flips > 0 && body.length > 0; flips--) {
                int at = random.nextInt(random.nextBoolean() ? Math.min(body.length, headerLength) : body.length);
                body[at] = (byte) random.nextInt(256);
            }
            OptionalInt header = random.nextInt(6) == 0 ? OptionalInt.of(random.nextInt(body.length + 10))
                    : OptionalInt.of(headerLength);
            HttpResponse<byte[]> r = http.post(INFER, body, header);
            String why = "seed " + seed + ", case " + i + ": " + r.statusCode() + " "
                    + new String(r.body(), StandardCharsets.UTF_8);
            assertTrue(r.statusCode() == 200 || r.statusCode() == 400, why);
            if (r.statusCode() == 400) {
                assertTrue(CODEC.decodeError(r.body()).isPresent(), why);
            } else {
                ok++;
            }
        }
        System.out.println("damaged bodies: " + ok + " of 150 still valid requests (seed " + seed + ")");
    }
}
