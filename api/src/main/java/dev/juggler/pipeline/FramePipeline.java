package dev.juggler.pipeline;

/**
 * Decodes a frame range, runs the model on every frame and delivers the results in frame order, with
 * every stage joined by bounded queues so that memory is fixed by the queue sizes and not by the video
 * length. A broken video or a failing model ends the run with a report, never a crash: the frames
 * before the failure are delivered.
 *
 * <p>Implementations are thread-safe, but run one request at a time per call; they own threads and
 * native resources and must be closed.
 */
public interface FramePipeline extends AutoCloseable {

    /** Runs the request to its end (complete, failed or stopped) and reports. Blocks. */
    PipelineReport run(PipelineRequest request);

    /** Stops worker threads and frees what the pipeline holds. Idempotent. */
    @Override
    void close();
}
