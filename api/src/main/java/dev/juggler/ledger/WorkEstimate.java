package dev.juggler.ledger;

/**
 * How much work the ledger holds right now, in frames, as the juggler needs it to size submissions.
 * Immutable and thread-safe.
 *
 * @param claimableFrames pending frames of staged videos: a worker that starts now finds them
 * @param waitingFrames pending frames of videos not staged yet: claimable once staging catches up
 * @param leasedFrames frames under a live lease
 * @param doneFrames frames done
 * @param failedFrames frames in failed chunks
 */
public record WorkEstimate(long claimableFrames, long waitingFrames, long leasedFrames, long doneFrames, long failedFrames) {

    /** All frames the ledger knows. */
    public long totalFrames() {
        return claimableFrames + waitingFrames + leasedFrames + doneFrames + failedFrames;
    }

    /** {@code true} if nothing is pending or leased: all work is done or failed. */
    public boolean isSettled() {
        return claimableFrames == 0 && waitingFrames == 0 && leasedFrames == 0;
    }
}
