package dev.juggler.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} for tests whose instant only moves when the test says so. Thread-safe: the instant
 * is held in an atomic reference, so code under test may read it from its own threads while the test
 * sets or advances it.
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    public MutableClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** A clock starting at 2024-01-01T00:00:00Z, a fixed point so that test output is reproducible. */
    public static MutableClock startingAt2024() {
        return new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
    }

    /** Moves the clock forward (or back, for a negative amount) and returns the new instant. */
    public Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        return now.updateAndGet(t -> t.plus(amount));
    }

    /** Sets the clock to this instant. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view in another zone that shares this clock's instant (setting one moves both). */
    @Override
    public Clock withZone(ZoneId newZone) {
        return new MutableClock(now, Objects.requireNonNull(newZone, "zone"));
    }

    @Override
    public String toString() {
        return "MutableClock[" + now.get() + ", " + zone + "]";
    }
}
