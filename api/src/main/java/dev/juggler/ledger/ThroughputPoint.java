package dev.juggler.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * One bucket of the throughput history. Immutable and thread-safe.
 *
 * @param start the bucket's first instant
 * @param framesDone frames whose chunk became DONE in the bucket
 * @param jobsRunning batch jobs recorded as running at some time in the bucket (0 without job records)
 */
public record ThroughputPoint(Instant start, long framesDone, long jobsRunning) {
    public ThroughputPoint {
        Objects.requireNonNull(start, "start");
    }
}
