package dev.juggler.slurm.internal;

import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.slurm.ssh.ExecResult;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way every call to the SLURM controller goes: a rate limiter, a Resilience4j retry for transient
 * failures and a circuit breaker, plus the rule that tells a transient failure (the controller or the
 * connection is down) from a permanent one (the controller refused the request). While the breaker is open,
 * calls fail fast with an {@link UnavailableException} that says since when.
 *
 * <p>The breaker measures its open time with the injected {@link Clock}, so a test moves it from open to
 * half-open by advancing a manual clock, never by sleeping. Internal; thread-safe.
 */
public final class ControllerGate {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerGate.class);
    private static final Pattern TRANSIENT = Pattern.compile(
            "(?i)socket timed out|unable to contact slurm controller|connection refused|zero bytes were transmitted"
                    + "|temporarily unavailable|try again|communication connection failure|slurm_persist_conn"
                    + "|transport endpoint|connection reset|timed out");

    private final String target;
    private final Clock clock;
    private final RateLimiter rateLimiter;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final AtomicReference<Instant> downSince = new AtomicReference<>();

    /**
     * @param name names the Resilience4j instances ({@code slurm-<tag>})
     * @param target where the controller is reached, for messages
     * @param clock times the outage and the breaker's open state
     * @param callsPerSecond rate limit (each retry counts)
     * @param retryAttempts attempts per call including the first
     * @param retryWait the first back-off (doubling)
     * @param breakerOpen how long the breaker stays open before one trial call
     */
    public ControllerGate(String name, String target, Clock clock, int callsPerSecond, int retryAttempts,
            Duration retryWait, Duration breakerOpen) {
        this.target = target;
        this.clock = clock;
        this.rateLimiter = RateLimiter.of(name, RateLimiterConfig.custom()
                .limitForPeriod(callsPerSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ofMinutes(5))
                .build());
        this.retry = Retry.of(name, RetryConfig.custom()
                .maxAttempts(retryAttempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(retryWait, 2.0))
                .retryOnException(e -> e instanceof UnavailableException)
                .build());
        this.breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(4)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .waitDurationInOpenState(breakerOpen)
                .permittedNumberOfCallsInHalfOpenState(1)
                // Open → half-open is decided on the next call by the clock; no timer thread.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(clock)
                .recordException(e -> e instanceof UnavailableException)
                .build());
        breaker.getEventPublisher().onStateTransition(e -> LOG.warn("SLURM controller via {}: circuit {}", target,
                e.getStateTransition()));
    }

    /** The breaker's state name ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}). */
    public String breakerState() {
        return breaker.getState().name();
    }

    /** Since when the controller has been failing, empty while it answers. */
    public Optional<Instant> unavailableSince() {
        return Optional.ofNullable(downSince.get());
    }

    /**
     * Runs {@code call} through rate limit → circuit breaker → retry; an {@link UnavailableException} from the call
     * is retried, counted by the breaker and rethrown with the start of the outage; an open breaker becomes an
     * {@link UnavailableException} without calling.
     */
    public <T> T call(String what, Supplier<T> call) {
        Supplier<T> limited = RateLimiter.decorateSupplier(rateLimiter, call);
        Supplier<T> retried = Retry.decorateSupplier(retry, limited);
        try {
            T result = breaker.executeSupplier(retried);
            downSince.set(null);
            return result;
        } catch (CallNotPermittedException e) {
            Instant since = downSince.get();
            throw new UnavailableException("the SLURM controller behind " + target + " has been unavailable since "
                    + since + "; not calling it (" + what + ") while the circuit is open", since, e);
        } catch (UnavailableException e) {
            downSince.compareAndSet(null, e.since().orElse(clock.instant()));
            Instant since = downSince.get();
            throw new UnavailableException(what + " via " + target + " failed (unavailable since " + since + "): "
                    + e.getMessage(), since, e);
        }
    }

    /** Throws when a command failed because the controller could not be reached; returns it otherwise. */
    public ExecResult failIfTransient(String what, ExecResult r) {
        if (!r.ok() && TRANSIENT.matcher(r.err()).find()) {
            throw transientFailure(what, r);
        }
        return r;
    }

    /** The failure of a command that could not reach the controller, dated from the outage's start. */
    public UnavailableException transientFailure(String what, ExecResult r) {
        Instant since = downSince.get() != null ? downSince.get() : clock.instant();
        return new UnavailableException(what + " on " + target + " exited " + r.exitCode() + ": " + firstLine(r.err()),
                since, null);
    }

    /** The exception for a failed command: transient if the controller was unreachable, else permanent. */
    public JugglerException classify(String what, ExecResult r) {
        if (TRANSIENT.matcher(r.err()).find()) {
            return transientFailure(what, r);
        }
        return JugglerException.permanentFailure(what + " on " + target + " refused (exit " + r.exitCode() + "): "
                + firstLine(r.err()), null);
    }

    /** The first line of a command's error text, marked when there is more. */
    public static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " …";
    }
}
