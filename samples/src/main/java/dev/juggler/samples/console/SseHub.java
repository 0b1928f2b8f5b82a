package dev.juggler.samples.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Server-Sent Events of the status panel: a {@code status} event with the snapshot every refresh
 * interval and right after a change made through the console, and a {@code : heartbeat} comment every
 * heartbeat interval so that proxies and browsers keep an idle stream open. At most {@code cap} clients;
 * the handler answers 503 to the next one and its page polls instead.
 *
 * <p>A client costs no thread: its exchange stays open after the handler returns and only the single
 * scheduler thread writes to it, so events to one client never interleave. The snapshot is read once per
 * push for all clients, and not at all while nobody listens. A client whose write fails (it went away)
 * is dropped. Thread-safe.
 */
final class SseHub implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SseHub.class);

    private final int cap;
    private final Supplier<String> statusJson;
    private final ScheduledExecutorService scheduler;
    private final Set<HttpExchange> clients = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> refresh;
    private final ScheduledFuture<?> heartbeat;
    private volatile boolean closed;

    /**
     * @param statusJson reads the snapshot as one line of JSON (called on the scheduler thread)
     * @param scheduler a single-threaded scheduler owned by the caller
     */
    SseHub(int cap, Duration refreshInterval, Duration heartbeatInterval, Supplier<String> statusJson,
            ScheduledExecutorService scheduler) {
        this.cap = cap;
        this.statusJson = statusJson;
        this.scheduler = scheduler;
        long refreshMs = refreshInterval.toMillis();
        long heartbeatMs = heartbeatInterval.toMillis();
        this.refresh = scheduler.scheduleWithFixedDelay(this::pushStatus, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
        this.heartbeat = scheduler.scheduleAtFixedRate(() -> broadcast(": heartbeat\n\n"), heartbeatMs, heartbeatMs,
                TimeUnit.MILLISECONDS);
    }

    /** How many clients are connected. */
    int clients() {
        return clients.size();
    }

    /**
     * Opens the event stream of a request and sends it the current status at once.
     *
     * @return {@code false} (nothing sent) when {@code cap} clients are already connected
     */
    boolean join(HttpExchange exchange) throws IOException {
        synchronized (clients) {
            if (closed || clients.size() >= cap) {
                return false;
            }
            // Headers first: the scheduler may write to every client in the set as soon as this one is in it.
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
            exchange.sendResponseHeaders(200, 0);
            clients.add(exchange);
        }
        scheduler.execute(() -> {
            String json = readStatus();
            write(exchange, "retry: 5000\n\n" + (json == null ? "" : event(json)));
        });
        return true;
    }

    /** Pushes the status to every client now (after a change made through the console). */
    void pushSoon() {
        if (!closed) {
            scheduler.execute(this::pushStatus);
        }
    }

    private void pushStatus() {
        if (clients.isEmpty()) {
            return;
        }
        String json = readStatus();
        if (json != null) {
            broadcast(event(json));
        }
    }

    private String readStatus() {
        try {
            return statusJson.get();
        } catch (RuntimeException e) {
            // The ledger may be briefly unreachable; the pages keep showing the last status meanwhile.
            LOG.warn("console: cannot read the status for the live panel: {}", e.toString());
            broadcast("event: unavailable\ndata: " + ApiJson.write(Map.of("error", "cannot read the ledger: "
                    + e.getClass().getSimpleName())) + "\n\n");
            return null;
        }
    }

    private static String event(String json) {
        return "event: status\ndata: " + json + "\n\n";
    }

    private void broadcast(String message) {
        for (HttpExchange client : clients) {
            write(client, message);
        }
    }

    private void write(HttpExchange client, String message) {
        try {
            OutputStream out = client.getResponseBody();
            out.write(message.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | RuntimeException gone) {
            drop(client);
        }
    }

    private void drop(HttpExchange client) {
        if (clients.remove(client)) {
            client.close();
        }
    }

    /** Stops the timers and ends every stream; idempotent. */
    @Override
    public void close() {
        synchronized (clients) {
            closed = true;
        }
        refresh.cancel(false);
        heartbeat.cancel(false);
        for (HttpExchange client : clients) {
            drop(client);
        }
    }
}
