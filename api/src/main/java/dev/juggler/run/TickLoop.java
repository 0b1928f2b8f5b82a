package dev.juggler.run;

import dev.juggler.internal.NamedThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a tick on an own thread ({@code juggler-loop}) every interval, and earlier when woken.
 * Thread-safe.
 */
final class TickLoop {

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);

    private final Runnable tick;
    private final Duration interval;
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wake = wakeLock.newCondition();
    private boolean wakeRequested;
    private volatile boolean stopped;
    private Thread thread;

    TickLoop(Runnable tick, Duration interval) {
        this.tick = tick;
        this.interval = interval;
    }

    /** Starts the thread; idempotent. */
    synchronized void start() {
        if (stopped) {
            throw new IllegalStateException("juggler is closed");
        }
        if (thread == null) {
            thread = new NamedThreadFactory("juggler-loop").newThread(this::run);
            thread.start();
        }
    }

    /** Asks for a tick now instead of at the end of the interval. */
    void wake() {
        wakeLock.lock();
        try {
            wakeRequested = true;
            wake.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    /** Stops the loop and waits up to 30 s for a running tick to end. */
    void stop() {
        Thread running;
        synchronized (this) {
            stopped = true;
            running = thread;
        }
        wake();
        if (running != null) {
            try {
                running.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!stopped) {
            try {
                tick.run();
            } catch (RuntimeException e) {
                LOG.error("juggler tick failed unexpectedly; next tick in {}", interval, e);
            }
            wakeLock.lock();
            try {
                long waitNanos = interval.toNanos();
                while (!wakeRequested && !stopped && waitNanos > 0) {
                    waitNanos = wake.awaitNanos(waitNanos);
                }
                wakeRequested = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                wakeLock.unlock();
            }
        }
    }
}
