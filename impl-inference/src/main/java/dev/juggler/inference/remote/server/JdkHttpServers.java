package dev.juggler.inference.remote.server;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/**
 * What every server built on the JDK's {@code com.sun.net.httpserver} here needs: its JVM-wide settings and
 * the one way to answer with a whole body. Shared by the inference server and the operator console.
 *
 * <p>Stateless; thread-safe.
 */
public final class JdkHttpServers {

    private JdkHttpServers() {
    }

    /**
     * Sets the JDK server's defaults, unless the host set them: they are JVM-wide system properties, read once.
     * Without TCP_NODELAY every small answer waits ~40 ms for the client's delayed ACK (headers and body are two
     * writes), which would swamp a 2 ms batching delay; without a request time limit a client that sends half a
     * request holds a thread forever. Call it before the first server is created.
     */
    public static void applyDefaults() {
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("sun.net.httpserver.maxReqTime", "30");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * Answers with a complete body of {@code contentType} (none if {@code null}) and closes the exchange; a HEAD
     * request gets the headers only, announcing no length rather than a wrong one.
     */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
