package dev.juggler.pipeline;

import dev.juggler.ledger.FrameResult;

/**
 * Receives results in frame order from the pipeline's single delivery thread. {@link #flush()} is
 * called before every checkpoint and at the end: after it returns, every result accepted so far must be
 * durable. Implementations need not be thread-safe.
 */
public interface FrameResultSink {

    void accept(FrameResult result);

    /** Makes everything accepted so far durable. */
    default void flush() {
    }
}
