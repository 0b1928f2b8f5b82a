package dev.juggler.ledger;

import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.util.List;
import java.util.Optional;

/**
 * The catalogue role of a {@link WorkLedger}: videos, their tracks and where each video stands in the
 * workspace. The juggler plans staging and purging from it; a host registers its corpus through it.
 *
 * <p>Each call is one transaction. Every staging mark throws {@link dev.juggler.NotFoundException} for a
 * video that is not registered and {@link IllegalArgumentException} for a blank location or reason.
 * Implementations are thread-safe.
 */
public interface VideoCatalogue {

    /**
     * Registers a video, or updates the stored metadata of an already registered one with the same id
     * (its staging state is kept).
     */
    void registerVideo(Video video);

    /** The registered video with this id, if any. */
    Optional<VideoRecord> video(String videoId);

    /**
     * Adds a track (its whole range becomes one pending chunk) and returns its id. Idempotent: adding
     * the same (video, analysis) again returns the existing track's id and changes nothing.
     *
     * @throws dev.juggler.NotFoundException if the video is not registered
     * @throws IllegalArgumentException if the range does not lie inside the video
     */
    long addTrack(TrackSpec spec);

    /**
     * Adds or resets a track derived from another one (a cleaned copy of a pose track, for instance): the same
     * video and range under analysis {@code analysis}, with the derivation's parameters recorded. The derived
     * track never has PENDING work, so no worker claims it: its frames become DONE only through
     * {@link #markDerivedDone} as the deriving tool writes their results. Deriving an existing track again
     * replaces its parameters, drops its DONE marks and its stored results (the derivation starts over), and
     * returns the same id. Frames the source lacks (failed or not yet done) stay uncovered in the derived
     * track; re-schedule them in the source, then derive again. A derived track's frames are not work: the
     * {@linkplain LedgerReader#progress() progress}, the {@linkplain #estimate() estimate} and the
     * {@linkplain LedgerReader#throughput throughput} leave them out; the track tables show it like any track.
     *
     * @throws dev.juggler.NotFoundException if the source track does not exist
     * @throws IllegalArgumentException if {@code analysis} is blank or names the source's own analysis, or if
     *     an existing track of that name on the video is not a derived track
     */
    long addDerivedTrack(long sourceTrackId, String analysis, String parameters);

    /**
     * Marks frames of a derived track DONE: their results are stored. Ranges may be marked in any order;
     * marking frames already marked changes nothing.
     *
     * @throws dev.juggler.NotFoundException if the track does not exist
     * @throws IllegalArgumentException if the track is not derived, or the range does not lie inside it
     */
    void markDerivedDone(long trackId, FrameRange range);

    /** How a track was derived, or empty for a track that workers compute (or an unknown id). */
    Optional<TrackDerivation> derivation(long trackId);

    /**
     * Videos that have pending work but are not in the workspace (not staged, purged, or failed to
     * stage), in plan order (highest pending track priority, then registration order). A video whose
     * work is {@linkplain WorkQueue#setAside set aside} has no pending work, so it is not among them.
     */
    List<VideoRecord> videosToStage(int limit);

    /** Records that a transfer of the video into the workspace has begun. */
    void markStaging(String videoId);

    /**
     * Records that the video is in the workspace, verified, at {@code location} (a path the workers can
     * open): its chunks become claimable.
     */
    void markStaged(String videoId, String location);

    /** Records that the last staging attempt failed, with its reason; the juggler retries it later. */
    void markStageFailed(String videoId, String error);

    /** Records that the video was removed from the workspace: its chunks are no longer claimable. */
    void markPurged(String videoId);

    /** Staged videos none of whose tracks has pending or leased frames: safe to purge. */
    List<VideoRecord> videosToPurge();

    /** Frames by state across the ledger (see {@link WorkEstimate}). */
    WorkEstimate estimate();
}
