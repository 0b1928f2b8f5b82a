package dev.juggler.ledger;

import dev.juggler.video.FrameRange;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of the chunk table. Immutable and thread-safe. Never shows a lease token.
 *
 * @param chunkId the chunk
 * @param trackId its track
 * @param videoId its track's video
 * @param range its frames
 * @param state its state
 * @param attempts how many times its frames were leased and came back
 * @param checkpoint for a leased chunk, the first frame not yet done
 * @param leaseOwner for a leased chunk, the worker holding it
 * @param jobId for a leased chunk, the batch job of that worker
 * @param leaseExpiresAt for a leased chunk, when its lease lapses
 * @param failureReason the last failure's reason, if any
 * @param updatedAt the last state change: a claim, completion, failure or re-schedule (a heartbeat is none)
 */
public record ChunkView(long chunkId, long trackId, String videoId, FrameRange range, ChunkState state, int attempts,
        long checkpoint, Optional<String> leaseOwner, Optional<String> jobId, Optional<Instant> leaseExpiresAt,
        Optional<String> failureReason, Instant updatedAt) {
}
