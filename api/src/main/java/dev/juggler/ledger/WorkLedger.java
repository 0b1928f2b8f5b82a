package dev.juggler.ledger;

import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The durable single source of truth of a run: videos, tracks, chunks, leases, staging state,
 * failures and frame results. Workers claim from it; the juggler reconciles against it; operators read
 * it through {@link LedgerReader}.
 *
 * <p>Guarantees every implementation must keep (checked by the contract test suite shipped in this
 * module's test-jar):
 * <ul>
 *   <li>every state change is one transaction;</li>
 *   <li>a claim never hands a frame to two live leases, and only hands out chunks of staged videos,
 *       highest track priority first, then oldest;</li>
 *   <li>calls that carry a lease are refused with {@link LeaseLostException} once the lease is gone;</li>
 *   <li>at every moment the DONE chunks of a track are disjoint, and when the track is done they cover
 *       its range exactly;</li>
 *   <li>frame results are idempotent by (track, frame).</li>
 * </ul>
 *
 * <p>Implementations are thread-safe and may be used from many processes at once against the same
 * store. Failures are {@link dev.juggler.JugglerException}s; transient ones (connection lost,
 * serialisation conflicts) are retried inside before they surface.
 */
public interface WorkLedger extends AutoCloseable {

    // --- catalogue ---------------------------------------------------------------------------------

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

    // --- claims and leases (workers) ---------------------------------------------------------------

    /**
     * Atomically leases the head of the best claimable chunk: at most {@code request.maxFrames()}
     * frames; a longer chunk is split and its rest stays pending. Empty when nothing is claimable.
     */
    Optional<Lease> claim(ClaimRequest request);

    /**
     * Extends a live lease and records a checkpoint: all frames before {@code checkpoint} are done and
     * their results stored.
     *
     * @param checkpoint the first frame not yet done, within {@code [range.from, range.to]}
     * @return the lease with its new expiry
     * @throws LeaseLostException if the lease was revoked, reaped or completed
     */
    Lease heartbeat(Lease lease, long checkpoint);

    /**
     * Completes a lease: frames {@code [range.from, doneUntil)} become a DONE chunk; the rest, if any,
     * goes back to pending as a new chunk (same attempt count).
     *
     * @throws LeaseLostException if the lease is no longer held
     */
    void complete(Lease lease, long doneUntil);

    /**
     * Records a failure of the leased frames from {@code doneUntil} on (the frames before it are
     * completed as in {@link #complete}). The rest goes back to pending with its attempt counted, or
     * becomes FAILED when {@code permanent} or when its attempts are exhausted. The reason is kept.
     *
     * @throws LeaseLostException if the lease is no longer held
     */
    void fail(Lease lease, long doneUntil, String reason, boolean permanent);

    /**
     * Returns every lease that expired before now to pending (from its last checkpoint on; frames
     * before the checkpoint are done), counting an attempt. Returns the number of leases reaped.
     */
    int reapExpired();

    /**
     * Revokes every live lease held by workers of the given batch job (the job ended or vanished); as
     * {@link #reapExpired()} for those leases. Returns the number of leases revoked.
     */
    int revokeJob(String jobId, String reason);

    /** Puts FAILED chunks that match the filter back to pending; returns how many. */
    default int reschedule(RescheduleFilter filter) {
        return Math.toIntExact(reschedule(filter, false).rescheduled());
    }

    /**
     * Puts FAILED chunks that match the filter back to pending with a fresh attempt budget, in one
     * transaction; or, with {@code dryRun}, only counts them. Each re-scheduled range gets a
     * {@link ChunkEvent.Kind#RESCHEDULED} entry in its track's history, after the failures it keeps.
     * Set-aside ranges are skipped unless the filter {@linkplain RescheduleFilter#namesReason names a
     * reason}. Safe to repeat: a second call finds nothing left to match.
     */
    RescheduleOutcome reschedule(RescheduleFilter filter, boolean dryRun);

    /** The prefix of the failure reason of chunks that {@link #setAside} set aside. */
    String SET_ASIDE_PREFIX = "set aside: ";

    /**
     * Sets a video's work aside: every PENDING chunk of its tracks becomes FAILED with the reason
     * {@value #SET_ASIDE_PREFIX}{@code reason}, so that it is no longer staged nor claimed, and an
     * operator sees it among the failures. Leased chunks are left to their workers. One transaction.
     * {@link #takeBack} (or {@link #reschedule} with a matching filter) puts the work back.
     *
     * @return the number of chunks set aside (0 if the video had no pending work)
     * @throws dev.juggler.NotFoundException if the video is not registered
     */
    int setAside(String videoId, String reason);

    /**
     * Takes back the work of a video that {@link #setAside} set aside: its FAILED chunks whose reason
     * starts with {@value #SET_ASIDE_PREFIX} become pending again (other failures of the video stay
     * failed). Returns how many chunks.
     */
    default int takeBack(String videoId) {
        return reschedule(RescheduleFilter.video(videoId).andReason("^" + java.util.regex.Pattern.quote(SET_ASIDE_PREFIX)));
    }

    // --- staging (juggler) -------------------------------------------------------------------------

    /**
     * Videos that have pending work but are not in the workspace (not staged, purged, or failed to
     * stage), in plan order (highest pending track priority, then registration order). A video whose
     * work is {@linkplain #setAside set aside} has no pending work, so it is not among them.
     */
    List<VideoRecord> videosToStage(int limit);

    /** Records a staging state change; {@code location} is required for STAGED, {@code error} for STAGE_FAILED. */
    void markStage(String videoId, StageState state, Optional<String> location, Optional<String> error);

    /** Staged videos none of whose tracks has pending or leased frames: safe to purge. */
    List<VideoRecord> videosToPurge();

    /** Frames by state across the ledger (see {@link WorkEstimate}). */
    WorkEstimate estimate();

    // --- results -----------------------------------------------------------------------------------

    /** Stores frame results idempotently by (track, frame); a frame stored twice keeps one row. */
    void storeResults(List<FrameResult> results);

    /** Streams the stored results of a track within a range, in frame order. */
    void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer);

    /** The read-only operator view over the same store. */
    LedgerReader reader();

    // --- job records (juggler) ---------------------------------------------------------------------

    /**
     * The juggler's durable record of its batch jobs in the same store (see {@link JobRecords}): what makes
     * a restarted juggler adopt instead of submitting twice. The default throws
     * {@link UnsupportedOperationException}: a juggler on such a ledger keeps its job records in memory
     * only (and says so), so a restart forgets them.
     */
    default JobRecords jobRecords() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no job records");
    }

    /** Releases what this ledger created (pools, embedded servers); idempotent. */
    @Override
    void close();
}
