package dev.juggler.inference.remote.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Small helpers over the JDK server's {@link HttpExchange}: complete answers, JSON bodies and a request
 * body read within a byte limit. Stateless and thread-safe.
 */
final class HttpIo {

    static final String JSON_TYPE = "application/json";
    private static final JsonFactory JSON = new JsonFactory();

    private HttpIo() {
    }

    /** A request body longer than the server's limit. */
    static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLarge(String message) {
            super(message);
        }
    }

    /** A JSON body written by {@code writer}. */
    interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] json(JsonWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Answers with a JSON body. */
    static void sendJson(HttpExchange exchange, int status, JsonWriter writer) throws IOException {
        JdkHttpServers.send(exchange, status, JSON_TYPE, json(writer));
    }

    /** Answers with {@code errorJson}, the codec's {@code {"error":...}}. */
    static void sendError(HttpExchange exchange, int status, String errorJson) throws IOException {
        JdkHttpServers.send(exchange, status, JSON_TYPE, errorJson.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The request body, read within {@code limit} bytes. A declared Content-Length above the limit is refused
     * before a byte is read; a chunked body as soon as it passes the limit.
     *
     * @throws BodyTooLarge if the body is or would be longer than {@code limit}
     */
    static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        int expected = -1;
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                // the JDK's server refuses such requests itself; this guards a server that does not
                throw new IllegalArgumentException("Content-Length \"" + ModelEndpoint.clip(declared)
                        + "\" is not a number");
            }
            if (length > limit) {
                throw new BodyTooLarge("the request body has " + length + " bytes, more than this server's limit of "
                        + limit + " bytes");
            }
            expected = (int) Math.max(0, length);
        }
        try (InputStream in = exchange.getRequestBody()) {
            if (expected >= 0) {
                byte[] body = in.readNBytes(expected);
                if (body.length < expected) {
                    throw new IllegalArgumentException("the request body ended after " + body.length + " of the "
                            + expected + " bytes its Content-Length announced");
                }
                return body;
            }
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1L)); // grows as bytes come, never allocates the limit up front
            if (body.length > limit) {
                throw new BodyTooLarge("the request body has more than this server's limit of " + limit + " bytes");
            }
            return body;
        }
    }
}
