package dev.juggler.ledger;

import java.util.Objects;
import java.util.Optional;

/**
 * A filtered, sorted page of the chunk table. Immutable and thread-safe.
 *
 * @param trackId only chunks of this track
 * @param state only chunks in this state
 * @param sort the order of rows
 * @param offset rows to skip
 * @param limit rows to return at most (1..10000)
 */
public record ChunkQuery(Optional<Long> trackId, Optional<ChunkState> state, Sort sort, long offset, int limit) {

    /** Row orders. */
    public enum Sort {
        /** By track, then first frame: a track's chunks in video order. */
        TRACK_FRAME,
        /** Most recently changed first: what just failed or finished. */
        UPDATED_DESC,
        /** By chunk id. */
        ID
    }

    public ChunkQuery {
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(sort, "sort");
        if (offset < 0) {
            throw new IllegalArgumentException("offset = " + offset + ": must be >= 0");
        }
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit = " + limit + ": must be in 1..10000");
        }
    }

    /** A query in track and frame order. */
    public ChunkQuery(Optional<Long> trackId, Optional<ChunkState> state, long offset, int limit) {
        this(trackId, state, Sort.TRACK_FRAME, offset, limit);
    }

    /** The same query in another order. */
    public ChunkQuery sortedBy(Sort order) {
        return new ChunkQuery(trackId, state, order, offset, limit);
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
