package dev.juggler.inference.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.juggler.InvalidConfigException;
import dev.juggler.inference.pose.ModelNotFoundException;
import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.TensorSpec;
import dev.juggler.inference.remote.server.InferenceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Any ONNX model served through DJL: the signature, exact results, the server, errors, threads. */
class OnnxServedModelTest {

    @TempDir
    static Path dir;
    static Path affine;

    @BeforeAll
    static void writeModels() {
        affine = TestOnnxModels.writeAffine(dir.resolve("affine.onnx"));
    }

    private static float[] rows(float[]... xs) {
        float[] flat = new float[xs.length * xs[0].length];
        for (int i = 0; i < xs.length; i++) {
            System.arraycopy(xs[i], 0, flat, i * xs[i].length, xs[i].length);
        }
        return flat;
    }

    @Test
    void theSignatureComesFromTheModel() throws Exception {
        try (OnnxServedModel m = OnnxServedModel.open("affine", affine, 8, 1)) {
            assertEquals("affine", m.name());
            assertEquals("onnxruntime", m.platform());
            assertEquals(8, m.maxBatchSize());
            assertEquals(List.of(new TensorSpec("x", Datatype.FP32, new long[] {-1, 3})), m.inputs());
            assertEquals(List.of(new TensorSpec("y", Datatype.FP32, new long[] {-1, 2})), m.outputs());
        }
        // The model Tribuo's ONNX writer builds for DjlAcceleratorTest reads the same way.
        Path tribuo = DjlAcceleratorTest.writeAffineModel(dir.resolve("tribuo-affine.onnx"));
        try (OnnxServedModel m = OnnxServedModel.open("tribuo", tribuo, 4, 1)) {
            assertEquals(1, m.inputs().size());
            assertEquals(Datatype.FP32, m.inputs().get(0).datatype());
            assertArrayEquals(new long[] {-1, 3}, m.inputs().get(0).shape());
            assertArrayEquals(new long[] {-1, 2}, m.outputs().get(0).shape());
        }
    }

    @Test
    void runsAWholeBatchWithExactNumbers() {
        float[][] xs = {{1, 0, 2}, {0, 0, 0}, {-1, 2, 0.25f}};
        try (OnnxServedModel m = OnnxServedModel.open("affine", affine, 8, 1)) {
            List<InferTensor> out = m.run(List.of(InferTensor.ofFloats("x", new long[] {3, 3}, rows(xs))));
            assertEquals(1, out.size());
            assertEquals("y", out.get(0).name());
            assertArrayEquals(new long[] {3, 2}, out.get(0).shape());
            assertArrayEquals(rows(TestOnnxModels.affine(xs[0]), TestOnnxModels.affine(xs[1]), TestOnnxModels.affine(xs[2])),
                    out.get(0).asFloats());
            assertArrayEquals(new float[] {11.5f, 13f}, m.run(List.of(InferTensor.ofFloats("x", new long[] {1, 3},
                    xs[0]))).get(0).asFloats());
        }
    }

    @Test
    void twoInt64InputsAndTwoOutputs() {
        Path file = TestOnnxModels.writeTwoInputsInt64(dir.resolve("sums.onnx"));
        try (OnnxServedModel m = OnnxServedModel.open("sums", file, 4, 1)) {
            assertEquals(List.of("a", "b"), m.inputs().stream().map(TensorSpec::name).toList());
            assertEquals(List.of("sum", "diff"), m.outputs().stream().map(TensorSpec::name).toList());
            assertEquals(Datatype.INT64, m.outputs().get(1).datatype());
            long big = 1L << 40; // beyond int and float precision: the bytes travel unchanged
            List<InferTensor> out = m.run(List.of(InferTensor.ofLongs("a", new long[] {2, 2}, new long[] {big, 2, 3, 4}),
                    InferTensor.ofLongs("b", new long[] {2, 2}, new long[] {1, 20, 30, -40})));
            assertArrayEquals(new long[] {big + 1, 22, 33, -36}, out.get(0).asLongs());
            assertArrayEquals(new long[] {big - 1, -18, -27, 44}, out.get(1).asLongs());
        }
    }

