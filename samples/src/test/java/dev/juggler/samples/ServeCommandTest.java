package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.djl.TestOnnxModels;
import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.ServedModel;
import dev.juggler.inference.remote.TensorSpec;
import dev.juggler.inference.remote.server.InferenceServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code juggler serve} with a stand-in model: options, the token, serving until stopped; and a real ONNX model. */
class ServeCommandTest {

    private static final String TOKEN = "serve-token-0123456789";

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicBoolean modelClosed = new AtomicBoolean();
    private int[] opened;

    /** Stands in for BlazePose: echoes its FP32 input. */
    private final class EchoModel implements ServedModel {
        @Override
        public String name() {
            return Analyses.DEFAULT_REMOTE_MODEL;
        }

        @Override
        public String platform() {
            return "echo";
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(new TensorSpec("input", Datatype.FP32, new long[] {-1, 2}));
        }

        @Override
        public List<TensorSpec> outputs() {
            return List.of(new TensorSpec("output", Datatype.FP32, new long[] {-1, 2}));
        }

        @Override
        public int maxBatchSize() {
            return 16;
        }

        @Override
        public List<InferTensor> run(List<InferTensor> inputs) {
            InferTensor in = inputs.get(0);
            return List.of(InferTensor.ofWire("output", Datatype.FP32, in.shape(), in.data()));
        }

        @Override
        public void close() {
            modelClosed.set(true);
        }
    }

    private ServeCommand command() {
        return new ServeCommand().opener((name, file, interpreters, threads, maxBatch) -> {
            opened = new int[] {interpreters, threads, maxBatch};
            return new EchoModel();
        }).environment(Map.of("SERVE_TOKEN", TOKEN));
    }

    private CommandLine cli(ServeCommand command) {
        return new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    }

