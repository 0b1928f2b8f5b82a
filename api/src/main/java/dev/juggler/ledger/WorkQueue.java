package dev.juggler.ledger;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The work-queue role of a {@link WorkLedger}: chunks of frames handed to workers under fenced,
 * time-limited leases, and the operator's ways of putting failed work back.
 *
 * <p>A claim never hands a frame to two live leases; calls that carry a lease are refused with
 * {@link LeaseLostException} once the lease is gone; the DONE chunks of a track stay disjoint. Each call
 * is one transaction. Implementations are thread-safe and may be shared by many processes.
 */
public interface WorkQueue {

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
     * Completes a lease as {@link #complete(Lease, long)} does, except that the {@code damaged} frames before
     * {@code doneUntil} become FAILED one-frame ranges with their reasons (adjacent ones with the same reason
     * one range; see {@link LeaseSettlement}). They fail permanently, as analysing them again fails the same
     * way until the video is replaced; {@link #reschedule} takes them back like any failed range. Each
     * FAILED range is recorded in the chunk history. With no damaged frames this is
     * {@code complete(lease, doneUntil)}.
     *
     * @throws LeaseLostException if the lease is no longer held
     * @throws IllegalArgumentException if a damaged frame lies outside {@code [range.from, doneUntil)} or is
     *     listed twice
     */
    void complete(Lease lease, long doneUntil, List<DamagedFrame> damaged);

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
        return reschedule(RescheduleFilter.video(videoId).andReason("^" + Pattern.quote(SET_ASIDE_PREFIX)));
    }
}
