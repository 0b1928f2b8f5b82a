package dev.juggler.inference.remote.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.InferRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;

/** A small HTTP/1.1 client of one test server, plus raw socket requests for what HttpClient will not send. */
final class TestHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final InferCodec CODEC = new InferCodec();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final int port;
    private final String token;

    TestHttp(InferenceServer server) {
        this(server, null);
    }

    TestHttp(InferenceServer server, String token) {
        this.base = server.url();
        this.port = server.port();
        this.token = token;
    }

    HttpResponse<byte[]> get(String path) {
        return send(builder(path).GET());
    }

    HttpResponse<byte[]> method(String method, String path) {
        return send(builder(path).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<byte[]> post(String path, byte[] body, OptionalInt headerLength) {
        HttpRequest.Builder b = builder(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headerLength.isPresent()) {
            b.header(InferCodec.HEADER_LENGTH, Integer.toString(headerLength.getAsInt()));
            b.header("Content-Type", InferCodec.BINARY);
        } else {
            b.header("Content-Type", InferCodec.JSON);
        }
        return send(b);
    }

    HttpResponse<byte[]> post(String path, String json) {
        return post(path, json.getBytes(StandardCharsets.UTF_8), OptionalInt.empty());
    }

    /** Posts {@code request} as the codec encodes it, with binary inputs if {@code binary}. */
    HttpResponse<byte[]> infer(String model, InferRequest request, boolean binary) {
        InferCodec.Encoded e = CODEC.encodeRequest(request, binary);
        return post("/v2/models/" + model + "/infer", e.body(), e.headerLength());
    }

    HttpResponse<byte[]> send(HttpRequest.Builder b) {
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /**
     * Sends {@code head} (request line and headers, without the blank line) and {@code body} over a fresh
     * socket, then reads the answer until the server closes or a complete response has arrived.
     */
    RawResponse raw(String head, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                RawResponse r = RawResponse.parse(got.toByteArray());
                if (r != null) {
                    return r;
                }
            }
            RawResponse r = RawResponse.parse(got.toByteArray());
            if (r == null) {
                throw new IOException("incomplete answer: " + got.toString(StandardCharsets.ISO_8859_1));
            }
            return r;
        }
    }

    /** A raw answer: status, headers as text, body. */
    record RawResponse(int status, String headers, String body) {
        static RawResponse parse(byte[] bytes) {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return null;
            }
            String headers = text.substring(0, end);
            String body = text.substring(end + 4);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(headers);
            if (m.find() && body.length() < Integer.parseInt(m.group(1))) {
                return null;
            }
            return new RawResponse(Integer.parseInt(headers.substring(9, 12)), headers, body);
        }
    }

    static JsonNode json(HttpResponse<byte[]> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + new String(r.body(), StandardCharsets.UTF_8), e);
        }
    }

    static String error(HttpResponse<byte[]> r) {
        return CODEC.decodeError(r.body()).orElseThrow(() -> new AssertionError("no {\"error\":...} in "
                + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8)));
    }
}
