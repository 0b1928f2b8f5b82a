package dev.juggler.pipeline;

import dev.juggler.video.FrameRange;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One run of a pipeline over a frame range. Immutable; the callbacks it holds are called from the
 * pipeline's delivery thread.
 *
 * @param trackId the track the results belong to
 * @param videoLocation the video to read
 * @param range the frames to analyse
 * @param sink where results go, in frame order
 * @param checkpoints told of progress every N frames / T seconds, after the sink was flushed; returns
 *     {@code false} to stop the run (e.g. the lease was lost)
 * @param stopRequested polled by the decoder before every frame; {@code true} stops the run early (e.g.
 *     on SIGTERM); the frames decoded so far are still delivered
 */
public record PipelineRequest(long trackId, String videoLocation, FrameRange range, FrameResultSink sink,
        CheckpointListener checkpoints, BooleanSupplier stopRequested) {

    public PipelineRequest {
        Objects.requireNonNull(videoLocation, "videoLocation");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(stopRequested, "stopRequested");
    }

    /** A run with no checkpoints and no stop signal. */
    public static PipelineRequest simple(long trackId, String videoLocation, FrameRange range, FrameResultSink sink) {
        return new PipelineRequest(trackId, videoLocation, range, sink, next -> true, () -> false);
    }

    /** Receives checkpoints. */
    @FunctionalInterface
    public interface CheckpointListener {
        /**
         * @param nextFrame the first frame whose result has not been delivered yet
         * @return {@code true} to go on, {@code false} to stop the run
         */
        boolean onCheckpoint(long nextFrame);
    }
}
