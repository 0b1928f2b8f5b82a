package dev.juggler.stage;

import dev.juggler.video.Video;
import java.util.List;

/**
 * Brings videos into the cluster workspace and removes them, keeping the workspace within a byte
 * budget that counts transfers in progress.
 *
 * <p>Staging is resumable where the transport allows it, verified (size, and a checksum where
 * available) and atomic: a video appears under its final name only when it is complete. Implementations
 * are thread-safe; several videos may be staged at once. {@link StagingProtocol} implements all of it
 * over a small {@link StagingTransport}; a new kind of workspace usually needs only a transport.
 *
 * <h2>The rules the Juggler relies on</h2>
 * Checked by {@code VideoStagerContract} in the api test-jar:
 * <ul>
 * <li><b>The budget is never exceeded.</b> At every moment {@code usedBytes + reservedBytes <= budgetBytes}
 *     and the complete videos in {@link #list()} fit the budget. A video counts in
 *     {@link WorkspaceUsage#reservedBytes()} from the moment {@link #stage} accepts it (before its bytes
 *     move, also while it waits for a transfer slot) until it counts in {@link WorkspaceUsage#usedBytes()}
 *     instead, or is given up; never in both, never in neither. A caller that plans several transfers
 *     therefore needs to count only those it has not yet handed to {@code stage}.</li>
 * <li><b>A resumed partial copy continues</b> from its length: the first progress report is that
 *     length, and only the missing bytes move.</li>
 * <li><b>A corrupt copy is never accepted</b>: a copy whose size or checksum differs from the source is
 *     deleted and the call fails transiently; the next call copies afresh.</li>
 * <li><b>Purging frees the space</b> at once, also of a partial copy, and stops a transfer of the video
 *     in progress.</li>
 * <li><b>{@link #list()} reconciles</b>: it reports what is really in the workspace (a new stager over
 *     the same workspace sees it; partial and foreign files are not videos) and {@link #usage()} follows
 *     it.</li>
 * <li><b>Any id is safe</b>: shell metacharacters, path separators, control characters and non-ASCII
 *     text round-trip through {@link #list()} unchanged and never reach a shell; ids that cannot be a
 *     file name are refused with an {@link dev.juggler.InvalidConfigException}.</li>
 * <li><b>Errors are typed</b>: {@link WorkspaceFullException} (transient) when the video does not fit
 *     now; {@link dev.juggler.video.VideoException} (permanent) when the source cannot be read; a
 *     transient {@link dev.juggler.JugglerException} for a transfer that failed, was stopped (purge,
 *     close, interrupt: the thread's interrupt flag is kept) or produced a bad copy; a caller sharing
 *     another call's transfer gets the same exception, never a wrapper such as
 *     {@link java.util.concurrent.CompletionException}.</li>
 * </ul>
 *
 * <p>A video whose location is a folder of still images (an image folder) is staged as one file, its
 * {@link ImageFolderArchive}, under the same rules; {@code ImageFolderStagerContract} in the api test-jar
 * checks that.
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
