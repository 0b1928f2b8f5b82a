package dev.juggler.ledger;

/**
 * A snapshot of a ledger's progress. Immutable and thread-safe.
 *
 * @param tracksDone tracks all of whose frames are done
 * @param tracksFailed tracks with at least one failed chunk and nothing pending or leased
 * @param tracksRunning tracks with at least one leased chunk
 * @param tracksPending the other tracks (pending work, nothing leased)
 * @param frames frames by state
 */
public record Progress(long tracksDone, long tracksFailed, long tracksRunning, long tracksPending, WorkEstimate frames) {

    public long tracksTotal() {
        return tracksDone + tracksFailed + tracksRunning + tracksPending;
    }
}
