package dev.juggler.run;

import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobStatus;
import dev.juggler.internal.NamedThreadFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The juggler's bounded view of the cluster. {@link #read()} asks the backend for its jobs on an own
 * thread ({@code juggler-status}) and waits at most the status timeout for the answer, so that a
 * controller that takes minutes to fail cannot freeze the tick. At most one call is in flight: a call
 * that has not answered by the next read is waited for again, not started anew.
 *
 * <p>Submit calls are bounded the same way ({@link #submit}, on their own thread {@code juggler-submit}): an
 * {@code sbatch} that retries against a stopped controller for half a minute must not hold up the tick, nor
 * the report of the outage.
 *
 * <p>It also keeps track of outages: an outage starts with the first call (status or submit) that failed as
 * unavailable or did not answer in time (at that call's start, or at {@link UnavailableException#since()}
 * if earlier), and ends with the next status answer. Both ends are logged (WARN, INFO) and fired as events,
 * once each.
 *
 * <p>Thread-safe (its methods are synchronized); the juggler calls it from the tick thread.
 */
final class ClusterWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);

    /**
     * What one read found: the jobs, or why there are none ({@code failure} and the status problem).
     */
    record Reading(List<JobStatus> jobs, JugglerException failure, String problem) {
        boolean answered() {
            return jobs != null;
        }
    }

    private record Call(Instant started, Future<List<JobStatus>> answer) {
    }

    private final ClusterBackend backend;
    private final Clock clock;
    private final Duration timeout;
    private final Consumer<JugglerEvent> events;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(new NamedThreadFactory("juggler-status"));
    private final ExecutorService submitThread = Executors.newSingleThreadExecutor(new NamedThreadFactory("juggler-submit"));
    private Call inFlight;
    private Instant submitStarted;
    private Future<List<String>> submitCall;
    private Instant unavailableSince;

    ClusterWatch(ClusterBackend backend, Clock clock, Duration timeout, Consumer<JugglerEvent> events) {
        this.backend = backend;
        this.clock = clock;
        this.timeout = timeout;
        this.events = events;
    }

    /** Reads the state of all jobs, waiting at most the timeout. */
    synchronized Reading read() {
        if (inFlight == null) {
            try {
                inFlight = new Call(clock.instant(), thread.submit(backend::status));
            } catch (RejectedExecutionException e) {
                JugglerException closed = new JugglerException("the juggler is closed");
                return new Reading(null, closed, "cluster: " + closed.getMessage());
            }
        }
        Call call = inFlight;
        try {
            List<JobStatus> jobs = call.answer().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            inFlight = null;
            recovered();
            return new Reading(jobs == null ? List.of() : List.copyOf(jobs), null, null);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Duration waited = Duration.between(call.started(), clock.instant());
            String reason = "no answer for " + describe(waited.compareTo(timeout) > 0 ? waited : timeout);
            unavailable(call.started(), reason);
            UnavailableException failure = new UnavailableException("the cluster backend gave " + reason
                    + " (its status call started at " + call.started() + " still runs)", unavailableSince, null);
            return new Reading(null, failure, "cluster: " + reason);
        } catch (ExecutionException e) {
            inFlight = null;
            Throwable cause = e.getCause();
            JugglerException failure = cause instanceof JugglerException known ? known
                    : JugglerException.transientFailure("the cluster status call failed: " + cause, cause);
            Instant start = call.started();
            if (failure instanceof UnavailableException unavailable && unavailable.since().isPresent()
                    && unavailable.since().get().isBefore(start)) {
                start = unavailable.since().get();
            }
            unavailable(start, failure.getMessage());
            return new Reading(null, failure, "cluster: " + failure.getMessage());
        }
    }

    /**
     * When a submit call that did not answer in time started, if it still runs: no other submit starts
     * meanwhile (its jobs, if it makes any, are adopted when the status shows them).
     */
    synchronized Optional<Instant> submitStillRunning() {
        return submitCall != null && !submitCall.isDone() ? Optional.of(submitStarted) : Optional.empty();
    }

    /**
     * Runs a submit call on the submit thread and waits at most the timeout. A call that fails as
     * unavailable, or does not answer in time, marks an outage from its start; the latter fails with an
     * {@link UnavailableException} while the call goes on (it may still submit: the caller counts the
     * submission as possibly made).
     */
    List<String> submit(java.util.function.Supplier<List<String>> call) {
        Future<List<String>> answer;
        Instant started;
        synchronized (this) {
            if (submitStillRunning().isPresent()) {
                throw new UnavailableException("the submit call started at " + submitStarted + " still runs", submitStarted, null);
            }
            started = clock.instant();
            try {
                answer = submitThread.submit(call::get);
            } catch (RejectedExecutionException e) {
                throw new JugglerException("the juggler is closed");
            }
            submitStarted = started;
            submitCall = answer;
        }
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String reason = "no answer for " + describe(timeout) + " to a submit call";
            synchronized (this) {
                unavailable(started, reason);
            }
            throw new UnavailableException("the cluster backend gave " + reason + " (started at " + started
                    + "; it may still submit, and its jobs are adopted when they show)", started, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnavailableException unavailable) {
                Instant start = unavailable.since().filter(since -> since.isBefore(started)).orElse(started);
                synchronized (this) {
                    unavailable(start, unavailable.getMessage());
                }
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw JugglerException.transientFailure("the submit call failed: " + cause, cause);
        }
    }

    /** When the current outage started; empty while the cluster answers. */
    synchronized Optional<Instant> unavailableSince() {
        return Optional.ofNullable(unavailableSince);
    }

    private void unavailable(Instant start, String reason) {
        if (unavailableSince == null) {
            unavailableSince = start;
            LOG.warn("cluster unavailable since {}: {}", start, reason);
            events.accept(new JugglerEvent.ClusterUnavailable(start, reason));
        } else if (start.isBefore(unavailableSince)) {
            unavailableSince = start;
        }
    }

    private void recovered() {
        if (unavailableSince == null) {
            return;
        }
        Instant since = unavailableSince;
        unavailableSince = null;
        Duration outage = Duration.between(since, clock.instant());
        LOG.info("cluster available again after an outage of {} (since {})", describe(outage), since);
        events.accept(new JugglerEvent.ClusterRecovered(since, outage));
    }

    /** "850ms", "20s", "3m05s", "2h01m". */
    static String describe(Duration d) {
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
    }

    /** Stops the status and submit threads (interrupting a call that hangs); idempotent. */
    @Override
    public void close() {
        thread.shutdownNow();
        submitThread.shutdownNow();
    }
}
