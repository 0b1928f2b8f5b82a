package dev.juggler.ledger;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A filtered, sorted page of the track table. Set filters must all match. Immutable and thread-safe.
 *
 * @param videoId only tracks of this video
 * @param analysis only tracks of this analysis
 * @param state only tracks in this derived state (DONE, FAILED, LEASED for running, PENDING)
 * @param tags only tracks of videos that carry every one of these tags (key to value)
 * @param reasonLike only tracks with a FAILED chunk whose failure reason matches this {@link ReasonLike} pattern
 * @param window only tracks with a chunk whose last state change lies in this window
 * @param sort the order of rows
 * @param descending whether {@code sort} is reversed
 * @param offset rows to skip
 * @param limit rows to return at most (1..10000)
 */
public record TrackQuery(Optional<String> videoId, Optional<String> analysis, Optional<ChunkState> state,
        Map<String, String> tags, Optional<String> reasonLike, TimeWindow window, Sort sort, boolean descending, long offset,
        int limit) {

    /** Row orders (ties broken by track id). */
    public enum Sort { ID, VIDEO, PRIORITY_DESC, ANALYSIS }

    public TrackQuery {
        Objects.requireNonNull(videoId, "videoId");
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(state, "state");
        tags = Map.copyOf(new TreeMap<>(Objects.requireNonNull(tags, "tags")));
        Objects.requireNonNull(reasonLike, "reasonLike").ifPresent(ReasonLike::require);
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(sort, "sort");
        Paging.check(offset, limit);
    }

    /** A query without tag, reason or time filters. */
    public TrackQuery(Optional<String> videoId, Optional<String> analysis, Optional<ChunkState> state, Sort sort, long offset,
            int limit) {
        this(videoId, analysis, state, Map.of(), Optional.empty(), TimeWindow.always(), sort, false, offset, limit);
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
        return new TrackQuery(videoId, analysis, Optional.of(derivedState), tags, reasonLike, window, sort, descending, offset,
                limit);
    }

    /** The same query, only for tracks of this video. */
    public TrackQuery ofVideo(String id) {
        return new TrackQuery(Optional.of(id), analysis, state, tags, reasonLike, window, sort, descending, offset, limit);
    }

    /** The same query, only for tracks of this analysis. */
    public TrackQuery ofAnalysis(String name) {
        return new TrackQuery(videoId, Optional.of(name), state, tags, reasonLike, window, sort, descending, offset, limit);
    }

    /** The same query, also requiring the tag {@code key=value}. */
    public TrackQuery withTag(String key, String value) {
        Map<String, String> more = new TreeMap<>(tags);
        more.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new TrackQuery(videoId, analysis, state, more, reasonLike, window, sort, descending, offset, limit);
    }

    /** The same query, only for tracks with a failure reason matching {@code pattern}. */
    public TrackQuery withReason(String pattern) {
        return new TrackQuery(videoId, analysis, state, tags, Optional.of(pattern), window, sort, descending, offset, limit);
    }

    /** The same query, only for tracks with a change in {@code value}. */
    public TrackQuery within(TimeWindow value) {
        return new TrackQuery(videoId, analysis, state, tags, reasonLike, value, sort, descending, offset, limit);
    }

    /** The same query in another order. */
    public TrackQuery sortedBy(Sort value, boolean reversed) {
        return new TrackQuery(videoId, analysis, state, tags, reasonLike, window, value, reversed, offset, limit);
    }

    /** The same filters, another page. */
    public TrackQuery page(long rowOffset, int rowLimit) {
        return new TrackQuery(videoId, analysis, state, tags, reasonLike, window, sort, descending, rowOffset, rowLimit);
    }

    /** The same query, one page further on. */
    public TrackQuery nextPage() {
        return page(offset + limit, limit);
    }
}
