package dev.juggler.inference.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Guards native resources (model interpreters, predictors) that many batches use at once and that
 * {@code close()} frees: batches share a read lock and {@link #close(Runnable)} takes the write lock, so the
 * resources are freed only once no batch can still be using them, and a batch that starts later sees
 * {@link #isClosed()}. Thread-safe.
 */
public final class NativeUseGuard {
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Runs one use of the resources; {@link #close(Runnable)} waits for it. */
    public <T> T use(Supplier<T> action) {
        inUse.readLock().lock();
        try {
            return action.get();
        } finally {
            inUse.readLock().unlock();
        }
    }

    /** Whether {@link #close(Runnable)} was called; a use checks this before touching the resources. */
    public boolean isClosed() {
        return closed.get();
    }

    /** The first call marks the guard closed, waits for running uses and runs {@code release}; later calls do nothing. */
    public void close(Runnable release) {
        if (closed.compareAndSet(false, true)) {
            inUse.writeLock().lock();
            try {
                release.run();
            } finally {
                inUse.writeLock().unlock();
            }
        }
    }
}
