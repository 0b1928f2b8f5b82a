package dev.juggler.samples.console;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.juggler.inference.remote.server.JdkHttpServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small helpers over the JDK server's {@link HttpExchange}: answering with JSON, text or an error, reading a
 * bounded body, and decoding a query string. Stateless and thread-safe.
 */
final class HttpExchanges {

    /** The largest request body the console reads (a re-schedule filter or a login form is far smaller). */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private HttpExchanges() {
    }

    /** Answers with a complete JSON body. */
    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", ApiJson.bytes(body));
    }

    /** Answers with the API's error shape {@code {"error": "..."}}; the message never holds a stack trace. */
    static void error(HttpExchange exchange, int status, String message) throws IOException {
        json(exchange, status, Map.of("error", message));
    }

    /** Answers with a complete body of the given type. */
    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        JdkHttpServers.send(exchange, status, contentType, body);
    }

    /** Answers with a redirect to a local path. */
    static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(303, -1);
        exchange.close();
    }

    /** GET and HEAD pass; anything else gets 405. */
    static boolean readMethod(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        HttpExchanges.error(exchange, 405, method + " is not allowed here; use GET");
        return false;
    }

    /**
     * The request body, at most {@link #MAX_BODY_BYTES}.
     *
     * @throws BodyTooLarge if it is longer
     */
    static byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > MAX_BODY_BYTES) {
                    throw new BodyTooLarge();
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    /**
     * Decodes {@code a=1&b=2&b=3} (form or query encoding) into keys with their values in order.
     *
     * @throws IllegalArgumentException for a broken percent escape
     */
    static Map<String, List<String>> decodeForm(String raw) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    /** The request's query parameters; see {@link #decodeForm}. */
    static Map<String, List<String>> query(HttpExchange exchange) {
        return decodeForm(exchange.getRequestURI().getRawQuery());
    }

    /** The first value of a request header, or {@code null}. */
    static String header(HttpExchange exchange, String name) {
        Headers headers = exchange.getRequestHeaders();
        return headers.getFirst(name);
    }

    /** A request body over {@link #MAX_BODY_BYTES}. */
    static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLarge() {
            super("request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
    }
}
