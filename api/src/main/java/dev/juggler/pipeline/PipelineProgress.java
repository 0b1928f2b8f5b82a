package dev.juggler.pipeline;

import dev.juggler.video.FrameRange;
import java.time.Duration;
import java.util.Objects;

/**
 * A snapshot of one pipeline run: how far it is, how fast, how full each queue is, and the latency of each
 * stage so far. Immutable and thread-safe.
 *
 * @param range the frames of the run
 * @param nextFrame the first frame not delivered yet
 * @param elapsed time since the run started
 * @param decodeQueue frames decoded and waiting for preprocessing
 * @param inferenceQueue frames preprocessed and waiting for an inference thread
 * @param reorderBuffer frames inferred and waiting for an earlier frame before delivery
 * @param inFlight frames between decoding and delivery (bounded by the pipeline's {@code maxInFlight})
 * @param decode decode latency so far
 * @param inference inference latency per frame so far
 * @param loop whole-loop latency (decode start to delivery) so far
 * @param last {@code true} for the final snapshot of the run
 */
public record PipelineProgress(FrameRange range, long nextFrame, Duration elapsed, int decodeQueue, int inferenceQueue,
        int reorderBuffer, int inFlight, StageStats decode, StageStats inference, StageStats loop, boolean last) {

    /** Checks for nulls. */
    public PipelineProgress {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(decode, "decode");
        Objects.requireNonNull(inference, "inference");
        Objects.requireNonNull(loop, "loop");
    }

    /** Frames delivered so far. */
    public long framesDone() {
        return nextFrame - range.from();
    }

    /** Delivered frames per second of elapsed time. */
    public double framesPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? framesDone() / seconds : 0;
    }
}
