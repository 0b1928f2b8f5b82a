package dev.juggler.samples.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.inference.remote.server.JdkHttpServers;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.Escape;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console: the status panel, the table views, track details, failure groups with re-scheduling and
 * the throughput chart, as pages that are clients of a JSON API under {@code /api/v1/}, served by the JDK's
 * HTTP server over any {@link WorkLedger} (only its interfaces are used, so a host can embed the console).
 *
 * <p>Security, enforced here rather than in the pages: it binds {@code 127.0.0.1} unless told otherwise, and
 * refuses ({@link ConsoleBindRefusedException}) to bind any address other machines can reach without an access
 * token; with a token every request needs it as a bearer header or the session cookie of the login form; a
 * read-only console answers every write with 403; every write needs the anti-CSRF header; every answer
 * carries a strict Content-Security-Policy. The token never appears in logs, pages or {@link #toString()}.
 *
 * <p>Threads: a small bounded pool answers requests (named {@code juggler-console-N}); one scheduler
 * thread feeds the Server-Sent Events. Both are created by {@link Builder#start()} and ended by
 * {@link #close()}, which is idempotent and does not close the ledger. Thread-safe.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);

    /** Default bind address: this machine only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port. */
    public static final int DEFAULT_PORT = 7070;
    /** Default cap on concurrent Server-Sent-Events clients. */
    public static final int DEFAULT_SSE_CLIENT_CAP = 32;
    /** Default interval of the live status. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(5);
    /** Default interval of the SSE heartbeat comment. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);
    /** Default request threads. */
    public static final int DEFAULT_THREADS = 4;

    static {
        JdkHttpServers.applyDefaults();
    }

    private final HttpServer server;
    private final ThreadPoolExecutor requests;
    private final ScheduledExecutorService scheduler;
    private final SseHub sse;
    private final HttpSecurity security;
    private final WebPages pages;
    private final ApiRoutes api;
    private final boolean readOnly;
    private final AtomicInteger closed = new AtomicInteger();

    private ConsoleServer(Builder b, InetSocketAddress bindAddress) {
        this.readOnly = b.readOnly;
        this.security = new HttpSecurity(b.token, b.clock);
        this.pages = new WebPages(security.csrfValue(), b.readOnly);
        AtomicInteger threadNumber = new AtomicInteger();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "juggler-console-events"));
        // When the queue is full the server's dispatcher thread answers the request itself: that slows down accepting
        // new requests (back-pressure) instead of dropping a connection without an answer.
        this.requests = new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                r -> daemon(r, "juggler-console-" + threadNumber.incrementAndGet()), new ThreadPoolExecutor.CallerRunsPolicy());
        this.requests.allowCoreThreadTimeOut(true);
        ApiRoutes.Status status = new ApiRoutes.Status(b.ledger.reader(), b.clock, b.refreshInterval);
        this.sse = new SseHub(b.sseClientCap, b.refreshInterval, b.heartbeatInterval, status::json, scheduler, b.clock);
        this.api = new ApiRoutes(b.ledger, b.clock, b.readOnly, security, sse, status);
        try {
            this.server = HttpServer.create(bindAddress, 64);
        } catch (IOException e) {
            shutDownThreads();
            throw JugglerException.permanentFailure("console: cannot listen on " + bindAddress.getHostString() + ":" + bindAddress.getPort()
                    + ": " + e.getMessage() + " (is another console running? choose another port)", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(requests);
        server.start();
        LOG.info("console: listening on {} ({}{})", url(), readOnly ? "read-only" : "read-write",
                security.tokenRequired() ? ", token required" : "");
    }

    /** A builder for a console over {@code ledger}. */
    public static Builder builder(WorkLedger ledger) {
        return new Builder().ledger(ledger);
    }

    /** A builder whose ledger is given later (to check the other settings first). */
    public static Builder builder() {
        return new Builder();
    }

    /** The address it listens on (with the real port when it was started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The console's URL, e.g. {@code http://127.0.0.1:7070/}. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
    }

    /** Whether writes are refused. */
    public boolean readOnly() {
        return readOnly;
    }

    /** Connected live-panel clients. */
    public int eventClients() {
        return sse.clients();
    }

    /**
     * Every request. Each answer closes its exchange itself, except the event stream, which stays open after
     * this returns; so no try-with-resources here.
     */
    private void handle(HttpExchange exchange) {
        try {
            HttpSecurity.applyHeaders(exchange);
            String path = exchange.getRequestURI().getPath();
            if (!security.tokenRequired() && !HttpSecurity.loopbackHost(HttpExchanges.header(exchange, "Host"))) {
                // Without a token only loopback is bound, but a web page can rebind its own host name to 127.0.0.1
                // and read us as "same origin"; the Host header it sends still names that other host.
                HttpExchanges.error(exchange, 403, "this console answers only requests addressed to 127.0.0.1 or localhost");
                return;
            }
            if (path.startsWith("/assets/")) {
                if (!HttpExchanges.readMethod(exchange)) {
                    return;
                }
                pages.asset(exchange, path);
            } else if (path.equals("/login")) {
                WebLogin.handle(exchange, security, pages);
            } else if (!security.authenticated(exchange)) {
                refuse(exchange, path);
            } else if (path.startsWith("/api/")) {
                api.handle(exchange, path);
            } else if (WebPages.isPage(path)) {
                if (HttpExchanges.readMethod(exchange)) {
                    HttpExchanges.send(exchange, 200, "text/html; charset=utf-8", pages.page(path).orElseThrow());
                }
            } else {
                HttpExchanges.error(exchange, 404, "no such page");
            }
        } catch (HttpExchanges.BodyTooLarge e) {
            try {
                HttpExchanges.error(exchange, 413, e.getMessage());
            } catch (IOException | RuntimeException gone) {
                exchange.close();
            }
        } catch (IOException e) {
            // The client went away mid-answer: nothing to tell it.
            exchange.close();
            LOG.debug("console: {} {}: {}", exchange.getRequestMethod(), Escape.visible(exchange.getRequestURI().getPath()),
                    e.toString());
        } catch (RuntimeException | Error e) {
            // A reference ties the log entry to the answer, which carries no stack trace.
            String ref = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("console: {} {} failed (ref {})", exchange.getRequestMethod(),
                    Escape.visible(exchange.getRequestURI().getPath()), ref, e);
            try {
                HttpExchanges.error(exchange, 500, "internal error (ref " + ref + "; see the console's log)");
            } catch (IOException | RuntimeException late) {
                // The answer had already begun; the client sees a cut-off response.
                exchange.close();
            }
        }
    }

    /** Unauthenticated: an API client gets 401, a browser the login form. */
    private void refuse(HttpExchange exchange, String path) throws IOException {
        if (path.startsWith("/api/")) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"juggler console\"");
            HttpExchanges.error(exchange, 401, "this console needs its access token: send Authorization: Bearer <token>, "
                    + "or log in at /login");
        } else {
            String query = exchange.getRequestURI().getRawQuery();
            String next = path + (query == null ? "" : "?" + query);
            HttpExchanges.redirect(exchange, "/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops listening, ends the event streams and the threads; idempotent. Does not close the ledger. */
    @Override
    public void close() {
        if (closed.getAndIncrement() > 0) {
            return;
        }
        // The event streams end properly first (browsers see a clean end), but a client that stopped reading
        // could block that write: after 2 s stopping the server closes every connection, which frees it.
        Thread ending = new Thread(sse::close, "juggler-console-close");
        ending.setDaemon(true);
        ending.start();
        try {
            ending.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop(0);
        shutDownThreads();
        LOG.info("console: stopped");
    }

    private void shutDownThreads() {
        scheduler.shutdownNow();
        requests.shutdownNow();
    }

    @Override
    public String toString() {
        return "ConsoleServer[" + (closed.get() > 0 ? "closed" : url()) + (readOnly ? ", read-only" : "")
                + (security.tokenRequired() ? ", token=***" : "") + "]";
    }

    /**
     * Checks and holds the console's settings; {@link #start()} binds. Not thread-safe; use from one thread.
     */
    public static final class Builder {
        private WorkLedger ledger;
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private boolean readOnly;
        private Optional<String> token = Optional.empty();
        private int sseClientCap = DEFAULT_SSE_CLIENT_CAP;
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private int threads = DEFAULT_THREADS;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The ledger to show; required. The console reads it and re-schedules through it, and never closes it. */
        public Builder ledger(WorkLedger value) {
            this.ledger = InvalidConfigException.required(value, "ledger");
            return this;
        }

        /** The address to bind, default {@value #DEFAULT_HOST}: a name or an IP literal (IPv6 with or without brackets). */
        public Builder host(String value) {
            if (value == null || value.isBlank()) {
                throw InvalidConfigException.of("console host", value, "give an address such as 127.0.0.1");
            }
            this.host = value.trim().replaceAll("^\\[(.*)]$", "$1");
            return this;
        }

        /** The port, default {@value #DEFAULT_PORT}; 0 picks a free one ({@link #address()} tells which). */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw InvalidConfigException.of("console port", value, "must be in 0..65535 (0 = any free port)");
            }
            this.port = value;
            return this;
        }

        /** {@code HOST:PORT}, e.g. {@code 127.0.0.1:7070} or {@code [::1]:7070}. */
        public Builder bind(String hostPort) {
            int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
            if (colon <= 0) {
                throw InvalidConfigException.of("console bind", hostPort, "write HOST:PORT, e.g. 127.0.0.1:7070");
            }
            int p;
            try {
                p = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw InvalidConfigException.of("console bind", hostPort, "the port must be a number, e.g. 127.0.0.1:7070");
            }
            return host(hostPort.substring(0, colon)).port(p);
        }

        /** Refuse every write (re-scheduling) with 403; default {@code false}. */
        public Builder readOnly(boolean value) {
            this.readOnly = value;
            return this;
        }

        /** The access token every request must carry; at least 12 characters. Never shown anywhere. */
        public Builder token(String value) {
            if (value == null || value.strip().length() < 12) {
                throw new InvalidConfigException("console token: must be at least 12 characters (the value is not shown)");
            }
            this.token = Optional.of(value.strip());
            return this;
        }

        /** Concurrent live-panel clients at most, default {@value #DEFAULT_SSE_CLIENT_CAP}; more get 503 and poll. */
        public Builder sseClientCap(int value) {
            if (value < 1 || value > 1024) {
                throw InvalidConfigException.of("console sseClientCap", value, "must be in 1..1024");
            }
            this.sseClientCap = value;
            return this;
        }

        /** How often the live panel gets the status, default 5 s; 100 ms .. 1 h. */
        public Builder refreshInterval(Duration value) {
            this.refreshInterval = between("console refreshInterval", value, Duration.ofMillis(100), Duration.ofHours(1));
            return this;
        }

        /** How often an idle event stream gets a heartbeat comment, default 15 s; 100 ms .. 1 h. */
        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = between("console heartbeatInterval", value, Duration.ofMillis(100), Duration.ofHours(1));
            return this;
        }

        /** Request threads, default {@value #DEFAULT_THREADS}; 1..32. */
        public Builder threads(int value) {
            if (value < 1 || value > 32) {
                throw InvalidConfigException.of("console threads", value, "must be in 1..32");
            }
            this.threads = value;
            return this;
        }

        /** The clock of time filters, sessions and the throughput window; default UTC system clock. */
        public Builder clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws ConsoleBindRefusedException for an address other machines can reach without a token
         * @throws JugglerException when the address cannot be bound
         */
        public ConsoleServer start() {
            if (ledger == null) {
                throw new InvalidConfigException("console ledger: not set; give the builder a ledger");
            }
            InetAddress address;
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw InvalidConfigException.of("console host", host, "is not a known host name or address");
            }
            if (!address.isLoopbackAddress() && token.isEmpty()) {
                throw new ConsoleBindRefusedException(host + ":" + port);
            }
            return new ConsoleServer(this, new InetSocketAddress(address, port));
        }

        private static Duration between(String field, Duration value, Duration min, Duration max) {
            InvalidConfigException.requirePositive(field, value);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw InvalidConfigException.of(field, value, "must be between " + min + " and " + max);
            }
            return value;
        }

        @Override
        public String toString() {
            return "ConsoleServer.Builder[" + host + ":" + port + (readOnly ? ", read-only" : "")
                    + (token.isPresent() ? ", token=***" : "") + "]";
        }
    }
}
