package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.WorkEstimate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads the {@link WorkEstimate} (frames by state, pending split into claimable and not yet staged)
 * inside the caller's transaction: for the catalogue's estimate and the operator views' progress.
 * Stateless apart from the database; thread-safe.
 */
final class WorkEstimates {

    private final LedgerDatabase db;

    WorkEstimates(LedgerDatabase db) {
        this.db = db;
    }

    WorkEstimate read(Connection c) throws SQLException {
        long pending = 0;
        long leased = 0;
        long done = 0;
        long failed = 0;
        // One pass over the chunks without joins (the chunks of derived tracks are left out by a hashed subquery
        // over the tracks); the claimable part of the pending frames is then read from the few staged videos
        // through the indexes (the workspace holds a handful, the corpus millions).
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT state, SUM(frame_to - frame_from) FROM {p}chunks"
                + " WHERE 1 = 1" + JdbcLedgerReader.NOT_DERIVED + " GROUP BY state"));
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long frames = rows.getLong(2);
                switch (ChunkState.valueOf(rows.getString(1))) {
                    case PENDING -> pending += frames;
                    case LEASED -> leased += frames;
                    case DONE -> done += frames;
                    default -> failed += frames;
                }
            }
        }
        long claimable = 0;
        if (pending > 0) {
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT COALESCE(SUM(c.frame_to - c.frame_from), 0)"
                    + " FROM {p}videos v JOIN {p}tracks t ON t.video_id = v.id JOIN {p}chunks c ON c.track_id = t.id"
                    + " WHERE v.stage_state = 'STAGED' AND c.state = 'PENDING'"));
                    ResultSet rows = select.executeQuery()) {
                rows.next();
                claimable = rows.getLong(1);
            }
        }
        return new WorkEstimate(claimable, pending - claimable, leased, done, failed);
    }
}
