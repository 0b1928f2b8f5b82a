package dev.juggler.pipeline;

import dev.juggler.JugglerException;
import dev.juggler.video.FrameRange;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one pipeline run. Immutable and thread-safe.
 *
 * @param range the frames requested
 * @param doneUntil every frame in {@code [range.from, doneUntil)} was delivered to the sink, and flushed unless
 *     the run failed in the sink itself (then only the sink's owner knows which of them are durable, e.g.
 *     {@link CheckpointingSink#durableUntil()})
 * @param failure why the run ended before {@code range.to}, if it failed (a broken video, a model error)
 * @param stopped {@code true} if the run ended early because it was asked to stop
 * @param wall wall-clock time of the run
 * @param decode decode latency per frame
 * @param inference inference latency per frame (a batch's time divided by its size)
 * @param loop whole-loop latency per frame: from the start of its decode to its delivery
 */
public record PipelineReport(FrameRange range, long doneUntil, Optional<JugglerException> failure, boolean stopped,
        Duration wall, StageStats decode, StageStats inference, StageStats loop) {

    public PipelineReport {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(wall, "wall");
    }

    /** Frames delivered. */
    public long framesDone() {
        return doneUntil - range.from();
    }

    /** {@code true} if every requested frame was delivered. */
    public boolean isComplete() {
        return doneUntil == range.to();
    }

    /** Delivered frames per second of wall time. */
    public double framesPerSecond() {
        double seconds = wall.toNanos() / 1e9;
        return seconds > 0 ? framesDone() / seconds : 0;
    }
}
