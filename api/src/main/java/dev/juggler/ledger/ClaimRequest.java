package dev.juggler.ledger;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a worker asks for when it claims work. Immutable and thread-safe.
 *
 * @param workerId a name for the claiming worker, unique while it lives (host + pid is typical)
 * @param jobId the batch-system job that runs the worker, so that the juggler can revoke the leases of a
 *     job that ended; empty when the worker does not run under a backend
 * @param maxFrames the most frames the worker can finish in its remaining time (adaptive chunk size):
 *     a larger pending chunk is split and only its head is leased
 * @param leaseDuration how long the lease lives without a heartbeat
 * @param analysis only claim chunks of tracks with this analysis name, or any when empty
 */
public record ClaimRequest(String workerId, Optional<String> jobId, long maxFrames, Duration leaseDuration,
        Optional<String> analysis) {

    public ClaimRequest {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(analysis, "analysis");
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames = " + maxFrames + ": must be >= 1");
        }
        if (leaseDuration.isNegative() || leaseDuration.isZero()) {
            throw new IllegalArgumentException("leaseDuration = " + leaseDuration + ": must be positive");
        }
    }

    /** A claim for any analysis, outside any batch job. */
    public static ClaimRequest of(String workerId, long maxFrames, Duration leaseDuration) {
        return new ClaimRequest(workerId, Optional.empty(), maxFrames, leaseDuration, Optional.empty());
    }

    /** The same request, tagged with the batch job that runs the worker. */
    public ClaimRequest withJobId(String id) {
        return new ClaimRequest(workerId, Optional.ofNullable(id), maxFrames, leaseDuration, analysis);
    }

    /** The same request, restricted to one analysis. */
    public ClaimRequest forAnalysis(String name) {
        return new ClaimRequest(workerId, jobId, maxFrames, leaseDuration, Optional.ofNullable(name));
    }
}
