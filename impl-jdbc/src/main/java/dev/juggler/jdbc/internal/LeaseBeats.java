package dev.juggler.jdbc.internal;

import dev.juggler.ledger.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * The heartbeats of live leases, in the narrow {@code lease_beats} table (schema version 8). A heartbeat is the
 * ledger's most frequent write, and writing it into the chunk row would rewrite that row's entries in every index of
 * the chunks table (H2 re-adds a row to all its indexes on any UPDATE; PostgreSQL cannot update a row in place when an
 * indexed column changes). Here it writes one row by its key, after locking the chunk row, which on H2 touches only
 * the primary key's entry.
 *
 * <p>A beat row counts only while its token is its chunk's lease token: a lease that ends needs no write here, its
 * row turns stale, and {@link #sweep} deletes it later. Until its first heartbeat a lease's checkpoint and expiry are
 * those its claim wrote into the chunk row. Whoever ends a lease holds the chunk's lock as a heartbeat does, and reads
 * the beat after taking it, so it sees every heartbeat that came first and no later one can succeed.
 *
 * <p>Stateless apart from the database; thread-safe.
 */
final class LeaseBeats {

    private final LedgerDatabase db;

    LeaseBeats(LedgerDatabase db) {
        this.db = db;
    }

    /** The lease's expiry, in milliseconds, of the chunk row aliased {@code c}: its last beat's, else its claim's. */
    static String expiry(String c) {
        return current(c, "expires_ms", "lease_expires_ms");
    }

    /** The checkpoint of the chunk row aliased {@code c}: its lease's last beat's, else the row's own. */
    static String checkpoint(String c) {
        return current(c, "checkpoint", "checkpoint");
    }

    // Only a LEASED row can have a beat that counts: the CASE keeps the lookup off the (many) other rows.
    private static String current(String c, String beatColumn, String chunkColumn) {
        return "CASE WHEN " + c + ".state = 'LEASED' THEN COALESCE((SELECT b." + beatColumn + " FROM {p}lease_beats b"
                + " WHERE b.chunk_id = " + c + ".id AND b.lease_token = " + c + ".lease_token), " + c + "." + chunkColumn
                + ") ELSE " + c + "." + chunkColumn + " END";
    }

    /**
     * Records a beat of {@code lease} at {@code nowMillis}: the checkpoint (never lowered within one lease) and the
     * expiry one lease duration from now. Returns the new expiry, or empty when the lease is no longer held.
     */
    OptionalLong beat(Connection c, Lease lease, long checkpoint, long nowMillis) throws SQLException {
        if (db.dialect().updateReturning()) {
            return beatInOneStatement(c, lease, checkpoint, nowMillis);
        }
        long duration;
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT lease_duration_ms FROM {p}chunks WHERE id = ?"
                + " AND lease_token = ? AND state = 'LEASED' AND frame_from = ? AND frame_to = ? FOR UPDATE"))) {
            Sql.bindAll(select, lease.chunkId(), lease.token(), lease.range().from(), lease.range().to());
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return OptionalLong.empty();
                }
                duration = rows.getLong(1);
            }
        }
        long expires = nowMillis + duration;
        int updated = Sql.update(c, db.sql("UPDATE {p}lease_beats SET checkpoint = CASE WHEN lease_token = ?"
                + " THEN GREATEST(checkpoint, ?) ELSE ? END, lease_token = ?, expires_ms = ?, beat_ms = ? WHERE chunk_id = ?"),
                lease.token(), checkpoint, checkpoint, lease.token(), expires, nowMillis, lease.chunkId());
        if (updated == 0) {
            Sql.update(c, db.sql("INSERT INTO {p}lease_beats (chunk_id, lease_token, checkpoint, expires_ms, beat_ms)"
                    + " VALUES (?, ?, ?, ?, ?)"), lease.chunkId(), lease.token(), checkpoint, expires, nowMillis);
        }
        return OptionalLong.of(expires);
    }

    // PostgreSQL: lock, upsert and answer in one round trip.
    private OptionalLong beatInOneStatement(Connection c, Lease lease, long checkpoint, long nowMillis) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement(db.sql("WITH l AS (SELECT id, lease_token, lease_duration_ms"
                + " FROM {p}chunks WHERE id = ? AND lease_token = ? AND state = 'LEASED' AND frame_from = ? AND frame_to = ?"
                + " FOR UPDATE) INSERT INTO {p}lease_beats AS b (chunk_id, lease_token, checkpoint, expires_ms, beat_ms)"
                + " SELECT id, lease_token, ?, ? + lease_duration_ms, ? FROM l ON CONFLICT (chunk_id) DO UPDATE SET"
                + " checkpoint = CASE WHEN b.lease_token = EXCLUDED.lease_token THEN GREATEST(b.checkpoint, EXCLUDED.checkpoint)"
                + " ELSE EXCLUDED.checkpoint END, lease_token = EXCLUDED.lease_token, expires_ms = EXCLUDED.expires_ms,"
                + " beat_ms = EXCLUDED.beat_ms RETURNING b.expires_ms"))) {
            Sql.bindAll(upsert, lease.chunkId(), lease.token(), lease.range().from(), lease.range().to(), checkpoint, nowMillis,
                    nowMillis);
            try (ResultSet rows = upsert.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Deletes the beats of leases that have ended; returns how many. */
    int sweep(Connection c) throws SQLException {
        return Sql.update(c, db.sql("DELETE FROM {p}lease_beats b WHERE NOT EXISTS (SELECT 1 FROM {p}chunks c"
                + " WHERE c.id = b.chunk_id AND c.lease_token = b.lease_token)"));
    }
}
