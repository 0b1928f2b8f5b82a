package dev.juggler.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A half-open time window {@code [since, until)} for the operator views' filters; either end may be open.
 * Immutable and thread-safe.
 *
 * @param since the first instant in the window, or empty for no lower bound
 * @param until the first instant after the window, or empty for no upper bound
 */
public record TimeWindow(Optional<Instant> since, Optional<Instant> until) {

    private static final TimeWindow ALWAYS = new TimeWindow(Optional.empty(), Optional.empty());

    public TimeWindow {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw new IllegalArgumentException("time window " + since.get() + " .. " + until.get() + ": since must be before until");
        }
    }

    /** The window without bounds. */
    public static TimeWindow always() {
        return ALWAYS;
    }

    /** Whether neither end is bounded. */
    public boolean isAlways() {
        return since.isEmpty() && until.isEmpty();
    }

    /** Whether {@code instant} lies in the window. */
    public boolean contains(Instant instant) {
        return since.map(s -> !instant.isBefore(s)).orElse(true) && until.map(instant::isBefore).orElse(true);
    }
}