    @Test
    void inputsTheModelCannotTakeAreClientErrors() {
        try (OnnxServedModel m = OnnxServedModel.open("affine", affine, 2, 1)) {
            RuntimeException type = assertThrows(RuntimeException.class, () -> m.run(List.of(
                    InferTensor.ofDoubles("x", new long[] {1, 3}, new double[3]))));
            assertTrue(type instanceof IllegalArgumentException || type instanceof InferenceProtocolException,
                    type.toString());
            RuntimeException shape = assertThrows(RuntimeException.class, () -> m.run(List.of(
                    InferTensor.ofFloats("x", new long[] {1, 4}, new float[4]))));
            assertTrue(shape.getMessage().contains("x FP32[-1, 3]"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.run(List.of(
                    InferTensor.ofFloats("x", new long[] {3, 3}, new float[9]))), "more rows than maxBatchSize");
        }
        // A width the signature leaves open but the weights do not fit: ONNX Runtime refuses it, and so does run().
        Path open = TestOnnxModels.writeAffine(dir.resolve("open-width.onnx"), -1, -1);
        try (OnnxServedModel m = OnnxServedModel.open("open", open, 2, 1)) {
            assertArrayEquals(new long[] {-1, -1}, m.inputs().get(0).shape());
            assertArrayEquals(new float[] {11.5f, 13f}, m.run(List.of(InferTensor.ofFloats("x", new long[] {1, 3},
                    new float[] {1, 0, 2}))).get(0).asFloats());
            InferenceProtocolException rejected = assertThrows(InferenceProtocolException.class, () -> m.run(List.of(
                    InferTensor.ofFloats("x", new long[] {1, 4}, new float[4]))));
            assertTrue(rejected.getMessage().contains("rejected the input"), rejected.getMessage());
        }
    }

    @Test
    void missingAndNonOnnxFilesAndBadArgumentsAreTypedErrors() throws Exception {
        ModelNotFoundException missing = assertThrows(ModelNotFoundException.class,
                () -> OnnxServedModel.open("m", dir.resolve("absent.onnx"), 4, 1));
        assertTrue(missing.getMessage().contains("absent.onnx"), missing.getMessage());
        Path text = Files.writeString(dir.resolve("notes.onnx"), "not a model at all");
        OnnxModelException notOnnx = assertThrows(OnnxModelException.class, () -> OnnxServedModel.open("m", text, 4, 1));
        assertTrue(notOnnx.getMessage().contains("notes.onnx"), notOnnx.getMessage());
        Path fixed = TestOnnxModels.writeAffine(dir.resolve("fixed.onnx"), 1);
        OnnxModelException batch = assertThrows(OnnxModelException.class, () -> OnnxServedModel.open("m", fixed, 4, 1));
        assertTrue(batch.getMessage().contains("needs a dynamic first dimension"), batch.getMessage());
        assertThrows(InvalidConfigException.class, () -> OnnxServedModel.open("a b", affine, 4, 1));
        assertThrows(InvalidConfigException.class, () -> OnnxServedModel.open("m", affine, 0, 1));
        assertThrows(InvalidConfigException.class, () -> OnnxServedModel.open("m", affine, 4, 0));
    }

    @Test
    void servedByTheInferenceServer() throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (OnnxServedModel m = OnnxServedModel.open("affine", affine, 8, 2);
                InferenceServer server = InferenceServer.builder().model(m).bind("127.0.0.1:0").start()) {
            HttpResponse<String> meta = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/affine")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, meta.statusCode(), meta.body());
            JsonNode metadata = json.readTree(meta.body());
            assertEquals("onnxruntime", metadata.get("platform").asText());
            assertEquals("[-1,3]", metadata.get("inputs").get(0).get("shape").toString());

            HttpResponse<String> ok = post(http, server, "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,3],"
                    + "\"data\":[1,0,2,1,1,0]}]}");
            assertEquals(200, ok.statusCode(), ok.body());
            JsonNode y = json.readTree(ok.body()).get("outputs").get(0);
            assertEquals("y", y.get("name").asText());
            assertEquals("FP32", y.get("datatype").asText());
            assertEquals("[2,2]", y.get("shape").toString());
            assertEquals("[11.5,13.0,4.5,5.0]", y.get("data").toString());

            HttpResponse<String> wrongShape = post(http, server, "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\","
                    + "\"shape\":[1,4],\"data\":[1,0,2,1]}]}");
            assertEquals(400, wrongShape.statusCode(), wrongShape.body());
        }
    }

    private static HttpResponse<String> post(HttpClient http, InferenceServer server, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/affine/infer"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fourThreadsAtOnceGetTheirOwnResults() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (OnnxServedModel m = OnnxServedModel.open("affine", affine, 4, 2)) {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        float[] a = {thread, i, 1};
                        float[] b = {i, thread, -1};
                        float[] out = m.run(List.of(InferTensor.ofFloats("x", new long[] {2, 3}, rows(a, b)))).get(0).asFloats();
                        assertArrayEquals(rows(TestOnnxModels.affine(a), TestOnnxModels.affine(b)), out, "thread " + thread);
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : done) {
                assertTrue(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeIsIdempotentAndRunsAfterItAreRefused() {
        OnnxServedModel m = OnnxServedModel.open("affine", affine, 4, 2);
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, () -> m.run(List.of(InferTensor.ofFloats("x", new long[] {1, 3}, new float[3]))));
    }
}
