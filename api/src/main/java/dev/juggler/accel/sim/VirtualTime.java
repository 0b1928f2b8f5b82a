package dev.juggler.accel.sim;

import dev.juggler.internal.SimulatedClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Simulated time shared by a known set of threads (the <em>parties</em>): time stands still while any
 * party runs, and when every party is asleep it jumps to the earliest wake-up. Code that only reads
 * the {@link #clock()} and waits with the {@link #sleeper()} therefore behaves as in real time, while an
 * hour of simulated work takes only as long as the computation itself.
 *
 * <p>Each thread that sleeps must have {@link #join() joined} first and must {@link #leave()} when it is
 * done; a party that blocks on anything other than this sleeper (a lock held by a sleeping party, a
 * queue) stops time for everybody, so simulated code must not wait for other parties except through
 * time. A thread that is not a party may read the clock at any time. With no parties, a sleep simply
 * moves time forward.
 *
 * <p><b>Simulation support for tests and benchmarks, not production API</b> (see the
 * {@linkplain dev.juggler.accel.sim package}).
 *
 * <p>Thread-safe.
 */
public final class VirtualTime {
    private final Instant origin;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private final PriorityQueue<Long> wakeups = new PriorityQueue<>();
    // Nanoseconds since origin. Written under the lock; read without it by the clock.
    private volatile long now;
    private int parties;
    private int sleeping;

    /** Starts at {@code origin}. */
    public VirtualTime(Instant origin) {
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** The current simulated instant. */
    public Instant now() {
        return origin.plusNanos(now);
    }

    /** Simulated time elapsed since the origin. */
    public Duration elapsed() {
        return Duration.ofNanos(now);
    }

    /** A UTC clock that reads this simulated time. */
    public Clock clock() {
        return SimulatedClock.utc(this::now);
    }

    /** A sleeper that waits in this simulated time. */
    public Sleeper sleeper() {
        return this::sleep;
    }

    /** Registers the calling thread as a party: time waits for it whenever it is not sleeping. */
    public void join() {
        lock.lock();
        try {
            parties++;
        } finally {
            lock.unlock();
        }
    }

    /** Unregisters a party (call it in {@code finally}); time may move on without it. */
    public void leave() {
        lock.lock();
        try {
            if (parties == 0) {
                throw new IllegalStateException("leave() without join()");
            }
            parties--;
            advanceIfAllAsleep();
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps the calling party for {@code duration} of simulated time. */
    public void sleep(Duration duration) throws InterruptedException {
        long nanos = Math.max(0, duration.toNanos());
        lock.lock();
        try {
            long wake = now + nanos;
            if (parties == 0) {
                now = Math.max(now, wake);
                return;
            }
            wakeups.add(wake);
            sleeping++;
            try {
                advanceIfAllAsleep();
                while (now < wake) {
                    moved.await();
                }
            } finally {
                sleeping--;
                wakeups.remove(wake);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves time forward by hand; only for code without parties (e.g. a test driving one device). */
    public void advance(Duration duration) {
        lock.lock();
        try {
            now += Math.max(0, duration.toNanos());
            moved.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void advanceIfAllAsleep() {
        if (sleeping > 0 && sleeping >= parties && !wakeups.isEmpty() && wakeups.peek() > now) {
            now = wakeups.peek();
            moved.signalAll();
        }
    }
}
