package dev.juggler.ledger;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A filtered, sorted page of the chunk table. Set filters must all match. Immutable and thread-safe.
 *
 * @param trackId only chunks of this track
 * @param state only chunks in this state
 * @param videoId only chunks of this video's tracks
 * @param tags only chunks of videos that carry every one of these tags (key to value)
 * @param reasonLike only FAILED chunks whose failure reason matches this {@link ReasonLike} pattern
 * @param window only chunks whose last state change lies in this window
 * @param sort the order of rows
 * @param descending whether {@code sort} is reversed
 * @param offset rows to skip
 * @param limit rows to return at most (1..10000)
 */
public record ChunkQuery(Optional<Long> trackId, Optional<ChunkState> state, Optional<String> videoId, Map<String, String> tags,
        Optional<String> reasonLike, TimeWindow window, Sort sort, boolean descending, long offset, int limit) {

    /** Row orders (ties broken by chunk id). */
    public enum Sort {
        /** By track, then first frame: a track's chunks in video order. */
        TRACK_FRAME,
        /** Most recently changed first: what just failed or finished. */
        UPDATED_DESC,
        /** By chunk id. */
        ID,
        /** Most attempts first (ties: the latest chunk first). */
        ATTEMPTS_DESC
    }

    public ChunkQuery {
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(videoId, "videoId");
        tags = Map.copyOf(new TreeMap<>(Objects.requireNonNull(tags, "tags")));
        Objects.requireNonNull(reasonLike, "reasonLike").ifPresent(ReasonLike::require);
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(sort, "sort");
        Paging.check(offset, limit);
    }

    /** A query by track and state only. */
    public ChunkQuery(Optional<Long> trackId, Optional<ChunkState> state, Sort sort, long offset, int limit) {
        this(trackId, state, Optional.empty(), Map.of(), Optional.empty(), TimeWindow.always(), sort, false, offset, limit);
    }

    /** A query in track and frame order. */
    public ChunkQuery(Optional<Long> trackId, Optional<ChunkState> state, long offset, int limit) {
        this(trackId, state, Sort.TRACK_FRAME, offset, limit);
    }

    /** The same query in another order. */
    public ChunkQuery sortedBy(Sort order) {
        return sortedBy(order, false);
    }

    /** The same query in another order, possibly reversed. */
    public ChunkQuery sortedBy(Sort order, boolean reversed) {
        return new ChunkQuery(trackId, state, videoId, tags, reasonLike, window, order, reversed, offset, limit);
    }

    /** The same query, only for chunks in {@code value}. */
    public ChunkQuery inState(ChunkState value) {
        return new ChunkQuery(trackId, Optional.of(value), videoId, tags, reasonLike, window, sort, descending, offset, limit);
    }

    /** The same query, only for chunks of this video. */
    public ChunkQuery ofVideo(String id) {
        return new ChunkQuery(trackId, state, Optional.of(id), tags, reasonLike, window, sort, descending, offset, limit);
    }

    /** The same query, also requiring the tag {@code key=value}. */
    public ChunkQuery withTag(String key, String value) {
        Map<String, String> more = new TreeMap<>(tags);
        more.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new ChunkQuery(trackId, state, videoId, more, reasonLike, window, sort, descending, offset, limit);
    }

    /** The same query, only for chunks whose failure reason matches {@code pattern}. */
    public ChunkQuery withReason(String pattern) {
        return new ChunkQuery(trackId, state, videoId, tags, Optional.of(pattern), window, sort, descending, offset, limit);
    }

    /** The same query, only for chunks changed in {@code value}. */
    public ChunkQuery within(TimeWindow value) {
        return new ChunkQuery(trackId, state, videoId, tags, reasonLike, value, sort, descending, offset, limit);
    }

    /** The same filters, another page. */
    public ChunkQuery page(long rowOffset, int rowLimit) {
        return new ChunkQuery(trackId, state, videoId, tags, reasonLike, window, sort, descending, rowOffset, rowLimit);
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
