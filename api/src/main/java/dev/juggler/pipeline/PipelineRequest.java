package dev.juggler.pipeline;

import dev.juggler.video.FrameRange;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One run of a pipeline over a frame range. Immutable; the callbacks it holds are called from the
 * pipeline's delivery thread.
 *
 * <p>What a pipeline does with it (the rules {@code FramePipelineContract} checks): it hands the sink the
 * result of every frame of the range exactly once, in frame order, and after each delivered frame but the
 * range's last tells {@code checkpoints} how far it got; it calls {@link FrameResultSink#flush()} once when
 * the run ends. It keeps no checkpoint policy of its own: when to flush and checkpoint is decided by whoever
 * owns the run, normally with one {@link CheckpointingSink} passed as both ({@link #checkpointed}).
 *
 * @param trackId the track the results belong to
 * @param videoLocation the video to read
 * @param range the frames to analyse
 * @param sink where results go, in frame order
 * @param checkpoints told after every delivered frame but the range's last that every frame before
 *     {@code nextFrame} was delivered; returns {@code false} to stop the run (e.g. the lease was lost): the
 *     pipeline then delivers nothing more and reports the run stopped
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

    /** A run whose results and frames-done reports both go to one checkpointing sink. */
    public static PipelineRequest checkpointed(long trackId, String videoLocation, FrameRange range,
            CheckpointingSink sink, BooleanSupplier stopRequested) {
        return new PipelineRequest(trackId, videoLocation, range, sink, sink, stopRequested);
    }

    /** Told how far a run got; a {@link CheckpointingSink} turns these reports into checkpoints. */
    @FunctionalInterface
    public interface CheckpointListener {
        /**
         * @param nextFrame the first frame whose result has not been delivered yet
         * @return {@code true} to go on, {@code false} to stop the run
         */
        boolean onCheckpoint(long nextFrame);
    }
}
