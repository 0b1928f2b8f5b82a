package dev.juggler.inference.remote.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import dev.juggler.inference.remote.InferTensor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * A small Open Inference Protocol server for client tests that mimics documented quirks of other servers
 * (see {@link Quirks}). It serves {@link TestModel}: {@code x} FP32 [n,4] to {@code y} = x + 1 and
 * {@code rowsum}. A row whose first value is {@link TestModel#POISON} is refused with 400. Failures and
 * delays can be injected per call.
 */
final class StubOipServer implements AutoCloseable {

    /**
     * How the stub departs from {@code juggler serve}.
     *
     * @param emptyHealthBody health and ready answer with no body (Triton; MindIE's Triton API)
     * @param notReadyStatus the status of a model or server that is not ready: 503 (Triton) or 424
     * @param binary whether {@code /v2} lists {@code binary_tensor_data} (KServe's Python server and MLServer
     *     do not)
     * @param versionSegment {@code versions} (the protocol), {@code version}, or {@code null}: no versioned
     *     paths at all (MindIE takes none)
     * @param statistics whether {@code /v2/models/{m}/stats} exists (Triton's extension)
     */
    record Quirks(boolean emptyHealthBody, int notReadyStatus, boolean binary, String versionSegment, boolean statistics) {
        static final Quirks TRITON_LIKE = new Quirks(true, 503, true, "versions", true);
        static final Quirks JSON_ONLY = new Quirks(false, 503, false, "versions", false);
        static final Quirks NOT_READY_424 = new Quirks(false, 424, true, "versions", false);
        static final Quirks SINGULAR_VERSION = new Quirks(true, 503, false, "version", false);
        static final Quirks UNVERSIONED = new Quirks(true, 503, true, null, false);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final InferCodec codec = new InferCodec();
    private final Quirks quirks;
    final AtomicBoolean ready = new AtomicBoolean(true);
    final AtomicLong inferCalls = new AtomicLong();
    final AtomicLong rows = new AtomicLong();
    final AtomicLong poisonCalls = new AtomicLong();
    final Set<InetSocketAddress> connections = ConcurrentHashMap.newKeySet();
    private volatile LongPredicate failCall = n -> false;
    private volatile long delayMillis;

    StubOipServer(Quirks quirks) throws IOException {
        // headers and body go out as two writes: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms per call
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.quirks = quirks;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Calls {@code n} (counted from 1) for which {@code fail} holds answer 503. */
    void failCalls(LongPredicate fail) {
        this.failCall = fail;
    }

    void delay(long millis) {
        this.delayMillis = millis;
    }

    private void handle(HttpExchange exchange) throws IOException {
        connections.add(exchange.getRemoteAddress());
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            String path = exchange.getRequestURI().getRawPath();
            String model = "/v2/models/" + TestModel.NAME;
            String versioned = quirks.versionSegment() == null ? null : model + "/" + quirks.versionSegment() + "/1";
            if (path.equals("/v2")) {
                answer(exchange, 200, "{\"name\":\"stub\",\"version\":\"0\",\"extensions\":["
                        + (quirks.binary() ? "\"binary_tensor_data\"" : "") + "]}");
            } else if (path.equals("/v2/health/live") || path.equals("/v2/health/ready")) {
                health(exchange, path.endsWith("live") || ready.get());
            } else if (path.equals(model) || path.equals(versioned)) {
                answer(exchange, 200, "{\"name\":\"" + TestModel.NAME + "\",\"versions\":[\"1\"],\"platform\":\"stub\","
                        + "\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
                        + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,4]},"
                        + "{\"name\":\"rowsum\",\"datatype\":\"FP32\",\"shape\":[-1,1]}]}");
            } else if (path.equals(model + "/ready") || path.equals(versioned + "/ready")) {
                health(exchange, ready.get());
            } else if (quirks.statistics() && (path.equals(model + "/stats") || path.equals(versioned + "/stats"))) {
                answer(exchange, 200, "{\"model_stats\":[{\"name\":\"" + TestModel.NAME + "\",\"version\":\"1\",\"inference_count\":"
                        + rows.get() + ",\"execution_count\":" + inferCalls.get() + ",\"inference_stats\":{\"queue\":{\"count\":"
                        + inferCalls.get() + ",\"ns\":1000},\"compute_infer\":{\"count\":" + inferCalls.get() + ",\"ns\":2000}}}]}");
            } else if (exchange.getRequestMethod().equals("POST") && (path.equals(model + "/infer") || path.equals(versioned + "/infer"))) {
                infer(exchange, body);
            } else {
                answer(exchange, 404, codec.encodeError("no such path " + path));
            }
        }
    }

    private void health(HttpExchange exchange, boolean ok) throws IOException {
        int status = ok ? 200 : quirks.notReadyStatus();
        if (quirks.emptyHealthBody()) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            answer(exchange, status, ok ? "{\"ready\":true}" : "{\"ready\":false}");
        }
    }

    private void infer(HttpExchange exchange, byte[] body) throws IOException {
        long call = inferCalls.incrementAndGet();
        if (!ready.get()) {
            answer(exchange, quirks.notReadyStatus(), codec.encodeError("model is not ready"));
            return;
        }
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        InferRequest request;
        try {
            String header = exchange.getRequestHeaders().getFirst(InferCodec.HEADER_LENGTH);
            if (header != null && !quirks.binary()) {
                answer(exchange, 400, codec.encodeError("this server takes no binary data"));
                return;
            }
            request = codec.decodeRequest(body, header == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(header)));
        } catch (RuntimeException e) {
            answer(exchange, 400, codec.encodeError(e.getMessage()));
            return;
        }
        InferTensor x = request.inputs().get(0);
        float[] values = x.asFloats();
        for (int r = 0; r < values.length / 4; r++) {
            if (values[4 * r] == TestModel.POISON) {
                poisonCalls.incrementAndGet();
                answer(exchange, 400, codec.encodeError("row " + r + " is poison"));
                return;
            }
        }
        if (failCall.test(call)) {
            answer(exchange, 503, codec.encodeError("injected failure of call " + call));
            return;
        }
        rows.addAndGet(values.length / 4);
        InferResponse response = InferResponse.of(TestModel.NAME, TestModel.compute(x));
        InferCodec.Encoded encoded = codec.encodeResponse(response, name -> quirks.binary() && request.wantsBinary(name));
        exchange.getResponseHeaders().set("Content-Type", encoded.contentType());
        encoded.headerLength().ifPresent(n -> exchange.getResponseHeaders().set(InferCodec.HEADER_LENGTH, Integer.toString(n)));
        exchange.sendResponseHeaders(200, encoded.length());
        encoded.writeTo(exchange.getResponseBody());
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    static List<Quirks> all() {
        return List.of(Quirks.TRITON_LIKE, Quirks.JSON_ONLY, Quirks.NOT_READY_424, Quirks.SINGULAR_VERSION, Quirks.UNVERSIONED);
    }
}
