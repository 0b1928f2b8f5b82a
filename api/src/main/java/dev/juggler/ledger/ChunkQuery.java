package dev.juggler.ledger;

import java.util.Objects;
import java.util.Optional;

/**
 * A filtered page of the chunk table, ordered by track then first frame. Immutable and thread-safe.
 *
 * @param trackId only chunks of this track
 * @param state only chunks in this state
 * @param offset rows to skip
 * @param limit rows to return at most (1..10000)
 */
public record ChunkQuery(Optional<Long> trackId, Optional<ChunkState> state, long offset, int limit) {

    public ChunkQuery {
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(state, "state");
        if (offset < 0) {
            throw new IllegalArgumentException("offset = " + offset + ": must be >= 0");
        }
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit = " + limit + ": must be in 1..10000");
        }
    }

    /** The first {@code limit} chunks in the given state. */
    public static ChunkQuery inState(ChunkState state, int limit) {
        return new ChunkQuery(Optional.empty(), Optional.of(state), 0, limit);
    }

    /** The first {@code limit} chunks of a track. */
    public static ChunkQuery ofTrack(long trackId, int limit) {
        return new ChunkQuery(Optional.of(trackId), Optional.empty(), 0, limit);
    }
}
