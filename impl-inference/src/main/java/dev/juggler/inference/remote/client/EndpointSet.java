package dev.juggler.inference.remote.client;

import dev.juggler.JugglerException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The endpoints of one model and which of them take work: least-outstanding-requests dispatch with at most
 * {@code maxInFlight} requests per endpoint; an endpoint that fails {@code failuresToEject} calls in a row is
 * taken out and probed again ({@link OipEndpoint#connect()}) after a backoff that doubles up to a limit;
 * endpoints may be added and removed at any time (a removed one finishes what it has and gets nothing
 * new). A new endpoint starts out and is probed by the first caller that needs one.
 *
 * <p>Probes run on the calling thread, outside the lock, one per endpoint at a time; waiting callers wake
 * when an endpoint frees a slot or changes state. All time comes from the injected {@link Clock}; waits
 * are bounded so that a clock that a test moves is noticed.
 *
 * <p>Thread-safe.
 */
public final class EndpointSet {

    /** How an endpoint answered a leased call. */
    public enum Outcome {
        /** It answered (also when it refused the input: that is not its fault). */
        ANSWERED,
        /** It failed: no answer, or an error status of its own. */
        FAILED
    }

    /**
     * One endpoint's state, for status pages and logs.
     *
     * @param url the endpoint
     * @param up whether it takes calls
     * @param inFlight its calls under way
     * @param answered calls it answered (refusals of bad input included)
     * @param failed calls it failed
     * @param takenOut how often it was taken out after failing
     * @param consecutiveFailures its failures since the last answer or probe
     * @param nextProbe when a down endpoint is probed next
     * @param lastError the message of its last failure, or {@code ""}
     */
    public record Status(URI url, boolean up, int inFlight, long answered, long failed, long takenOut,
            int consecutiveFailures, Instant nextProbe, String lastError) {
    }

    /** A leased slot on one endpoint; give it back with {@link #release}. Confined to the thread that leased it. */
    public static final class Lease {
        private final Slot slot;
        private boolean released;

        private Lease(Slot slot) {
            this.slot = slot;
        }

        /** The endpoint to call. */
        public OipEndpoint endpoint() {
            return slot.endpoint;
        }
    }

    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Clock clock;
    private final Consumer<OipEndpoint> probe;
    private final int maxInFlight;
    private final int failuresToEject;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Slot> slots = new ArrayList<>();
    private int rotation;
    private boolean closed;

    private static final class Slot {
        final OipEndpoint endpoint;
        boolean up;
        boolean probing;
        boolean removed;
        int inFlight;
        int consecutiveFailures;
        long answered;
        long failed;
        long takenOut;
        Instant nextProbe;
        Duration backoff;
        String lastError = "";

        Slot(OipEndpoint endpoint, Instant now, Duration backoff) {
            this.endpoint = endpoint;
            this.nextProbe = now;
            this.backoff = backoff;
        }
    }

    /**
     * @param probe connects to an endpoint and checks its model; throws if it cannot take calls
     */
    EndpointSet(Clock clock, Consumer<OipEndpoint> probe, int maxInFlight, int failuresToEject, Duration firstBackoff,
            Duration maxBackoff) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.maxInFlight = maxInFlight;
        this.failuresToEject = failuresToEject;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Adds an endpoint; it is probed before its first call. Adding one already present does nothing. */
    public void add(OipEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        lock.lock();
        try {
            for (Slot s : slots) {
                if (s.endpoint.equals(endpoint) && !s.removed) {
                    return;
                }
            }
            slots.add(new Slot(endpoint, clock.instant(), firstBackoff));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the endpoint at {@code url}: it gets no new calls; calls under way finish.
     *
     * @return {@code true} if there was one
     */
    public boolean remove(URI url) {
        URI normal = OipEndpoint.normalise(url);
        lock.lock();
        try {
            boolean found = false;
            for (Slot s : slots) {
                if (s.endpoint.url().equals(normal) && !s.removed) {
                    s.removed = true;
                    found = true;
                }
            }
            slots.removeIf(s -> s.removed && s.inFlight == 0);
            changed.signalAll();
            return found;
        } finally {
            lock.unlock();
        }
    }

    /** The endpoints and their state. */
    public List<Status> status() {
        lock.lock();
        try {
            List<Status> out = new ArrayList<>();
            for (Slot s : slots) {
                if (!s.removed) {
                    out.add(new Status(s.endpoint.url(), s.up, s.inFlight, s.answered, s.failed, s.takenOut, s.consecutiveFailures,
                            s.nextProbe, s.lastError));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The endpoints currently present (up or not). */
    public List<OipEndpoint> endpoints() {
        lock.lock();
        try {
            return slots.stream().filter(s -> !s.removed).map(s -> s.endpoint).toList();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Leases a slot on the up endpoint with the fewest calls under way, preferring endpoints not in
     * {@code avoid} (those a batch already failed on); probes endpoints whose backoff has passed on the way.
     *
     * @param deadline when to give up waiting
     * @throws JugglerException (transient) if no endpoint could take the call before {@code deadline}, or on
     *     interrupt; {@link IllegalStateException} once closed
     */
    public Lease acquire(Set<OipEndpoint> avoid, Instant deadline) {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("the remote endpoints are closed");
                }
                Instant now = clock.instant();
                Slot due = find(s -> !s.up && !s.probing && !s.removed && !now.isBefore(s.nextProbe));
                if (due != null) {
                    probe(due);
                    continue;
                }
                Slot best = pick(avoid);
                if (best != null) {
                    best.inFlight++;
                    return new Lease(best);
                }
                if (!now.isBefore(deadline)) {
                    throw JugglerException.transientFailure("no inference endpoint could take the call: " + describe(), null);
                }
                changed.awaitNanos(Math.min(MAX_WAIT_NANOS, Math.max(1, waitNanos(now, deadline))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JugglerException.transientFailure("interrupted while waiting for an inference endpoint", e);
        } finally {
            lock.unlock();
        }
    }

    /** Gives a lease back and records how its endpoint did; {@code error} says why it failed. */
    public void release(Lease lease, Outcome outcome, String error) {
        lock.lock();
        try {
            if (lease.released) {
                return;
            }
            lease.released = true;
            Slot s = lease.slot;
            s.inFlight--;
            if (outcome == Outcome.ANSWERED) {
                s.answered++;
                s.consecutiveFailures = 0;
            } else {
                s.failed++;
                s.consecutiveFailures++;
                s.lastError = error == null ? "" : error;
                if (s.up && s.consecutiveFailures >= failuresToEject) {
                    takeOut(s, clock.instant());
                }
            }
            if (s.removed && s.inFlight == 0) {
                slots.remove(s);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Probes every endpoint that is not up now, whatever its backoff, on this thread.
     *
     * @return the errors of the endpoints that are still down, by URL
     */
    public Map<URI, String> probeAll() {
        lock.lock();
        try {
            for (Slot s : List.copyOf(slots)) {
                if (!s.up && !s.probing && !s.removed) {
                    probe(s);
                }
            }
            Map<URI, String> down = new LinkedHashMap<>();
            for (Slot s : slots) {
                if (!s.up && !s.removed) {
                    down.put(s.endpoint.url(), s.lastError);
                }
            }
            return down;
        } finally {
            lock.unlock();
        }
    }

    /** Fails waiting and later callers; calls under way finish. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void probe(Slot s) {
        s.probing = true;
        String error = null;
        lock.unlock();
        try {
            probe.accept(s.endpoint);
        } catch (RuntimeException e) {
            error = e.getMessage();
        } finally {
            lock.lock();
            s.probing = false;
        }
        if (error == null) {
            s.up = true;
            s.consecutiveFailures = 0;
            s.backoff = firstBackoff;
        } else {
            s.lastError = error;
            takeOut(s, clock.instant());
        }
        changed.signalAll();
    }

    private void takeOut(Slot s, Instant now) {
        if (s.up) {
            s.takenOut++;
        }
        s.up = false;
        s.nextProbe = now.plus(s.backoff);
        Duration doubled = s.backoff.multipliedBy(2);
        s.backoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
    }

    /**
     * The up endpoint with a free slot and the fewest calls, turn about among equals. Endpoints in
     * {@code avoid} are only taken when no other endpoint is up: a batch waits for a busy endpoint it has
     * not failed on rather than going back to one it has.
     */
    private Slot pick(Set<OipEndpoint> avoid) {
        boolean otherUp = slots.stream().anyMatch(s -> s.up && !s.removed && !avoid.contains(s.endpoint));
        Slot best = null;
        int n = slots.size();
        for (int k = 0; k < n; k++) {
            Slot s = slots.get((rotation + k) % n);
            if (!s.up || s.removed || s.inFlight >= maxInFlight || (otherUp && avoid.contains(s.endpoint))) {
                continue;
            }
            if (best == null || s.inFlight < best.inFlight) {
                best = s;
            }
        }
        if (best != null) {
            rotation = (slots.indexOf(best) + 1) % n;
        }
        return best;
    }

    private Slot find(Predicate<Slot> test) {
        for (Slot s : slots) {
            if (test.test(s)) {
                return s;
            }
        }
        return null;
    }

    private long waitNanos(Instant now, Instant deadline) {
        Instant until = deadline;
        for (Slot s : slots) {
            if (!s.up && !s.removed && s.nextProbe.isBefore(until)) {
                until = s.nextProbe;
            }
        }
        return Duration.between(now, until).toNanos();
    }

    private String describe() {
        if (slots.stream().allMatch(s -> s.removed)) {
            return "none is configured";
        }
        StringBuilder text = new StringBuilder();
        for (Slot s : slots) {
            if (s.removed) {
                continue;
            }
            text.append(text.length() == 0 ? "" : "; ").append(s.endpoint.url()).append(s.up ? " busy (" + s.inFlight + " calls)"
                    : " down (" + s.lastError + "), next probe " + s.nextProbe);
        }
        return text.toString();
    }
}
