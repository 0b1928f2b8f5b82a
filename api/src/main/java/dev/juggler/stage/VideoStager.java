package dev.juggler.stage;

import dev.juggler.video.Video;
import java.util.List;

/**
 * Brings videos into the cluster workspace and removes them, keeping the workspace within a byte
 * budget that counts transfers in progress.
 *
 * <p>Staging is resumable where the transport allows it, verified (size, and a checksum where
 * available) and atomic: a video appears under its final name only when it is complete. Implementations
 * are thread-safe; several videos may be staged at once.
 */
public interface VideoStager extends AutoCloseable {

    /**
     * Brings the video into the workspace (blocking) and returns where workers can read it. Staging a
     * video that is already there and complete returns at once.
     *
     * @throws WorkspaceFullException if the video does not fit into the budget now
     * @throws dev.juggler.video.VideoException if the source cannot be read
     */
    StagedVideo stage(Video video, StageListener listener);

    /** Removes the video from the workspace; a video that is not there is ignored. */
    void purge(String videoId);

    /** The budget and what takes it. */
    WorkspaceUsage usage();

    /** What is really in the workspace now (complete videos only), to reconcile after a restart. */
    List<StagedVideo> list();

    /** Stops transfers this stager started and releases its resources. Idempotent. */
    @Override
    void close();
}
