package dev.juggler.inference.remote.client;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.accel.InputRejectedException;
import dev.juggler.accel.StageTimed;
import dev.juggler.inference.remote.InferCodec;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Accelerator} whose model runs on inference servers that speak the Open Inference Protocol
 * ({@code juggler serve}, Triton, KServe, MLServer, OpenVINO Model Server): each batch becomes one request
 * ({@link TensorMapping}), sent to the endpoint with the fewest calls under way ({@link EndpointSet}).
 *
 * <p>Failures: a batch the server refuses as bad input (HTTP 400/404) fails with an
 * {@link InputRejectedException} (permanent) and is never sent elsewhere (the pipeline then finds the bad frame by
 * running the batch's frames one by one); an endpoint failure (503, 424, timeout, lost connection) sends
 * the same batch to another endpoint, up to {@link Builder#maxAttempts} endpoints, and only the answer of
 * the call that succeeded is used, so no frame's output is lost or produced twice. An endpoint that keeps
 * failing is taken out and probed again with backoff.
 *
 * <p>{@link #timings()} splits the time of the calls: serialising, network and server, reading the answer
 * (with post-processing), and, from the servers' statistics, their queue and compute time.
 *
 * <p>Thread-safe: {@link #infer} may run from many threads at once (up to {@code maxInFlight} calls per
 * endpoint run in parallel, the rest wait). {@link #close()} is idempotent.
 *
 * @param <I> the model's input per frame
 * @param <O> the model's output per frame
 */
public final class RemoteAccelerator<I, O> implements Accelerator<I, O>, StageTimed {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteAccelerator.class);

    static {
        // The JDK client moves bodies in buffers of this size (default 16 KiB); a batch of crops is megabytes, and
        // bigger buffers cut the client's CPU per frame by about a fifth on loopback. Read once, when the JDK's
        // HTTP client is first used, and only if the host has not chosen.
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 << 10));
        }
    }

    /**
     * Time spent per stage so far, summed over all calls, and what the servers report for the same span.
     *
     * @param batches batches answered
     * @param frames frames answered
     * @param retries calls repeated on another endpoint after an endpoint failure
     * @param badInput batches refused as bad input
     * @param serialiseNs time making requests
     * @param roundTripNs time from sending a request to having its answer (network and server)
     * @param deserialiseNs time turning answers into outputs (post-processing included)
     * @param server the servers' statistics over the same span, where they keep them
     */
    public record Timings(long batches, long frames, long retries, long badInput, long serialiseNs, long roundTripNs,
            long deserialiseNs, Optional<ServerModelStats> server) {
    }

    private final String name;
    private final int maxBatchSize;
    private final int maxAttempts;
    private final Duration acquireTimeout;
    private final TensorMapping<I, O> mapping;
    private final EndpointSet endpoints;
    private final Clock clock;
    private final EndpointFactory factory;
    private final Map<OipEndpoint, ServerModelStats> statsAtStart = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder batches = new LongAdder();
    private final LongAdder frames = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder badInput = new LongAdder();
    private final LongAdder serialiseNs = new LongAdder();
    private final LongAdder roundTripNs = new LongAdder();
    private final LongAdder deserialiseNs = new LongAdder();

    private RemoteAccelerator(Builder<I, O> b) {
        this.name = b.name;
        this.maxBatchSize = b.maxBatchSize;
        this.maxAttempts = b.maxAttempts;
        this.acquireTimeout = b.acquireTimeout;
        this.mapping = b.mapping;
        this.clock = b.clock;
        this.factory = new EndpointFactory(b.model, b.version, b.requestTimeout, b.token, b.maxResponseBytes);
        this.endpoints = new EndpointSet(b.clock, this::probe, b.maxInFlight, b.failuresToEject, b.firstBackoff, b.maxBackoff);
        for (URI url : b.urls) {
            add(url);
        }
    }

    /** A builder for calls to {@code model}, whose tensors {@code mapping} knows. */
    public static <I, O> Builder<I, O> builder(String model, TensorMapping<I, O> mapping) {
        return new Builder<>(model, mapping);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** The endpoints and their state. */
    public List<EndpointSet.Status> endpointStatus() {
        return endpoints.status();
    }

    /** Adds an endpoint while running; it is probed before its first call. */
    public void add(URI url) {
        endpoints.add(factory.create(url));
    }

    /** Removes an endpoint while running: it finishes its calls and gets no new ones. */
    public boolean remove(URI url) {
        return endpoints.remove(url);
    }

    /**
     * Connects to every endpoint that is not up now, rather than at the first batch, and checks that each
     * serves a model this mapping can talk to.
     *
     * @return the endpoints still down and why, by URL; empty if all are up
     */
    public Map<URI, String> connect() {
        return endpoints.probeAll();
    }

    private void probe(OipEndpoint endpoint) {
        mapping.check(endpoint.connect());
        noteFirstStats(endpoint);
    }

    @Override
    public List<O> infer(List<I> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.size() > maxBatchSize) {
            throw new IllegalArgumentException("batch of " + batch.size() + " exceeds maxBatchSize " + maxBatchSize);
        }
        if (closed.get() && !batch.isEmpty()) {
            throw new IllegalStateException(name + " is closed");
        }
        if (batch.isEmpty()) {
            return List.of();
        }
        long t0 = System.nanoTime();
        InferRequest request = mapping.request(batch);
        serialiseNs.add(System.nanoTime() - t0);
        Set<OipEndpoint> tried = new HashSet<>();
        Instant deadline = clock.instant().plus(acquireTimeout);
        RemoteInferenceException last = null;
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            EndpointSet.Lease lease = endpoints.acquire(tried, deadline);
            OipEndpoint endpoint = lease.endpoint();
            InferResponse response;
            long t1 = System.nanoTime();
            try {
                response = endpoint.infer(request);
            } catch (RemoteInferenceException e) {
                endpoints.release(lease, e.badInput() ? EndpointSet.Outcome.ANSWERED : EndpointSet.Outcome.FAILED, e.getMessage());
                if (e.badInput()) {
                    badInput.increment();
                    throw new InputRejectedException(e.getMessage(), e);
                }
                retries.increment();
                tried.add(endpoint);
                last = e;
                continue;
            } finally {
                roundTripNs.add(System.nanoTime() - t1);
            }
            long t2 = System.nanoTime();
            List<O> outputs;
            try {
                outputs = mapping.outputs(response, batch);
            } catch (JugglerException | IllegalArgumentException e) {
                // The server answered with tensors that do not fit: it runs another model. Its fault, not the frames'.
                endpoints.release(lease, EndpointSet.Outcome.FAILED, e.getMessage());
                retries.increment();
                tried.add(endpoint);
                last = RemoteInferenceException.endpoint(endpoint.url() + " answered with tensors that do not fit the model: "
                        + e.getMessage(), 200, e);
                continue;
            }
            endpoints.release(lease, EndpointSet.Outcome.ANSWERED, null);
            deserialiseNs.add(System.nanoTime() - t2);
            batches.increment();
            frames.add(batch.size());
            return outputs;
        }
        throw JugglerException.transientFailure("the batch of " + batch.size() + " failed on " + tried.size()
                + " endpoint(s) in " + maxAttempts + " attempts; last: " + last.getMessage(), last);
    }

    private void noteFirstStats(OipEndpoint endpoint) {
        synchronized (statsAtStart) {
            if (!statsAtStart.containsKey(endpoint)) {
                statsAtStart.put(endpoint, endpoint.stats().orElse(null));
            }
        }
    }

    /**
     * The time spent per stage since this accelerator was made, with the servers' queue and compute time over
     * the same span (from their statistics; empty when none keeps them). Reads the servers' statistics: call it
     * now and then, not per batch.
     */
    public Timings timings() {
        ServerModelStats server = null;
        Map<OipEndpoint, ServerModelStats> start;
        synchronized (statsAtStart) {
            start = new HashMap<>(statsAtStart);
        }
        for (Map.Entry<OipEndpoint, ServerModelStats> e : start.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            Optional<ServerModelStats> now = e.getKey().stats();
            if (now.isPresent()) {
                ServerModelStats delta = now.get().minus(e.getValue());
                server = server == null ? delta : server.plus(delta);
            }
        }
        return new Timings(batches.sum(), frames.sum(), retries.sum(), badInput.sum(), serialiseNs.sum(), roundTripNs.sum(),
                deserialiseNs.sum(), Optional.ofNullable(server));
    }

    /**
     * The stages of {@link #timings()} as running totals for a pipeline's report, per frame answered:
     * {@code serialise}, {@code network+server}, {@code server queue} and {@code server compute} (where the servers
     * keep statistics: their whole time, so other clients of the same servers count too), {@code read+post-process}.
     */
    @Override
    public Map<String, StageTotal> stageTotals() {
        Timings t = timings();
        Map<String, StageTotal> stages = new LinkedHashMap<>();
        stages.put("serialise", new StageTotal(t.frames(), t.serialiseNs()));
        stages.put("network+server", new StageTotal(t.frames(), t.roundTripNs()));
        t.server().ifPresent(s -> {
            stages.put("server queue", new StageTotal(t.frames(), s.queueNs()));
            stages.put("server compute", new StageTotal(t.frames(), s.computeNs()));
        });
        stages.put("read+post-process", new StageTotal(t.frames(), t.deserialiseNs()));
        return stages;
    }

    /** Logs the {@link #timings()} (per frame) and stops taking batches. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (batches.sum() > 0) {
                LOG.info("{}: {}", name, describe(timings()));
            }
            endpoints.close();
        }
    }

    /**
     * One line of per-frame times, e.g. {@code 800 frames in 100 batches; per frame: serialise 0.80 ms,
     * network+server 5.10 ms (server queue 0.30 ms, compute 4.20 ms), read+post-process 0.20 ms; 3 retries,
     * 0 refused}.
     */
    public static String describe(Timings t) {
        double frames = Math.max(1, t.frames());
        String server = t.server().map(s -> String.format(java.util.Locale.ROOT, " (server queue %.2f ms, compute %.2f ms)",
                s.queueNs() / 1e6 / frames, s.computeNs() / 1e6 / frames)).orElse("");
        return String.format(java.util.Locale.ROOT, "%d frames in %d batches; per frame: serialise %.2f ms, network+server %.2f ms%s, "
                + "read+post-process %.2f ms; %d retries, %d refused", t.frames(), t.batches(), t.serialiseNs() / 1e6 / frames,
                t.roundTripNs() / 1e6 / frames, server, t.deserialiseNs() / 1e6 / frames, t.retries(), t.badInput());
    }

    @Override
    public String toString() {
        return "RemoteAccelerator[" + name + ", " + endpoints.endpoints() + "]";
    }

    private record EndpointFactory(String model, Optional<String> version, Duration timeout, Optional<String> token,
            int maxResponseBytes, HttpClient http, InferCodec codec) {

        EndpointFactory(String model, Optional<String> version, Duration timeout, Optional<String> token, int maxResponseBytes) {
            this(model, version, timeout, token, maxResponseBytes,
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build(), new InferCodec());
        }

        OipEndpoint create(URI url) {
            return new OipEndpoint(url, model, version, http, codec, timeout, token, maxResponseBytes);
        }

        @Override
        public String toString() {
            return "EndpointFactory[" + model + "]";
        }
    }

    /** Checks and holds the settings; {@link #build()} makes the accelerator. Not thread-safe. */
    public static final class Builder<I, O> {
        private final String model;
        private final TensorMapping<I, O> mapping;
        private final List<URI> urls = new ArrayList<>();
        private Optional<String> version = Optional.empty();
        private String name;
        private int maxBatchSize = 8;
        private int maxInFlight = 2;
        private int maxAttempts = 3;
        private int failuresToEject = 3;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration acquireTimeout = Duration.ofMinutes(2);
        private Duration firstBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Optional<String> token = Optional.empty();
        private int maxResponseBytes = 256 << 20;
        private Clock clock = Clock.systemUTC();

        private Builder(String model, TensorMapping<I, O> mapping) {
            this.model = InvalidConfigException.requireNotBlank("model", model);
            this.mapping = InvalidConfigException.required(mapping, "mapping");
            this.name = "remote-" + model;
        }

        /** An endpoint's URL, e.g. {@code http://gpu1:8000}; at least one. */
        public Builder<I, O> endpoint(URI url) {
            urls.add(OipEndpoint.normalise(InvalidConfigException.required(url, "endpoint")));
            return this;
        }

        /** The model version to call; default none (the server picks). */
        public Builder<I, O> version(String value) {
            this.version = Optional.of(InvalidConfigException.requireNotBlank("version", value));
            return this;
        }

        /** The accelerator's name in logs; default {@code remote-<model>}. */
        public Builder<I, O> name(String value) {
            this.name = InvalidConfigException.requireNotBlank("name", value);
            return this;
        }

        /** Frames per request; default 8. */
        public Builder<I, O> maxBatchSize(int frames) {
            this.maxBatchSize = InvalidConfigException.requireInRange("maxBatchSize", frames, 1, 4096);
            return this;
        }

        /** Requests in flight per endpoint (K); default 2. */
        public Builder<I, O> maxInFlight(int requests) {
            this.maxInFlight = InvalidConfigException.requireInRange("maxInFlight", requests, 1, 1024);
            return this;
        }

        /** Endpoints one batch is tried on before it fails (transiently); default 3. */
        public Builder<I, O> maxAttempts(int attempts) {
            this.maxAttempts = InvalidConfigException.requireInRange("maxAttempts", attempts, 1, 100);
            return this;
        }

        /** Failures in a row after which an endpoint is taken out and probed with backoff; default 3. */
        public Builder<I, O> failuresToEject(int failures) {
            this.failuresToEject = InvalidConfigException.requireInRange("failuresToEject", failures, 1, 1000);
            return this;
        }

        /** How long one call may take (and one connection attempt); default 30 s. */
        public Builder<I, O> requestTimeout(Duration value) {
            this.requestTimeout = positive("requestTimeout", value);
            return this;
        }

        /** How long a batch may wait for an endpoint to take it; default 2 min. */
        public Builder<I, O> acquireTimeout(Duration value) {
            this.acquireTimeout = positive("acquireTimeout", value);
            return this;
        }

        /** The first wait before a taken-out endpoint is probed again (doubling up to {@code max}); defaults 250 ms, 30 s. */
        public Builder<I, O> backoff(Duration first, Duration max) {
            this.firstBackoff = positive("backoff", first);
            this.maxBackoff = positive("maxBackoff", max);
            if (max.compareTo(first) < 0) {
                throw InvalidConfigException.of("maxBackoff", max, "must not be shorter than the first backoff " + first);
            }
            return this;
        }

        /** A bearer token sent with every call; never shown. */
        public Builder<I, O> token(String value) {
            String t = InvalidConfigException.requireNotBlank("token", value).strip();
            if (t.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new InvalidConfigException("token: must be printable ASCII without spaces (the value is not shown)");
            }
            this.token = Optional.of(t);
            return this;
        }

        /** The largest answer read; default 256 MiB. */
        public Builder<I, O> maxResponseBytes(int bytes) {
            this.maxResponseBytes = InvalidConfigException.requireInRange("maxResponseBytes", bytes, 1024, Integer.MAX_VALUE - 8);
            return this;
        }

        /** The clock of backoffs and deadlines; default the system clock. */
        public Builder<I, O> clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        /** Makes the accelerator; endpoints are connected at the first batch or by {@link RemoteAccelerator#connect()}. */
        public RemoteAccelerator<I, O> build() {
            if (urls.isEmpty()) {
                throw new InvalidConfigException("remote endpoints: give at least one URL, e.g. http://127.0.0.1:8000");
            }
            return new RemoteAccelerator<>(this);
        }

        private static Duration positive(String what, Duration value) {
            InvalidConfigException.required(value, what);
            if (value.isNegative() || value.isZero()) {
                throw InvalidConfigException.of(what, value, "must be positive");
            }
            return value;
        }
    }
}
