package dev.juggler.inference.remote.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.juggler.InvalidConfigException;
import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import dev.juggler.inference.remote.TensorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One server of one model over the Open Inference Protocol (HTTP/REST): health, metadata, statistics and
 * inference. {@link #connect()} reads the server's extensions (tensors go as binary data when it lists
 * {@code binary_tensor_data}, as JSON otherwise) and the model's metadata, and finds which of the two
 * spellings of a versioned path the server answers.
 *
 * <p>Quirks of other servers it copes with, each seen in their documentation:
 * <ul>
 *   <li>health answers with an empty body (Triton; MindIE's Triton API answers 200 or 503 with no content):
 *       only the status code counts;</li>
 *   <li>a model that is not ready answers 424 or 503: an endpoint failure, retried elsewhere;</li>
 *   <li>servers without the binary extension (KServe's Python server, MLServer): plain JSON tensors;</li>
 *   <li>{@code /versions/{v}} (the protocol's spelling) or {@code /version/{v}}: a versioned model whose
 *       metadata answers 404 under the first is tried under the second; without a version, no version
 *       segment is sent (MindIE does not take one).</li>
 * </ul>
 *
 * <p>Status codes: 200 is success; 400 and 404 on infer are {@linkplain RemoteInferenceException#badInput()
 * bad input}; everything else, timeouts and connection errors are endpoint failures. A response body larger
 * than the configured limit is an endpoint failure, read no further.
 *
 * <p>Thread-safe: calls may run from many threads at once over the shared {@link HttpClient}, which keeps
 * HTTP/1.1 connections alive. The bearer token, if any, is sent and never shown.
 */
public final class OipEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String model;
    private final Optional<String> version;
    private final HttpClient http;
    private final InferCodec codec;
    private final Duration timeout;
    private final Optional<String> token;
    private final int maxResponseBytes;
    private volatile String versionSegment = "versions";
    private volatile boolean binary;
    private volatile ModelMetadata metadata;

    OipEndpoint(URI base, String model, Optional<String> version, HttpClient http, InferCodec codec, Duration timeout,
            Optional<String> token, int maxResponseBytes) {
        this.base = normalise(base);
        this.model = model;
        this.version = version;
        this.http = http;
        this.codec = codec;
        this.timeout = timeout;
        this.token = token;
        this.maxResponseBytes = maxResponseBytes;
    }

    /**
     * The server root of {@code url}: {@code http://host:port} with an optional path prefix, no query, no
     * credentials.
     *
     * @throws InvalidConfigException if it is not an http(s) URL with a host, or has a user, query or fragment
     */
    public static URI normalise(URI url) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || url.getHost() == null) {
            throw InvalidConfigException.of("remote endpoint", url, "write http://HOST:PORT, e.g. http://127.0.0.1:8000");
        }
        if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw InvalidConfigException.of("remote endpoint", url.getScheme() + "://" + url.getHost() + ":" + url.getPort(),
                    "give no user, query or fragment in the URL (a token goes in --remote-token-env)");
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
        if (path.endsWith("/v2")) {
            path = path.substring(0, path.length() - 3);
        }
        return URI.create(scheme.toLowerCase(java.util.Locale.ROOT) + "://" + url.getRawAuthority() + path);
    }

    /** The server's root URL, e.g. {@code http://127.0.0.1:8000}. */
    public URI url() {
        return base;
    }

    /** The model this endpoint calls. */
    public String model() {
        return model;
    }

    /** {@code true} once {@link #connect()} found that the server takes binary tensor data. */
    public boolean binaryTensors() {
        return binary;
    }

    /** The model's metadata as the last {@link #connect()} read it; empty before. */
    public Optional<ModelMetadata> metadata() {
        return Optional.ofNullable(metadata);
    }

    /**
     * Reads the server's extensions and the model's metadata and checks that both are ready.
     *
     * @return the model's metadata
     * @throws RemoteInferenceException (transient) if the server or the model is not reachable or not ready
     */
    public ModelMetadata connect() {
        ServerMetadata server = serverMetadata();
        if (!serverReady()) {
            throw RemoteInferenceException.endpoint(base + ": the server is not ready (/v2/health/ready)", 0, null);
        }
        Answer answer = get(modelPath());
        if (answer.status == 404 && version.isPresent() && versionSegment.equals("versions")) {
            versionSegment = "version";
            Answer other = get(modelPath());
            if (other.status == 200) {
                answer = other;
            } else {
                versionSegment = "versions";
            }
        }
        if (answer.status != 200) {
            throw RemoteInferenceException.endpoint(base + ": model " + model + version.map(v -> " version " + v).orElse("")
                    + " answered " + answer.status + errorText(answer.body), answer.status, null);
        }
        ModelMetadata read = parseModel(answer.body);
        Answer ready = get(modelPath() + "/ready");
        if (ready.status != 200) {
            throw RemoteInferenceException.endpoint(base + ": model " + model + " is not ready (" + ready.status + ")",
                    ready.status, null);
        }
        binary = server.binaryTensors();
        metadata = read;
        return read;
    }

    /** {@code GET /v2}; a body that is not a metadata object gives empty values. */
    public ServerMetadata serverMetadata() {
        Answer answer = get("/v2");
        if (answer.status != 200) {
            throw RemoteInferenceException.endpoint(base + ": /v2 answered " + answer.status + errorText(answer.body),
                    answer.status, null);
        }
        JsonNode root = parse(answer.body);
        Set<String> extensions = new HashSet<>();
        root.path("extensions").forEach(e -> extensions.add(e.asText()));
        return new ServerMetadata(root.path("name").asText(""), root.path("version").asText(""), extensions);
    }

    /** {@code GET /v2/health/ready}, judged by the status code alone; {@code false} if unreachable. */
    public boolean serverReady() {
        try {
            return get("/v2/health/ready").status == 200;
        } catch (RemoteInferenceException e) {
            return false;
        }
    }

    /** {@code GET …/ready} of the model, judged by the status code alone; {@code false} if unreachable. */
    public boolean modelReady() {
        try {
            return get(modelPath() + "/ready").status == 200;
        } catch (RemoteInferenceException e) {
            return false;
        }
    }

    /** The model's statistics, if the server keeps Triton-style ones; empty otherwise or when unreachable. */
    public Optional<ServerModelStats> stats() {
        try {
            Answer answer = get("/v2/models/" + segment(model) + version.map(v -> "/" + versionSegment + "/" + segment(v)).orElse("")
                    + "/stats");
            if (answer.status != 200) {
                return Optional.empty();
            }
            for (JsonNode m : parse(answer.body).path("model_stats")) {
                if (m.path("name").asText().equals(model)) {
                    JsonNode s = m.path("inference_stats");
                    return Optional.of(new ServerModelStats(m.path("inference_count").asLong(), m.path("execution_count").asLong(),
                            s.path("queue").path("ns").asLong(), s.path("compute_input").path("ns").asLong(),
                            s.path("compute_infer").path("ns").asLong(), s.path("compute_output").path("ns").asLong()));
                }
            }
            return Optional.empty();
        } catch (RemoteInferenceException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs one request; its tensors go as binary data when the server takes them.
     *
     * @throws RemoteInferenceException bad input (400, 404) or an endpoint failure (anything else)
     */
    public InferResponse infer(InferRequest request) {
        InferRequest wire = request;
        if (binary && !request.parameters().containsKey(InferRequest.BINARY_DATA_OUTPUT)) {
            Map<String, Object> parameters = new HashMap<>(request.parameters());
            parameters.put(InferRequest.BINARY_DATA_OUTPUT, true);
            wire = new InferRequest(request.id(), parameters, request.inputs(), request.outputs());
        }
        InferCodec.Encoded body = codec.encodeRequest(wire, binary);
        HttpRequest.Builder builder = request(modelPath() + "/infer")
                .header("Content-Type", body.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.body()));
        body.headerLength().ifPresent(n -> builder.header(InferCodec.HEADER_LENGTH, Integer.toString(n)));
        Answer answer = send(builder.build());
        if (answer.status == 400 || answer.status == 404) {
            throw RemoteInferenceException.badInput(base + " refused the request (" + answer.status + ")" + errorText(answer.body),
                    answer.status);
        }
        if (answer.status != 200) {
            throw RemoteInferenceException.endpoint(base + " failed (" + answer.status + ")" + errorText(answer.body),
                    answer.status, null);
        }
        try {
            return codec.decodeResponse(answer.body, answer.headerLength);
        } catch (RuntimeException e) {
            throw RemoteInferenceException.endpoint(base + " sent a response that is not an inference response: "
                    + e.getMessage(), answer.status, e);
        }
    }

    private String modelPath() {
        return "/v2/models/" + segment(model) + version.map(v -> "/" + versionSegment + "/" + segment(v)).orElse("");
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Answer get(String path) {
        return send(request(path).GET().build());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    private record Answer(int status, byte[] body, OptionalInt headerLength) {
    }

    private Answer send(HttpRequest request) {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw RemoteInferenceException.endpoint(base + ": no answer within " + timeout.toMillis() + " ms", 0, e);
        } catch (IOException e) {
            throw RemoteInferenceException.endpoint(base + ": " + describe(e), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RemoteInferenceException.endpoint(base + ": interrupted", 0, e);
        }
        try (InputStream in = response.body()) {
            byte[] body = readLimited(in, response.headers().firstValueAsLong("Content-Length").orElse(-1));
            return new Answer(response.statusCode(), body, headerLength(response));
        } catch (IOException e) {
            throw RemoteInferenceException.endpoint(base + ": the answer broke off: " + describe(e), response.statusCode(), e);
        }
    }

    private byte[] readLimited(InputStream in, long announced) throws IOException {
        if (announced > maxResponseBytes) {
            throw new IOException("the answer is " + announced + " bytes, more than the limit of " + maxResponseBytes);
        }
        byte[] body = in.readNBytes(maxResponseBytes);
        if (body.length == maxResponseBytes && in.read() >= 0) {
            throw new IOException("the answer is longer than the limit of " + maxResponseBytes + " bytes");
        }
        return body;
    }

    private OptionalInt headerLength(HttpResponse<?> response) throws IOException {
        Optional<String> value = response.headers().firstValue(InferCodec.HEADER_LENGTH);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.get().strip()));
        } catch (NumberFormatException e) {
            throw new IOException(InferCodec.HEADER_LENGTH + " is not a number: " + abbreviate(value.get()));
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + abbreviate(message));
    }

    private String errorText(byte[] body) {
        return codec.decodeError(body).map(m -> ": " + abbreviate(m))
                .orElse(body.length == 0 ? "" : ": " + abbreviate(new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8)));
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("[\\p{Cntrl}]", " ");
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "…";
    }

    private JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw RemoteInferenceException.endpoint(base + ": the answer is not JSON: " + abbreviate(String.valueOf(e.getMessage())), 200, e);
        }
    }

    private ModelMetadata parseModel(byte[] body) {
        JsonNode root = parse(body);
        List<String> versions = new ArrayList<>();
        root.path("versions").forEach(v -> versions.add(v.asText()));
        try {
            return new ModelMetadata(root.path("name").asText(model), versions, root.path("platform").asText(""),
                    specs(root.path("inputs")), specs(root.path("outputs")));
        } catch (RuntimeException e) {
            throw RemoteInferenceException.endpoint(base + ": the metadata of model " + model + " cannot be read: "
                    + e.getMessage(), 200, e);
        }
    }

    private static List<TensorSpec> specs(JsonNode tensors) {
        List<TensorSpec> specs = new ArrayList<>();
        for (JsonNode t : tensors) {
            JsonNode shapeNode = t.path("shape");
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong();
            }
            specs.add(new TensorSpec(t.path("name").asText(), Datatype.fromWireName(t.path("datatype").asText()), shape));
        }
        return specs;
    }

    @Override
    public String toString() {
        return "OipEndpoint[" + base + ", model " + model + version.map(v -> " v" + v).orElse("")
                + (binary ? ", binary" : ", json") + (token.isPresent() ? ", token=***" : "") + "]";
    }

    /** Compares by URL and model. */
    @Override
    public boolean equals(Object o) {
        return o instanceof OipEndpoint e && base.equals(e.base) && model.equals(e.model) && version.equals(e.version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, model, version);
    }
}
