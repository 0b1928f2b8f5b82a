package dev.juggler.accel.sim;

import java.time.Duration;

/**
 * Waits for a duration of some time source: the real one ({@link #REAL}) or a {@link VirtualTime}.
 * Implementations are thread-safe. <b>Simulation support for tests and benchmarks, not production API</b>
 * (see the {@linkplain dev.juggler.accel.sim package}).
 */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps in real time with {@link Thread#sleep}. */
    Sleeper REAL = duration -> {
        long nanos = duration.toNanos();
        if (nanos > 0) {
            Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
        }
    };

    /** Returns after {@code duration} of this time source has passed. */
    void sleep(Duration duration) throws InterruptedException;
}
