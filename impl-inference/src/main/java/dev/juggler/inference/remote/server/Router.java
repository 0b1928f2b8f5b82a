package dev.juggler.inference.remote.server;

import com.sun.net.httpserver.HttpExchange;
import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.server.DynamicBatcher.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every HTTP request of an {@link InferenceServer}: checks the token (or, without one, that the
 * request is addressed to a loopback name), routes the v2 paths, and runs an infer call through the model's
 * batcher. An infer's answer is written by a request thread once its batch is done, so no thread waits
 * for the model. Immutable after construction and thread-safe.
 */
final class Router {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final String SERVER_NAME = "juggler";
    private static final String VERSION = Optional.ofNullable(Router.class.getPackage().getImplementationVersion())
            .orElse("dev");

    private final Map<String, ModelEndpoint> endpoints;
    private final ServerStats stats;
    private final InferCodec codec;
    private final Optional<byte[]> tokenDigest;
    private final int bodyLimit;
    private final LongSupplier nanoTime;
    private final Executor responder;
    private final BooleanSupplier closing;

    Router(Map<String, ModelEndpoint> endpoints, ServerStats stats, InferCodec codec, Optional<byte[]> tokenDigest,
            int bodyLimit, LongSupplier nanoTime, Executor responder, BooleanSupplier closing) {
        this.endpoints = endpoints;
        this.stats = stats;
        this.codec = codec;
        this.tokenDigest = tokenDigest;
        this.bodyLimit = bodyLimit;
        this.nanoTime = nanoTime;
        this.responder = responder;
        this.closing = closing;
    }

