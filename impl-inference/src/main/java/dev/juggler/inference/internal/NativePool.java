package dev.juggler.inference.internal;

import dev.juggler.JugglerException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A fixed set of native resources that are not thread-safe themselves (TFLite interpreters, DJL
 * predictors), owned by one accelerator: each {@link #use} borrows one for the length of a batch, waiting
 * when all are busy, and {@link #close(Runnable)} frees them all once no batch can still be using them.
 *
 * <p>Uses share a read lock and close takes the write lock, so nothing is freed under a running batch, and
 * a use that starts later is refused with {@link IllegalStateException}. Thread-safe.
 *
 * @param <R> the resource type
 */
public final class NativePool<R> {
    private final String owner;
    private final String what;
    private final List<R> all;
    private final BlockingQueue<R> idle;
    private final Consumer<? super R> release;
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    private NativePool(String owner, String what, List<R> all, Consumer<? super R> release) {
        this.owner = owner;
        this.what = what;
        this.all = all;
        this.idle = new ArrayBlockingQueue<>(all.size(), false, all);
        this.release = release;
    }

    /**
     * Opens {@code count} resources; if one fails to open, those already open are released and the
     * failure is rethrown.
     *
     * @param owner the accelerator's name, for messages
     * @param what what a resource is, for messages, e.g. {@code free interpreter}
     * @param open opens one resource
     * @param release frees one resource; called once per resource
     */
    public static <R> NativePool<R> open(String owner, String what, int count, Supplier<? extends R> open,
            Consumer<? super R> release) {
        Objects.requireNonNull(open, "open");
        Objects.requireNonNull(release, "release");
        if (count < 1) {
            throw new IllegalArgumentException("count = " + count + ": must be >= 1");
        }
        List<R> opened = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                opened.add(open.get());
            }
        } catch (RuntimeException e) {
            opened.forEach(release);
            throw e;
        }
        return new NativePool<>(owner, what, List.copyOf(opened), release);
    }

    /**
     * Runs {@code action} with a resource of its own, returned to the pool afterwards.
     *
     * @throws IllegalStateException if the pool is closed
     * @throws JugglerException (transient) if interrupted while waiting for a resource
     */
    public <T> T use(Function<? super R, T> action) {
        inUse.readLock().lock();
        try {
            if (closed.get()) {
                throw new IllegalStateException(owner + " is closed");
            }
            R resource;
            try {
                resource = idle.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw JugglerException.transientFailure("interrupted while waiting for a " + what + " of " + owner, e);
            }
            try {
                return action.apply(resource);
            } finally {
                idle.add(resource);
            }
        } finally {
            inUse.readLock().unlock();
        }
    }

    /** Whether {@link #close(Runnable)} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * The first call marks the pool closed, waits for running uses, frees every resource and then runs
     * {@code alsoRelease} (e.g. the model the resources came from); later calls do nothing.
     */
    public void close(Runnable alsoRelease) {
        if (closed.compareAndSet(false, true)) {
            inUse.writeLock().lock();
            try {
                all.forEach(release);
                alsoRelease.run();
            } finally {
                inUse.writeLock().unlock();
            }
        }
    }
}