    private Path modelFile() throws Exception {
        return Files.writeString(dir.resolve("pose_landmark_lite.tflite"), "stand-in");
    }

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesUntilStoppedAndPrintsOneLine() throws Exception {
        ServeCommand command = command();
        String model = modelFile().toString();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli(command).execute("--model", model,
                "--bind", "127.0.0.1:0", "--max-batch", "4", "--max-queue-delay", "1ms", "--threads", "2"));
        InferenceServer server = command.started().get(30, TimeUnit.SECONDS);
        assertEquals("juggler serve: " + server.url() + "/v2 serving " + Analyses.DEFAULT_REMOTE_MODEL + " (no token, loopback only); "
                + "Ctrl-C stops it" + System.lineSeparator(), out.toString());
        assertEquals(4, opened[2]);
        assertEquals(2, opened[0]);
        HttpResponse<String> meta = get(server.url() + "/v2/models/" + Analyses.DEFAULT_REMOTE_MODEL);
        assertEquals(200, meta.statusCode());
        assertTrue(meta.body().contains("\"platform\":\"echo\""), meta.body());
        command.stop();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
        assertTrue(modelClosed.get(), "the command closes the model it opened");
        assertThrows(ConnectException.class, () -> get(server.url() + "/v2"), "closed when the command ends");
    }

    @Test
    void theTokenComesFromTheEnvironmentAndIsNeverPrinted() throws Exception {
        ServeCommand command = command();
        String model = modelFile().toString();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli(command).execute("--model", model,
                "--bind", "127.0.0.1:0", "--token-env", "SERVE_TOKEN"));
        InferenceServer server = command.started().get(30, TimeUnit.SECONDS);
        assertTrue(out.toString().contains("(token required)"), out.toString());
        assertFalse(out.toString().contains(TOKEN));
        assertEquals(401, get(server.url() + "/v2/health/ready").statusCode());
        assertEquals(200, get(server.url() + "/v2/health/ready", "Authorization", "Bearer " + TOKEN).statusCode());
        command.stop();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anOpenAddressWithoutATokenIsAUsageError() throws Exception {
        int code = cli(command()).execute("--model", modelFile().toString(), "--bind", "0.0.0.0:0");
        assertEquals(2, code);
        assertTrue(err.toString().contains("needs an access token"), err.toString());
        assertTrue(modelClosed.get());
    }

    @Test
    void badOptionsAreUsageErrorsBeforeTheModelLoads() throws Exception {
        String model = modelFile().toString();
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
        assertEquals(2, cli(command()).execute("--model", model, "--token-env", "SERVE_TOKEN", "--token-file",
                tokenFile.toString()));
        assertEquals(2, cli(command()).execute("--model", model, "--token-env", "NOT_SET"));
        assertEquals(2, cli(command()).execute("--model", model, "--max-queue-delay", "soon"));
        assertEquals(2, cli(command()).execute("--model", model, "--threads", "0"));
        assertEquals(2, cli(command()).execute("--model", model, "--bind", "nowhere"));
        assertEquals(null, opened, "no model was opened");
        assertFalse(err.toString().contains(TOKEN));
    }

    @Test
    void servesAnOnnxModelNamedAfterItsFile() throws Exception {
        Path onnx = TestOnnxModels.writeAffine(dir.resolve("my affine.v2.onnx"));
        ServeCommand command = new ServeCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli(command).execute("--onnx", onnx.toString(),
                "--bind", "127.0.0.1:0", "--max-batch", "4", "--threads", "2"));
        InferenceServer server = command.started().get(60, TimeUnit.SECONDS);
        try {
            assertTrue(out.toString().contains("serving my_affine.v2 "), out.toString());
            HttpResponse<String> meta = get(server.url() + "/v2/models/my_affine.v2");
            assertEquals(200, meta.statusCode(), meta.body());
            assertTrue(meta.body().contains("\"platform\":\"onnxruntime\""), meta.body());
            assertTrue(meta.body().replace(" ", "").contains("\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,3]"),
                    meta.body());
            HttpResponse<String> infer = http.send(HttpRequest.newBuilder(URI.create(server.url()
                            + "/v2/models/my_affine.v2/infer")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\","
                            + "\"shape\":[2,3],\"data\":[1,0,2,0,0,0]}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, infer.statusCode(), infer.body());
            assertTrue(infer.body().replace(" ", "").contains("\"data\":[11.5,13.0,0.5,-1.0]"), infer.body());
        } finally {
            command.stop();
        }
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anOnnxModelTakesTheNameGiven() throws Exception {
        Path onnx = TestOnnxModels.writeAffine(dir.resolve("affine.onnx"));
        ServeCommand command = new ServeCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli(command).execute("--onnx", onnx.toString(),
                "--name", "lin", "--bind", "127.0.0.1:0"));
        InferenceServer server = command.started().get(60, TimeUnit.SECONDS);
        try {
            assertEquals(List.of("lin"), server.modelNames());
        } finally {
            command.stop();
        }
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }

    @Test
    void onnxAndModelTogetherAreAUsageError() throws Exception {
        Path onnx = TestOnnxModels.writeAffine(dir.resolve("affine.onnx"));
        assertEquals(2, cli(command()).execute("--model", modelFile().toString(), "--onnx", onnx.toString()));
        assertTrue(err.toString().contains("not both"), err.toString());
        assertEquals(null, opened, "no model was opened");
    }

    @Test
    void fileNamesBecomeModelNames() {
        assertEquals("affine", ServeCommand.nameOf(Path.of("/models/affine.onnx")));
        assertEquals("my_net_v1.2", ServeCommand.nameOf(Path.of("my net+v1.2.onnx")));
        assertEquals("model", ServeCommand.nameOf(Path.of("/")));
        assertEquals("noext", ServeCommand.nameOf(Path.of("noext")));
        assertEquals(ServeCommand.MAX_NAME, ServeCommand.nameOf(Path.of("a".repeat(300) + ".onnx")).length());
    }
}
