package dev.juggler.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A clock that reads a simulation's time: whatever instant the simulation says it is now. The simulations of the
 * accelerator pools and of {@code juggler simulate} hand one to the real code. Internal; as thread-safe as its
 * source.
 */
public final class SimulatedClock extends Clock {
    private final Supplier<Instant> now;
    private final ZoneId zone;

    private SimulatedClock(Supplier<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** A UTC clock reading {@code now}. */
    public static Clock utc(Supplier<Instant> now) {
        return new SimulatedClock(Objects.requireNonNull(now, "now"), ZoneOffset.UTC);
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new SimulatedClock(now, Objects.requireNonNull(newZone, "zone"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }
}
