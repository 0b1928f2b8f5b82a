package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ChunkEvent;
import dev.juggler.ledger.ChunkState;
import dev.juggler.video.FrameRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chunk_history table: appends an entry inside the caller's transaction, and reads a track's entries.
 * Stateless apart from the database it writes to; thread-safe.
 */
final class ChunkHistory {

    private final LedgerDatabase db;

    ChunkHistory(LedgerDatabase db) {
        this.db = db;
    }

    /** Records that {@code [from, to)} of a chunk failed an attempt and went to {@code restState}. */
    void failed(Connection c, ChunkRow row, long from, ChunkState restState, int attempts, String reason, long atMillis)
            throws SQLException {
        append(c, row.id(), row.trackId(), from, row.to(), restState == ChunkState.FAILED ? ChunkEvent.Kind.FAILED
                : ChunkEvent.Kind.RETRIED, attempts, reason, row.leaseJob(), atMillis);
    }

    void append(Connection c, long chunkId, long trackId, long from, long to, ChunkEvent.Kind kind, int attempt, String reason,
            String jobId, long atMillis) throws SQLException {
        if (from >= to) {
            return; // nothing of the range was left to fail
        }
        try (PreparedStatement insert = c.prepareStatement(db.sql("INSERT INTO {p}chunk_history (chunk_id, track_id, frame_from,"
                + " frame_to, kind, attempt, reason, job_id, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"))) {
            insert.setLong(1, chunkId);
            insert.setLong(2, trackId);
            insert.setLong(3, from);
            insert.setLong(4, to);
            insert.setString(5, kind.name());
            insert.setInt(6, attempt);
            setNullable(insert, 7, reason);
            setNullable(insert, 8, jobId);
            insert.setLong(9, atMillis);
            insert.executeUpdate();
        }
    }

    /**
     * Appends one entry of {@code kind} for every chunk that {@code chunkCondition} (over alias {@code c},
     * with {@code parameters}) selects, in one statement: for changes of many rows at once.
     */
    void appendSelected(Connection c, ChunkEvent.Kind kind, String reason, long atMillis, String chunkCondition,
            Object... parameters) throws SQLException {
        Object[] all = new Object[parameters.length + 3];
        all[0] = kind.name();
        all[1] = reason;
        all[2] = atMillis;
        System.arraycopy(parameters, 0, all, 3, parameters.length);
        try (PreparedStatement insert = c.prepareStatement(db.sql("INSERT INTO {p}chunk_history (chunk_id, track_id, frame_from,"
                + " frame_to, kind, attempt, reason, job_id, at_ms) SELECT c.id, c.track_id, c.frame_from, c.frame_to, ?, c.attempts,"
                + " CAST(? AS VARCHAR), NULL, ? FROM {p}chunks c WHERE " + chunkCondition))) {
            Sql.bindAll(insert, all);
            insert.executeUpdate();
        }
    }

    List<ChunkEvent> ofTrack(long trackId, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit = " + limit + ": must be >= 1");
        }
        return db.tx("history(track=" + trackId + ")", c -> {
            List<ChunkEvent> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT chunk_id, frame_from, frame_to, kind, attempt, reason,"
                    + " job_id, at_ms FROM {p}chunk_history WHERE track_id = ? ORDER BY id FETCH FIRST ? ROWS ONLY"))) {
                select.setLong(1, trackId);
                select.setInt(2, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        result.add(new ChunkEvent(rows.getLong(1), trackId, FrameRange.of(rows.getLong(2), rows.getLong(3)),
                                ChunkEvent.Kind.valueOf(rows.getString(4)), rows.getInt(5), Optional.ofNullable(rows.getString(6)),
                                Optional.ofNullable(rows.getString(7)), Instant.ofEpochMilli(rows.getLong(8))));
                    }
                }
            }
            return result;
        });
    }

    private static void setNullable(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }
}
