package dev.juggler.ledger;

import java.util.Objects;
import java.util.Optional;

/**
 * A filtered, sorted page of the track table. Immutable and thread-safe.
 *
 * @param videoId only tracks of this video
 * @param analysis only tracks of this analysis
 * @param sort the order of rows
 * @param offset rows to skip
 * @param limit rows to return at most (1..10000)
 */
public record TrackQuery(Optional<String> videoId, Optional<String> analysis, Sort sort, long offset, int limit) {

    /** Row orders. */
    public enum Sort { ID, VIDEO, PRIORITY_DESC }

    public TrackQuery {
        Objects.requireNonNull(videoId, "videoId");
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(sort, "sort");
        if (offset < 0) {
            throw new IllegalArgumentException("offset = " + offset + ": must be >= 0");
        }
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit = " + limit + ": must be in 1..10000");
        }
    }

    /** The first {@code limit} tracks by id. */
    public static TrackQuery firstPage(int limit) {
        return new TrackQuery(Optional.empty(), Optional.empty(), Sort.ID, 0, limit);
    }
}
