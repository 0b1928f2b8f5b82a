package dev.juggler.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The FAILED chunks that share one exact failure reason. Immutable and thread-safe.
 *
 * @param reason the failure reason, exactly as stored ("" for a failure recorded without one)
 * @param chunks how many FAILED chunks carry it
 * @param frames their frames
 * @param tracks how many tracks they belong to
 * @param firstSeen the earliest of their last state changes
 * @param lastSeen the latest of their last state changes
 * @param exampleTracks a few of their tracks (the lowest and highest id)
 */
public record ReasonCount(String reason, long chunks, long frames, long tracks, Instant firstSeen, Instant lastSeen,
        List<Long> exampleTracks) {
    public ReasonCount {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
        exampleTracks = List.copyOf(exampleTracks);
    }
}
