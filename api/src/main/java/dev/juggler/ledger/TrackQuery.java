package dev.juggler.ledger;

import java.util.Objects;
import java.util.Optional;

/**
 * A filtered, sorted page of the track table. Immutable and thread-safe.
 *
 * @param videoId only tracks of this video
 * @param analysis only tracks of this analysis
 * @param state only tracks in this derived state (DONE, FAILED, LEASED for running, PENDING)
 * @param sort the order of rows
 * @param offset rows to skip
 * @param limit rows to return at most (1..10000)
 */
public record TrackQuery(Optional<String> videoId, Optional<String> analysis, Optional<ChunkState> state, Sort sort,
        long offset, int limit) {

    /** Row orders. */
    public enum Sort { ID, VIDEO, PRIORITY_DESC }

    public TrackQuery {
        Objects.requireNonNull(videoId, "videoId");
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(sort, "sort");
        if (offset < 0) {
            throw new IllegalArgumentException("offset = " + offset + ": must be >= 0");
        }
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit = " + limit + ": must be in 1..10000");
        }
    }

    /** A query without a state filter. */
    public TrackQuery(Optional<String> videoId, Optional<String> analysis, Sort sort, long offset, int limit) {
        this(videoId, analysis, Optional.empty(), sort, offset, limit);
    }

    /** The first {@code limit} tracks by id. */
    public static TrackQuery firstPage(int limit) {
        return new TrackQuery(Optional.empty(), Optional.empty(), Sort.ID, 0, limit);
    }

    /** The same query, only for tracks in {@code derivedState} (e.g. FAILED ones to re-schedule). */
    public TrackQuery inState(ChunkState derivedState) {
        return new TrackQuery(videoId, analysis, Optional.of(derivedState), sort, offset, limit);
    }

    /** The same query, one page further on. */
    public TrackQuery nextPage() {
        return new TrackQuery(videoId, analysis, state, sort, offset + limit, limit);
    }
}
