package dev.juggler.pipeline;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The run discipline of a {@link FramePipeline} implementation: runs one at a time, none after close (a
 * run that was waiting for the previous one when the pipeline closed does not start either). For hosts and
 * modules writing their own pipelines. Thread-safe.
 */
public final class RunGate {
    private final ReentrantLock runLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Runs {@code run} once no other run is in progress.
     *
     * @throws IllegalStateException if the gate is closed, before or while waiting
     */
    public <T> T run(Supplier<T> run) {
        requireOpen();
        runLock.lock();
        try {
            requireOpen();
            return run.get();
        } finally {
            runLock.unlock();
        }
    }

    /** Whether {@link #close()} was called (a running run polls this to stop early). */
    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the gate; true only for the first call, whose caller then releases the pipeline's resources. */
    public boolean close() {
        return closed.compareAndSet(false, true);
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("pipeline is closed");
        }
    }
}
