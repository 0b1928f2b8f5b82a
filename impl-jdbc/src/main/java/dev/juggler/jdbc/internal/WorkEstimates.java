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
        return read(c, JdbcLedgerReader.notDerived(db, c));
    }

    /** As {@link #read(Connection)}, with {@link JdbcLedgerReader#notDerived} already asked in this transaction. */
    WorkEstimate read(Connection c, String notDerived) throws SQLException {
        long pending = 0;
        long leased = 0;
        long done = 0;
        long failed = 0;
        // DONE is the rest: the chunks of a track always partition its range, so the done frames are the tracks' frames
        // minus those of the PENDING, LEASED and FAILED chunks, which the state index finds without reading the DONE
        // ones. A long run leaves a DONE row per claim (hundreds of thousands for a corpus of 825M frames) while
        // only a few hundred chunks are live, and the juggler asks for this every tick. Chunks of derived tracks are
        // left out where there are any. The tracks are read first: the two statements may see
        // different moments, and a track registered between them then only lowers "done" for one reading, where
        // the other order would count its frames as done.
        long trackFrames;
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT COALESCE(SUM(frame_to - frame_from), 0) FROM {p}tracks"
                + " WHERE derived_from IS NULL"));
                ResultSet rows = select.executeQuery()) {
            rows.next();
            trackFrames = rows.getLong(1);
        }
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT state, SUM(frame_to - frame_from) FROM {p}chunks"
                + " WHERE state IN ('PENDING', 'LEASED', 'FAILED')" + notDerived + " GROUP BY state"));
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long frames = rows.getLong(2);
                switch (ChunkState.valueOf(rows.getString(1))) {
                    case PENDING -> pending += frames;
                    case LEASED -> leased += frames;
                    default -> failed += frames;
                }
            }
        }
        done = Math.max(0, trackFrames - pending - leased - failed);
        long claimable = 0;
        if (pending > 0) {
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT COALESCE(SUM(c.frame_to - c.frame_from), 0)"
                    + " FROM {p}videos v JOIN {p}tracks t ON t.video_id = v.id JOIN {p}chunks c{ix:chunks_track_state_ix} ON c.track_id = t.id"
                    + " WHERE v.stage_state = 'STAGED' AND c.state = 'PENDING'"));
                    ResultSet rows = select.executeQuery()) {
                rows.next();
                claimable = rows.getLong(1);
            }
        }
        return new WorkEstimate(claimable, pending - claimable, leased, done, failed);
    }
}
