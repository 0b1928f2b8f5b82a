package dev.juggler.inference.remote.server;

import com.sun.net.httpserver.HttpServer;
import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.ServedModel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link ServedModel}s over the Open Inference Protocol (KServe v2 over HTTP/REST, as Triton speaks
 * it, with Triton's binary tensor data and statistics extensions), on the JDK's HTTP server. A Triton
 * client or any v2 client can call it.
 *
 * <p>Endpoints: {@code GET /v2} (server metadata), {@code GET /v2/health/live} and {@code /ready},
 * {@code GET /v2/models/{m}[/versions/{v}]} (metadata) and {@code .../ready},
 * {@code POST /v2/models/{m}[/versions/{v}]/infer}, {@code GET /v2/models/stats} and
 * {@code /v2/models/{m}[/versions/{v}]/stats} (Triton's statistics), {@code GET /metrics} (Prometheus
 * text). Every error is {@code {"error":"..."}} with a message that says what was wrong: 400 for a request
 * that is not valid for the model, 401 without the token, 404 for an unknown path, model or version, 405
 * for a wrong method, 413 for a body above the limit, 503 when the model's queue is full or the server is
 * closing, 500 when the model fails. A broken request never ends the server.
 *
 * <p>Batching: each model has a {@link DynamicBatcher}; requests queue until {@code maxBatchSize} rows are
 * waiting or the oldest has waited {@code maxQueueDelay}, then run as one model call. A request with more
 * rows than {@code maxBatchSize} is split into several calls and answered as one; one with more rows than
 * {@code maxQueueRows} is refused with 400, and one that does not fit the queue now with 503.
 *
 * <p>Security: it binds {@code 127.0.0.1} unless told otherwise and refuses
 * ({@link InferenceBindRefusedException}) to bind an address other machines can reach without a token.
 * With a token every request needs {@code Authorization: Bearer <token>}, compared in constant time;
 * without one only requests addressed to a loopback host name are answered (a web page that rebinds its
 * own name to 127.0.0.1 still sends that name). The token never appears in logs, answers or
 * {@link #toString()}.
 *
 * <p>Threads: a bounded pool answers requests ({@code juggler-serve-http-N}); each model has its own
 * executor threads ({@code juggler-serve-<model>-N}). {@link #close()} stops them, is idempotent, and does
 * not close the models, which the caller owns. Thread-safe.
 */
public final class InferenceServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceServer.class);

    /** Default bind address: this machine only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port, Triton's HTTP port. */
    public static final int DEFAULT_PORT = 8000;
    /** Default time the oldest queued request waits for a batch to fill. */
    public static final Duration DEFAULT_MAX_QUEUE_DELAY = Duration.ofMillis(2);
    /** Default queue bound, as a multiple of the batch size. */
    public static final int DEFAULT_QUEUE_BATCHES = 64;
    /** Default largest request body: 64 MiB. */
    public static final int DEFAULT_BODY_LIMIT = 64 << 20;
    /** Default request threads. */
    public static final int DEFAULT_THREADS = 16;
    /** Default executor threads per model. */
    public static final int DEFAULT_MODEL_THREADS = 1;
    /** How long {@link #close()} lets queued requests finish. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    static {
        JdkHttpServers.applyDefaults();
    }

    private final HttpServer server;
    private final ThreadPoolExecutor requests;
    private final Map<String, ModelEndpoint> endpoints;
    private final ServerStats stats = new ServerStats();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean tokenRequired;

    private InferenceServer(Builder b, InetSocketAddress bindAddress) {
        this.tokenRequired = b.token.isPresent();
        AtomicInteger threadNumber = new AtomicInteger();
        // When the queue is full the server's dispatcher thread answers the request itself: that slows down
        // accepting (back-pressure) instead of dropping a connection without an answer.
        this.requests = new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                r -> daemon(r, "juggler-serve-http-" + threadNumber.incrementAndGet()),
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.requests.allowCoreThreadTimeOut(true);
        Map<String, ModelEndpoint> byName = new LinkedHashMap<>();
        for (ServedModel m : b.models) {
            int batch = b.maxBatchSize.orElse(m.maxBatchSize());
            int queueRows = b.maxQueueRows.orElse(DEFAULT_QUEUE_BATCHES * batch);
            byName.put(m.name(), new ModelEndpoint(m, stats.add(m.name(), m.version()),
                    e -> new DynamicBatcher(m, batch, b.maxQueueDelay.toNanos(), queueRows, b.modelThreads,
                            b.nanoTime, e.stats)));
        }
        this.endpoints = java.util.Collections.unmodifiableMap(byName);
        Router router = new Router(endpoints, stats, new InferCodec(),
                b.token.map(InferenceServer::sha256), b.bodyLimit, b.nanoTime, requests, closed::get);
        try {
            this.server = HttpServer.create(bindAddress, 128);
        } catch (IOException e) {
            byName.values().forEach(m -> m.batcher.close(0));
            shutDownThreads();
            throw JugglerException.permanentFailure("inference server: cannot listen on " + bindAddress.getHostString()
                    + ":" + bindAddress.getPort() + ": " + e.getMessage() + " (is another server running? choose "
                    + "another port)", e);
        }
        server.createContext("/", router::handle);
        server.setExecutor(requests);
        server.start();
        LOG.info("serve: listening on {} with models {}{}", url(), byName.keySet(),
                tokenRequired ? ", token required" : "");
    }

    /** A builder; give it at least one model. */
    public static Builder builder() {
        return new Builder();
    }

    /** The address it listens on, with the real port when it was started on port 0. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The port it listens on: the one chosen when it was started on port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The server's base URL, e.g. {@code http://127.0.0.1:8000}; the v2 paths follow it. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The names of the models served, in the order given. */
    public List<String> modelNames() {
        return List.copyOf(endpoints.keySet());
    }

    /**
     * Stops taking requests (ready turns false, new infers get 503), lets queued requests finish for up to
     * 5 s, then stops listening and ends every thread. Idempotent; the models stay
     * open.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long grace = CLOSE_GRACE.toNanos();
        for (ModelEndpoint e : endpoints.values()) {
            e.batcher.close(grace);
        }
        // answers of finished batches are still being written; give them a moment before the sockets close
        server.stop(1);
        shutDownThreads();
        LOG.info("serve: stopped");
    }

    private void shutDownThreads() {
        requests.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "InferenceServer[" + (closed.get() ? "closed" : url()) + ", models=" + modelNames()
                + (tokenRequired ? ", token=***" : "") + "]";
    }

    /**
     * Checks and holds the server's settings; {@link #start()} binds. Not thread-safe; use from one thread.
     */
    public static final class Builder {
        private final List<ServedModel> models = new ArrayList<>();
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private Optional<String> token = Optional.empty();
        private Optional<Integer> maxBatchSize = Optional.empty();
        private Duration maxQueueDelay = DEFAULT_MAX_QUEUE_DELAY;
        private Optional<Integer> maxQueueRows = Optional.empty();
        private int bodyLimit = DEFAULT_BODY_LIMIT;
        private int threads = DEFAULT_THREADS;
        private int modelThreads = DEFAULT_MODEL_THREADS;
        private LongSupplier nanoTime = System::nanoTime;

        private Builder() {
        }

        /** Adds a model to serve; its name must be unique. The server never closes it. */
        public Builder model(ServedModel value) {
            models.add(InvalidConfigException.required(value, "model"));
            return this;
        }

        /** Adds models to serve. */
        public Builder models(List<? extends ServedModel> values) {
            InvalidConfigException.required(values, "models").forEach(this::model);
            return this;
        }

        /** The address to bind, default {@value #DEFAULT_HOST}: a name or an IP literal (IPv6 with or without brackets). */
        public Builder host(String value) {
            this.host = InvalidConfigException.requireNotBlank("inference server host", value).trim()
                    .replaceAll("^\\[(.*)]$", "$1");
            return this;
        }

        /** The port, default {@value #DEFAULT_PORT}; 0 picks a free one ({@link #port()} tells which). */
        public Builder port(int value) {
            this.port = InvalidConfigException.requireInRange("inference server port", value, 0, 65535);
            return this;
        }

        /** {@code HOST:PORT}, e.g. {@code 127.0.0.1:8000} or {@code [::1]:8000}. */
        public Builder bind(String hostPort) {
            int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
            if (colon <= 0) {
                throw InvalidConfigException.of("inference server bind", hostPort, "write HOST:PORT, e.g. 127.0.0.1:8000");
            }
            try {
                port(Integer.parseInt(hostPort.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw InvalidConfigException.of("inference server bind", hostPort,
                        "the port must be a number, e.g. 127.0.0.1:8000");
            }
            return host(hostPort.substring(0, colon));
        }

        /** The access token every request must carry as {@code Authorization: Bearer}; at least 12 characters. */
        public Builder token(String value) {
            if (value == null || value.strip().length() < 12) {
                throw new InvalidConfigException("inference server token: must be at least 12 characters (the value "
                        + "is not shown)");
            }
            this.token = Optional.of(value.strip());
            return this;
        }

        /** Rows per model run, for every model; default each model's own; at most each model's own. */
        public Builder maxBatchSize(int value) {
            this.maxBatchSize = Optional.of(InvalidConfigException.requireInRange("inference server maxBatchSize",
                    value, 1, 1 << 20));
            return this;
        }

        /** How long the oldest queued request waits for a batch to fill, default 2 ms; 0 .. 10 s (0: never waits). */
        public Builder maxQueueDelay(Duration value) {
            InvalidConfigException.requireNonNegative("inference server maxQueueDelay", value);
            if (value.compareTo(Duration.ofSeconds(10)) > 0) {
                throw InvalidConfigException.of("inference server maxQueueDelay", value, "must be at most PT10S");
            }
            this.maxQueueDelay = value;
            return this;
        }

        /** Rows that may wait per model, default {@value #DEFAULT_QUEUE_BATCHES} × the batch size; at least one batch. */
        public Builder maxQueueRows(int value) {
            this.maxQueueRows = Optional.of(InvalidConfigException.requireInRange("inference server maxQueueRows",
                    value, 1, 1 << 24));
            return this;
        }

        /** The largest request body in bytes, default 64 MiB; 1 KiB .. 1 GiB. */
        public Builder bodyLimit(int bytes) {
            this.bodyLimit = InvalidConfigException.requireInRange("inference server bodyLimit", bytes, 1024, 1 << 30);
            return this;
        }

        /** Threads that read requests and write answers, default {@value #DEFAULT_THREADS}; 1..256. */
        public Builder threads(int value) {
            this.threads = InvalidConfigException.requireInRange("inference server threads", value, 1, 256);
            return this;
        }

        /**
         * Threads that run each model's batches, default {@value #DEFAULT_MODEL_THREADS}; 1..64. More than one
         * helps only a model that runs batches in parallel (several interpreters, a GPU with streams).
         */
        public Builder modelThreads(int value) {
            this.modelThreads = InvalidConfigException.requireInRange("inference server modelThreads", value, 1, 64);
            return this;
        }

        /** The clock of the batching delay and the statistics; default {@link System#nanoTime()}. */
        public Builder nanoTime(LongSupplier value) {
            this.nanoTime = InvalidConfigException.required(value, "nanoTime");
            return this;
        }

        /**
         * Checks the models against the settings, binds and starts serving.
         *
         * @throws InferenceBindRefusedException for an address other machines can reach without a token
         * @throws InvalidConfigException for a model or a setting the server cannot serve with
         * @throws JugglerException when the address cannot be bound
         */
        public InferenceServer start() {
            if (models.isEmpty()) {
                throw new InvalidConfigException("inference server models: none given; add one with model(...)");
            }
            List<String> names = new ArrayList<>();
            for (ServedModel m : models) {
                ModelEndpoint.check(m);
                if (names.contains(m.name())) {
                    throw InvalidConfigException.of("served model name", m.name(), "is given twice; names must differ");
                }
                names.add(m.name());
                int batch = maxBatchSize.orElse(m.maxBatchSize());
                if (batch > m.maxBatchSize()) {
                    throw InvalidConfigException.of("inference server maxBatchSize", batch, "model " + m.name()
                            + " takes at most " + m.maxBatchSize() + " rows per run");
                }
                if (maxQueueRows.isPresent() && maxQueueRows.get() < batch) {
                    throw InvalidConfigException.of("inference server maxQueueRows", maxQueueRows.get(),
                            "must hold at least one batch of model " + m.name() + " (" + batch + " rows)");
                }
            }
            InetAddress address;
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw InvalidConfigException.of("inference server host", host, "is not a known host name or address");
            }
            if (!address.isLoopbackAddress() && token.isEmpty()) {
                throw new InferenceBindRefusedException(host + ":" + port);
            }
            return new InferenceServer(this, new InetSocketAddress(address, port));
        }

        @Override
        public String toString() {
            return "InferenceServer.Builder[" + host + ":" + port + ", models=" + models.stream().map(ServedModel::name)
                    .toList() + (token.isPresent() ? ", token=***" : "") + "]";
        }
    }
}
