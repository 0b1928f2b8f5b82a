package dev.juggler.samples.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Server-Sent Events of the status panel: a {@code status} event with the snapshot every refresh
 * interval and right after a change made through the console, and a {@code : heartbeat} comment every
 * heartbeat interval so that proxies and browsers keep an idle stream open. At most {@code cap} clients;
 * the handler answers 503 to the next one and its page polls instead.
 *
 * <p>A client costs no thread while idle: its exchange stays open after the handler returns. The snapshot is read
 * once per push for all clients (on the scheduler thread), and not at all while nobody listens; each client's
 * write runs on a pool thread, one at a time per client, so events to one client never interleave and a client
 * that stopped reading (a laptop gone to sleep with a full socket buffer) holds up only itself: while its write
 * hangs, newer status events replace the one waiting for it, and once it has hung for three refresh intervals
 * (at least {@link #MIN_STUCK}) the client is dropped. A client whose write fails (it went away) is dropped.
 * Thread-safe.
 */
final class SseHub implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SseHub.class);

    private final int cap;
    private final Clock clock;
    private final Duration stuckAfter;
    private final Supplier<String> statusJson;
    private final ScheduledExecutorService scheduler;
    /** The least time a write may hang before its client is dropped (longer with a slow refresh: three refreshes). */
    static final Duration MIN_STUCK = Duration.ofSeconds(30);

    /** One stream: the message waiting to be written, whether a write is under way, and since when. */
    private record Client(HttpExchange exchange, AtomicReference<String> pending, AtomicBoolean writing,
            AtomicReference<Instant> writingSince) {
    }

    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final ExecutorService writers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "juggler-console-events-write");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledFuture<?> refresh;
    private final ScheduledFuture<?> heartbeat;
    private volatile boolean closed;

    /**
     * @param statusJson reads the snapshot as one line of JSON (called on the scheduler thread)
     * @param scheduler a single-threaded scheduler owned by the caller
     */
    SseHub(int cap, Duration refreshInterval, Duration heartbeatInterval, Supplier<String> statusJson,
            ScheduledExecutorService scheduler, Clock clock) {
        this.cap = cap;
        this.clock = clock;
        Duration threeRefreshes = refreshInterval.multipliedBy(3);
        this.stuckAfter = threeRefreshes.compareTo(MIN_STUCK) > 0 ? threeRefreshes : MIN_STUCK;
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
            Client client = new Client(exchange, new AtomicReference<>(), new AtomicBoolean(), new AtomicReference<>());
            clients.add(client);
            scheduler.execute(() -> {
                String json = readStatus();
                send(client, "retry: 5000\n\n" + (json == null ? "" : event(json)));
            });
        }
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
        for (Client client : clients) {
            send(client, message);
        }
    }

    /**
     * Hands a message to a client's writer. Status events coalesce: one not yet written is replaced by the newer,
     * which says all it said. A heartbeat is only sent when nothing else waits (any write keeps the stream open).
     * A client whose write has hung for {@link #stuckAfter} is dropped.
     */
    private void send(Client client, String message) {
        if (message.startsWith(":")) {
            client.pending().compareAndSet(null, message);
        } else {
            client.pending().set(message);
        }
        if (client.writing().compareAndSet(false, true)) {
            try {
                writers.execute(() -> drain(client));
            } catch (RejectedExecutionException closing) {
                client.writing().set(false);
            }
        } else {
            Instant since = client.writingSince().get();
            if (since != null && Duration.between(since, clock.instant()).compareTo(stuckAfter) >= 0) {
                LOG.info("console: dropped an event stream that stopped reading {} ago", Duration.between(since, clock.instant()));
                drop(client);
            }
        }
    }

    /** Writes what waits for a client until nothing does; one drain per client at a time. */
    private void drain(Client client) {
        while (true) {
            String message = client.pending().getAndSet(null);
            if (message == null) {
                client.writing().set(false);
                // A message handed over between the read above and the flag would wait for the next one: take it now.
                if (client.pending().get() == null || !client.writing().compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            client.writingSince().set(clock.instant());
            try {
                OutputStream out = client.exchange().getResponseBody();
                out.write(message.getBytes(StandardCharsets.UTF_8));
                out.flush();
                client.writingSince().set(null);
            } catch (IOException | RuntimeException gone) {
                client.writing().set(false);
                drop(client);
                return;
            }
        }
    }

    private void drop(Client client) {
        if (clients.remove(client)) {
            // Closing ends the chunked stream, a write that can hang like any other: off the caller's thread.
            try {
                writers.execute(() -> client.exchange().close());
            } catch (RejectedExecutionException closing) {
                client.exchange().close();
            }
        }
    }

    /** Stops the timers and ends every stream, waiting up to 1.5 s for their last writes; idempotent. */
    @Override
    public void close() {
        synchronized (clients) {
            closed = true;
        }
        refresh.cancel(false);
        heartbeat.cancel(false);
        for (Client client : clients) {
            drop(client);
        }
        writers.shutdown();
        try {
            // The streams' last chunks are written by the writers: give them a moment (a hung one is cut by the
            // server's stop, which follows).
            writers.awaitTermination(1500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
