package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ChunkState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Inserts into the chunks table, shared by the catalogue (a new track's first chunk), the claims (the
 * unleased rest of a split chunk) and the lease ends (the unfinished rest of a settled chunk).
 * Stateless apart from the database; thread-safe.
 */
final class Chunks {

    /** A chunk row to insert; its checkpoint starts at {@code from} and its version at 0. Immutable. */
    record NewChunk(long trackId, long from, long to, ChunkState state, int attempts, String reason, int priority,
            long createdMs) {
    }

    private static final NamedSql INSERT = NamedSql.parse("INSERT INTO {p}chunks (track_id, frame_from, frame_to, state, version,"
            + " checkpoint, attempts, failure_reason, priority, created_ms, updated_ms) VALUES (:track, :from, :to, :state, 0,"
            + " :from, :attempts, :reason, :priority, :created, :now)");

    private final LedgerDatabase db;

    Chunks(LedgerDatabase db) {
        this.db = db;
    }

    /** Inserts {@code chunk}, last updated at {@code nowMillis}, inside the caller's transaction. */
    /** The id of the track's chunk that starts at {@code from} (chunks of a track never overlap). */
    long idAt(Connection c, long trackId, long from) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT id FROM {p}chunks WHERE track_id = ? AND frame_from = ?"))) {
            select.setLong(1, trackId);
            select.setLong(2, from);
            try (java.sql.ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("no chunk of track " + trackId + " starts at frame " + from);
                }
                return rows.getLong(1);
            }
        }
    }

    void insert(Connection c, NewChunk chunk, long nowMillis) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(db.sql(INSERT.sql()))) {
            INSERT.bind(insert, NamedSql.params().set("track", chunk.trackId()).set("from", chunk.from()).set("to", chunk.to())
                    .set("state", chunk.state().name()).set("attempts", chunk.attempts()).set("reason", chunk.reason())
                    .set("priority", chunk.priority()).set("created", chunk.createdMs()).set("now", nowMillis));
            insert.executeUpdate();
        }
    }
}