    /** Every request. An infer call is answered later, from another thread; so no try-with-resources here. */
    void handle(HttpExchange exchange) {
        long arrived = nanoTime.getAsLong();
        try {
            if (tokenDigest.isPresent() && !authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"juggler serve\"");
                error(exchange, 401, "this server needs its access token: send Authorization: Bearer <token>");
            } else if (tokenDigest.isEmpty() && !loopbackHost(exchange.getRequestHeaders().getFirst("Host"))) {
                error(exchange, 403, "without a token this server answers only requests addressed to 127.0.0.1, "
                        + "[::1] or localhost");
            } else {
                route(exchange, exchange.getRequestURI().getRawPath(), arrived);
            }
        } catch (IOException e) {
            // the client went away mid-answer: nothing to tell it
            exchange.close();
        } catch (RuntimeException | Error e) {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("serve: {} {} failed (ref {})", exchange.getRequestMethod(),
                    ModelEndpoint.clip(exchange.getRequestURI().getRawPath()), ref, e);
            try {
                error(exchange, 500, "internal error (ref " + ref + "; see the server's log)");
            } catch (IOException | RuntimeException late) {
                exchange.close();
            }
        }
    }

    private void route(HttpExchange exchange, String path, long arrived) throws IOException {
        if (path.equals("/metrics")) {
            if (readMethod(exchange)) {
                JdkHttpServers.send(exchange, 200, ServerStats.PROMETHEUS_TYPE, stats.prometheus().getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        String[] s = path.split("/", -1);
        if (s.length < 2 || !s[0].isEmpty() || !s[1].equals("v2")) {
            notFound(exchange, path);
        } else if (s.length == 2) {
            if (readMethod(exchange)) {
                HttpIo.sendJson(exchange, 200, g -> {
                    g.writeStartObject();
                    g.writeStringField("name", SERVER_NAME);
                    g.writeStringField("version", VERSION);
                    g.writeArrayFieldStart("extensions");
                    g.writeString("binary_tensor_data");
                    g.writeString("statistics");
                    g.writeEndArray();
                    g.writeEndObject();
                });
            }
        } else if (s.length == 4 && s[2].equals("health") && (s[3].equals("live") || s[3].equals("ready"))) {
            if (readMethod(exchange)) {
                boolean ok = s[3].equals("live") || !closing.getAsBoolean();
                // the protocol's health answers have no body; Triton says "not ready" with 400
                JdkHttpServers.send(exchange, ok ? 200 : 400, null, new byte[0]);
            }
        } else if (s.length == 4 && s[2].equals("models") && s[3].equals("stats")) {
            if (readMethod(exchange)) {
                List<ServerStats.ModelStats> all = endpoints.values().stream().map(e -> e.stats).toList();
                HttpIo.sendJson(exchange, 200, g -> ServerStats.writeJson(g, all));
            }
        } else if (s.length >= 4 && s[2].equals("models")) {
            routeModel(exchange, s, arrived);
        } else {
            notFound(exchange, path);
        }
    }

    /** {@code /v2/models/{m}[/versions/{v}][/ready|/infer|/stats]}, split at '/' into {@code s}. */
    private void routeModel(HttpExchange exchange, String[] s, long arrived) throws IOException {
        Optional<ModelEndpoint> found = Optional.ofNullable(endpoints.get(s[3]));
        if (found.isEmpty()) {
            error(exchange, 404, "unknown model '" + ModelEndpoint.clip(s[3]) + "'; this server serves "
                    + String.join(", ", endpoints.keySet()));
            return;
        }
        ModelEndpoint m = found.get();
        int at = 4;
        if (s.length > at && s[at].equals("versions")) {
            if (s.length == at + 1 || !s[at + 1].equals(m.version)) {
                error(exchange, 404, "model " + m.name + " has no version '"
                        + (s.length == at + 1 ? "" : ModelEndpoint.clip(s[at + 1])) + "'; it serves version " + m.version);
                return;
            }
            at += 2;
        }
        String action = s.length == at ? "" : s.length == at + 1 ? s[at] : "?";
        switch (action) {
            case "" -> {
                if (readMethod(exchange)) {
                    HttpIo.sendJson(exchange, 200, m::writeMetadata);
                }
            }
            case "ready" -> {
                if (readMethod(exchange)) {
                    JdkHttpServers.send(exchange, closing.getAsBoolean() ? 400 : 200, null, new byte[0]);
                }
            }
            case "stats" -> {
                if (readMethod(exchange)) {
                    HttpIo.sendJson(exchange, 200, g -> ServerStats.writeJson(g, List.of(m.stats)));
                }
            }
            case "infer" -> {
                if (!exchange.getRequestMethod().equals("POST")) {
                    exchange.getResponseHeaders().set("Allow", "POST");
                    error(exchange, 405, exchange.getRequestMethod() + " is not allowed on infer; use POST");
                } else {
                    infer(exchange, m, arrived);
                }
            }
            default -> notFound(exchange, exchange.getRequestURI().getRawPath());
        }
    }

    private void infer(HttpExchange exchange, ModelEndpoint m, long arrived) throws IOException {
        InferRequest request;
        List<Integer> outputs;
        CompletableFuture<Result> done;
        try {
            if (closing.getAsBoolean()) {
                throw new QueueRefusedException("the server is closing; retry on another");
            }
            OptionalInt headerLength = headerLength(exchange);
            byte[] body = HttpIo.readBody(exchange, bodyLimit);
            request = codec.decodeRequest(body, headerLength);
            List<InferTensor> inputs = m.checkInputs(request);
            outputs = m.requestedOutputs(request);
            done = m.batcher.submit(inputs);
        } catch (HttpIo.BodyTooLarge e) {
            m.stats.recordFailure(nanoTime.getAsLong() - arrived);
            // the rest of the body is not read; the connection cannot carry another request
            exchange.getResponseHeaders().set("Connection", "close");
            error(exchange, 413, e.getMessage());
            return;
        } catch (RuntimeException e) {
            fail(exchange, m, e, arrived);
            return;
        }
        InferRequest asked = request;
        done.whenComplete((result, failure) -> {
            Runnable answer = () -> answer(exchange, m, asked, outputs, result, failure, arrived);
            try {
                responder.execute(answer);
            } catch (RejectedExecutionException e) {
                answer.run();
            }
        });
    }

    private void answer(HttpExchange exchange, ModelEndpoint m, InferRequest request, List<Integer> outputs,
            Result result, Throwable failure, long arrived) {
        try {
            if (failure != null) {
                fail(exchange, m, failure, arrived);
                return;
            }
            long start = nanoTime.getAsLong();
            List<InferTensor> selected = outputs.stream().map(i -> result.outputs().get(i)).toList();
            InferCodec.Encoded encoded = codec.encodeResponse(new InferResponse(m.name, Optional.of(m.version),
                    request.id(), Map.of(), selected), request::wantsBinary);
            long encodeNs = nanoTime.getAsLong() - start;
            exchange.getResponseHeaders().set("Content-Type", encoded.contentType());
            if (encoded.headerLength().isPresent()) {
                exchange.getResponseHeaders().set(InferCodec.HEADER_LENGTH,
                        Integer.toString(encoded.headerLength().getAsInt()));
            }
            exchange.sendResponseHeaders(200, encoded.length());
            try (OutputStream out = exchange.getResponseBody()) {
                encoded.writeTo(out);
            }
            exchange.close();
            m.stats.recordSuccess(nanoTime.getAsLong() - arrived, result.timings().plusOutput(encodeNs));
        } catch (IOException e) {
            m.stats.recordFailure(nanoTime.getAsLong() - arrived);
            exchange.close();
        } catch (RuntimeException | Error e) {
            fail(exchange, m, e, arrived);
        }
    }

    /** Answers a failed infer with the status its cause calls for, and counts it. */
    private void fail(HttpExchange exchange, ModelEndpoint m, Throwable failure, long arrived) {
        m.stats.recordFailure(nanoTime.getAsLong() - arrived);
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        int status;
        String message;
        if (e instanceof QueueRefusedException) {
            status = 503;
            message = e.getMessage();
            exchange.getResponseHeaders().set("Retry-After", "1");
        } else if (e instanceof InferenceProtocolException || e instanceof IllegalArgumentException) {
            status = 400;
            message = e.getMessage();
        } else {
            status = 500;
            message = "model " + m.name + " failed: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage());
            LOG.warn("serve: {}", message, e);
        }
        try {
            error(exchange, status, message);
        } catch (IOException | RuntimeException gone) {
            exchange.close();
        }
    }

    /** The {@value InferCodec#HEADER_LENGTH} header; empty when absent (a JSON-only body). */
    private static OptionalInt headerLength(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst(InferCodec.HEADER_LENGTH);
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0 && n <= Integer.MAX_VALUE) {
                return OptionalInt.of((int) n);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InferenceProtocolException(InferCodec.HEADER_LENGTH + " is \"" + ModelEndpoint.clip(value)
                + "\"; it must be the byte length of the JSON part of the body, 0 .. the body's length");
    }

    private boolean authorized(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // digests have one length, so the comparison takes the same time whatever was sent
        return MessageDigest.isEqual(tokenDigest.orElseThrow(), InferenceServer.sha256(header.substring(7).strip()));
    }

    /** Whether a {@code Host} header ({@code name[:port]}) names this machine's loopback interface. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            // no browser omits it; only such a page could abuse a tokenless server
            return true;
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            name = end < 0 ? name : name.substring(1, end);
        } else if (name.indexOf(':') == name.lastIndexOf(':') && name.contains(":")) {
            name = name.substring(0, name.indexOf(':'));
        }
        return name.equals("localhost") || name.endsWith(".localhost") || name.equals("::1")
                || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /** GET and HEAD pass; anything else gets 405. */
    private boolean readMethod(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        error(exchange, 405, method + " is not allowed here; use GET");
        return false;
    }

    private void notFound(HttpExchange exchange, String path) throws IOException {
        error(exchange, 404, "no such path: " + ModelEndpoint.clip(path) + " (this server speaks the v2 protocol "
                + "under /v2, and /metrics)");
    }

    private void error(HttpExchange exchange, int status, String message) throws IOException {
        HttpIo.sendError(exchange, status, codec.encodeError(message));
    }
}
