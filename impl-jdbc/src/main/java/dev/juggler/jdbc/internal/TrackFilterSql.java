package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ReasonLike;
import dev.juggler.ledger.TimeWindow;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The WHERE conditions of the operator views, as SQL over alias {@code t} (tracks) and {@code c} (chunks),
 * with their parameters appended in order. A track's derived state is tested with EXISTS probes on its
 * chunks (index {@code chunks (track_id, state)}) rather than by summing every chunk of every track, so a
 * filtered page costs its rows, not the whole table.
 *
 * <p>Paging and time bounds are numeric literals, not parameters: PostgreSQL plans a statement it has seen five
 * times once for all values, and a plan made without knowing that only 50 rows or the last hour are wanted
 * hashes whole tables (200-400 ms at 1M chunks instead of a few ms). They are numbers this code formats, never
 * text from a request. Stateless.
 */
final class TrackFilterSql {

    private TrackFilterSql() {
    }

    private static String chunkOfTrack(String condition) {
        return "EXISTS (SELECT 1 FROM {p}chunks x WHERE x.track_id = t.id AND " + condition + ")";
    }

    /** The condition that a track's derived state is {@code state}. */
    static String derivedState(ChunkState state) {
        String leased = chunkOfTrack("x.state = 'LEASED'");
        String pending = chunkOfTrack("x.state = 'PENDING'");
        return switch (state) {
            case LEASED -> leased;
            case PENDING -> "NOT " + leased + " AND " + pending;
            case FAILED -> "NOT " + chunkOfTrack("x.state IN ('LEASED', 'PENDING')") + " AND " + chunkOfTrack("x.state = 'FAILED'");
            // A scalar subquery, not NOT EXISTS: PostgreSQL would turn that into an anti-join that hashes every
            // unfinished chunk, where probing the index per track stops as soon as a page (or a count's cap) is full.
            case DONE -> "(SELECT 1 FROM {p}chunks x WHERE x.track_id = t.id AND x.state <> 'DONE' FETCH FIRST 1 ROWS ONLY) IS NULL";
        };
    }

    /** Tags of the video of alias {@code videoColumn}, every one required. */
    static void tags(StringBuilder sql, List<Object> parameters, String videoColumn, Map<String, String> tags) {
        tags.forEach((key, value) -> {
            sql.append(" AND EXISTS (SELECT 1 FROM {p}video_tags g WHERE g.video_id = ").append(videoColumn)
                    .append(" AND g.tag_key = ? AND g.tag_value = ?)");
            parameters.add(key);
            parameters.add(value);
        });
    }

    /** A {@link ReasonLike} condition on a reason column. */
    static void reason(StringBuilder sql, List<Object> parameters, String column, Optional<String> pattern) {
        pattern.ifPresent(p -> {
            sql.append(" AND ").append(column).append(" IS NOT NULL AND LOWER(").append(column).append(") LIKE ? ESCAPE '\\'");
            parameters.add(ReasonLike.toSqlLike(p));
        });
    }

    /** A time-window condition on a millisecond column (bounds as literals, see above). */
    static void window(StringBuilder sql, String column, TimeWindow window) {
        window.since().ifPresent(since -> sql.append(" AND ").append(column).append(" >= ").append(since.toEpochMilli()));
        window.until().ifPresent(until -> sql.append(" AND ").append(column).append(" < ").append(until.toEpochMilli()));
    }

    /** {@code OFFSET n ROWS FETCH NEXT m ROWS ONLY} with the query's checked bounds as literals. */
    static String page(long offset, int limit) {
        return " OFFSET " + offset + " ROWS FETCH NEXT " + limit + " ROWS ONLY";
    }

    /** The conditions of a track query, starting with " WHERE". */
    static String where(dev.juggler.ledger.TrackQuery query, List<Object> parameters) {
        StringBuilder sql = new StringBuilder(" WHERE 1 = 1");
        query.videoId().ifPresent(id -> {
            sql.append(" AND t.video_id = ?");
            parameters.add(id);
        });
        query.analysis().ifPresent(name -> {
            sql.append(" AND t.analysis = ?");
            parameters.add(name);
        });
        tags(sql, parameters, "t.video_id", query.tags());
        query.state().ifPresent(state -> sql.append(" AND ").append(derivedState(state)));
        if (query.reasonLike().isPresent()) {
            StringBuilder inner = new StringBuilder("x.state = 'FAILED'");
            reason(inner, parameters, "x.failure_reason", query.reasonLike());
            sql.append(" AND ").append(chunkOfTrack(inner.toString()));
        }
        if (!query.window().isAlways()) {
            // IN over the changes of the window (index on updated_ms), not a probe per track: a recent window holds
            // few chunks, and probing every track's chunks to fill a count would read them all.
            StringBuilder inner = new StringBuilder("SELECT w.track_id FROM {p}chunks w WHERE 1 = 1");
            window(inner, "w.updated_ms", query.window());
            sql.append(" AND t.id IN (").append(inner).append(")");
        }
        return sql.toString();
    }

    /** The ORDER BY of a track query. */
    static String order(dev.juggler.ledger.TrackQuery query) {
        String direction = query.descending() ? " DESC" : "";
        return switch (query.sort()) {
            case ID -> " ORDER BY t.id" + direction;
            case VIDEO -> " ORDER BY t.video_id" + direction + ", t.id" + direction;
            case ANALYSIS -> " ORDER BY t.analysis" + direction + ", t.id" + direction;
            case PRIORITY_DESC -> " ORDER BY t.priority" + (query.descending() ? "" : " DESC") + ", t.id";
        };
    }

    /** The conditions of a chunk query over {@code c} joined to its track {@code t}, starting with " WHERE". */
    static String where(dev.juggler.ledger.ChunkQuery query, List<Object> parameters) {
        StringBuilder sql = new StringBuilder(" WHERE 1 = 1");
        query.trackId().ifPresent(id -> {
            sql.append(" AND c.track_id = ?");
            parameters.add(id);
        });
        query.state().ifPresent(state -> {
            sql.append(" AND c.state = ?");
            parameters.add(state.name());
        });
        query.videoId().ifPresent(id -> {
            sql.append(" AND t.video_id = ?");
            parameters.add(id);
        });
        tags(sql, parameters, "t.video_id", query.tags());
        if (query.reasonLike().isPresent()) {
            sql.append(" AND c.state = 'FAILED'");
            reason(sql, parameters, "c.failure_reason", query.reasonLike());
        }
        window(sql, "c.updated_ms", query.window());
        return sql.toString();
    }

    /** The ORDER BY of a chunk query. */
    static String order(dev.juggler.ledger.ChunkQuery query) {
        String d = query.descending() ? " DESC" : "";
        String r = query.descending() ? "" : " DESC";
        return switch (query.sort()) {
            case UPDATED_DESC -> " ORDER BY c.updated_ms" + r + ", c.id" + r;
            case ID -> " ORDER BY c.id" + d;
            case ATTEMPTS_DESC -> " ORDER BY c.attempts" + r + ", c.id" + r;
            case TRACK_FRAME -> " ORDER BY c.track_id" + d + ", c.frame_from" + d;
        };
    }
}
