package dev.juggler.pipeline;

/**
 * Decodes a frame range, runs the model on every frame and delivers the results in frame order, with
 * every stage joined by bounded queues so that memory is fixed by the queue sizes and not by the video
 * length. A broken video or a failing model ends the run with a report, never a crash: the frames
 * before the failure are delivered.
 *
 * <p>What the {@code Worker} relies on, checked for every implementation by {@code FramePipelineContract}
 * (api test-jar): results reach the sink exactly once per frame of the range, in frame order, from one thread;
 * every delivered frame but the last is reported to {@link PipelineRequest#checkpoints()}, and the sink is
 * flushed when the run ends; a stop (listener, stop signal or {@link #close()}) ends the run promptly and
 * the report says how far it got; a broken video, a failing model or a failing sink is a failed report from
 * that frame on, never an exception; an empty range is complete at once. Implementations keep no checkpoint
 * policy: the run's owner decides it ({@link CheckpointingSink}); {@link ResultDelivery} and {@link RunGate}
 * carry the shared parts.
 *
 * <p>Implementations are thread-safe, but run one request at a time per call; they own threads and
 * native resources and must be closed. {@link #run} after {@link #close()} throws
 * {@link IllegalStateException}.
 */
public interface FramePipeline extends AutoCloseable {

    /** Runs the request to its end (complete, failed or stopped) and reports. Blocks. */
    PipelineReport run(PipelineRequest request);

    /** Stops worker threads and frees what the pipeline holds. Idempotent. */
    @Override
    void close();
}
