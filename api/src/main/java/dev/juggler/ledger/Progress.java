package dev.juggler.ledger;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of a ledger's progress. Immutable and thread-safe.
 *
 * @param tracksDone tracks all of whose frames are done
 * @param tracksFailed tracks with at least one failed chunk and nothing pending or leased
 * @param tracksRunning tracks with at least one leased chunk
 * @param tracksPending the other tracks (pending work, nothing leased)
 * @param frames frames by state
 * @param framesPerSecond frames that became done per second over the last hour (or since the first
 *     track was added, if that is more recent); 0 when nothing was done in that window
 */
public record Progress(long tracksDone, long tracksFailed, long tracksRunning, long tracksPending, WorkEstimate frames,
        double framesPerSecond) {

    /** The window over which {@link #framesPerSecond()} is measured. */
    public static final Duration THROUGHPUT_WINDOW = Duration.ofHours(1);

    public Progress {
        java.util.Objects.requireNonNull(frames, "frames");
    }

    /** A snapshot without a throughput measurement. */
    public Progress(long tracksDone, long tracksFailed, long tracksRunning, long tracksPending, WorkEstimate frames) {
        this(tracksDone, tracksFailed, tracksRunning, tracksPending, frames, 0);
    }

    /**
     * Time to finish the pending and leased frames at {@link #framesPerSecond()}; empty when the rate is
     * not positive.
     */
    public Optional<Duration> eta() {
        if (!(framesPerSecond > 0)) {
            return Optional.empty();
        }
        long remaining = frames.claimableFrames() + frames.waitingFrames() + frames.leasedFrames();
        return Optional.of(Duration.ofMillis((long) Math.ceil(remaining / framesPerSecond * 1000)));
    }

    public long tracksTotal() {
        return tracksDone + tracksFailed + tracksRunning + tracksPending;
    }
}
