package dev.juggler.pipeline;

import dev.juggler.ledger.FrameResult;

/**
 * Receives results from the pipeline's single delivery thread: the result of every frame of the range
 * exactly once, in frame order. {@link #flush()} is called once when the run ends (complete, failed or
 * stopped, unless the sink itself failed): after it returns, every result accepted so far must be durable.
 * A sink that flushes more often does so by itself ({@link CheckpointingSink} flushes before each of its
 * checkpoints). A sink that throws fails the run; the frames handed to it before then are reported in
 * {@link PipelineReport#doneUntil()}, but only its owner knows which of them are durable.
 * Implementations need not be thread-safe.
 */
public interface FrameResultSink {

    /** The result of the next frame. */
    void accept(FrameResult result);

    /**
     * Frame {@code frame} could not be analysed (a {@link dev.juggler.video.DamagedFrameException}: the
     * frame is damaged while the video goes on); it has no result, and the next call is for a later
     * frame. By default nothing is recorded: the frame is simply missing from the results. The
     * {@code Worker}'s sink records it in the ledger as a FAILED one-frame range.
     */
    default void damaged(long frame, String reason) {
    }

    /** Makes everything accepted so far durable. */
    default void flush() {
    }
}
