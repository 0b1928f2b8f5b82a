package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.JobRecord;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.video.FrameRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read-only operator views over a {@link JdbcWorkLedger}'s tables. Each call runs one short
 * read transaction. Never exposes lease tokens. Thread-safe.
 */
final class JdbcLedgerReader implements LedgerReader {

    /** Per-track frame sums and the derived state, one row per track. */
    private static final String TRACK_SUMMARY = "SELECT t.id, t.video_id, t.analysis, t.frame_from, t.frame_to, t.priority,"
            + " COALESCE(SUM(CASE WHEN c.state = 'DONE' THEN c.frame_to - c.frame_from ELSE 0 END), 0) AS frames_done,"
            + " COALESCE(SUM(CASE WHEN c.state = 'FAILED' THEN c.frame_to - c.frame_from ELSE 0 END), 0) AS frames_failed,"
            + " COALESCE(SUM(CASE WHEN c.state = 'LEASED' THEN c.frame_to - c.frame_from ELSE 0 END), 0) AS frames_leased,"
            + " COALESCE(SUM(CASE WHEN c.state = 'PENDING' THEN c.frame_to - c.frame_from ELSE 0 END), 0) AS frames_pending"
            + " FROM {p}tracks t LEFT JOIN {p}chunks c ON c.track_id = t.id";
    private static final String TRACK_GROUP = " GROUP BY t.id, t.video_id, t.analysis, t.frame_from, t.frame_to, t.priority";
    private static final String DERIVED_STATE = "CASE WHEN s.frames_leased > 0 THEN 'LEASED' WHEN s.frames_pending > 0 THEN 'PENDING'"
            + " WHEN s.frames_failed > 0 THEN 'FAILED' ELSE 'DONE' END";

    private final JdbcWorkLedger ledger;

    JdbcLedgerReader(JdbcWorkLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public Progress progress() {
        return ledger.tx("progress", c -> {
            long done = 0;
            long failed = 0;
            long running = 0;
            long pending = 0;
            try (PreparedStatement select = c.prepareStatement(ledger.sql("SELECT " + DERIVED_STATE + " AS derived, COUNT(*) FROM ("
                    + TRACK_SUMMARY + TRACK_GROUP + ") s GROUP BY " + DERIVED_STATE));
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long count = rows.getLong(2);
                    switch (ChunkState.valueOf(rows.getString(1))) {
                        case DONE:
                            done += count;
                            break;
                        case FAILED:
                            failed += count;
                            break;
                        case LEASED:
                            running += count;
                            break;
                        default:
                            pending += count;
                    }
                }
            }
            WorkEstimate frames = ledger.estimate(c);
            double rate = framesPerSecondLastHour(c);
            return new Progress(done, failed, running, pending, frames, rate);
        });
    }

    /**
     * Frames that became DONE in the throughput window, per second of that window. The window starts
     * an hour ago, or when the first track was added if that is later, so that a run younger than an
     * hour is not reported at a fraction of its real speed.
     */
    private double framesPerSecondLastHour(Connection c) throws SQLException {
        long now = ledger.nowMillis();
        long windowStart = now - Progress.THROUGHPUT_WINDOW.toMillis();
        try (PreparedStatement first = c.prepareStatement(ledger.sql("SELECT MIN(created_ms) FROM {p}tracks"));
                ResultSet rows = first.executeQuery()) {
            if (rows.next() && rows.getObject(1) != null) {
                windowStart = Math.max(windowStart, rows.getLong(1));
            }
        }
        long windowMillis = now - windowStart;
        if (windowMillis <= 0) {
            return 0;
        }
        try (PreparedStatement recent = c.prepareStatement(ledger.sql(
                "SELECT COALESCE(SUM(frame_to - frame_from), 0) FROM {p}chunks WHERE state = 'DONE' AND updated_ms >= ?"))) {
            recent.setLong(1, windowStart);
            try (ResultSet rows = recent.executeQuery()) {
                rows.next();
                return rows.getLong(1) * 1000.0 / windowMillis;
            }
        }
    }

    @Override
    public List<TrackView> tracks(TrackQuery query) {
        java.util.Objects.requireNonNull(query, "query");
        return ledger.tx("tracks(" + query + ")", c -> {
            StringBuilder sql = new StringBuilder(TRACK_SUMMARY).append(" WHERE 1 = 1");
            List<Object> parameters = new ArrayList<>();
            query.videoId().ifPresent(id -> {
                sql.append(" AND t.video_id = ?");
                parameters.add(id);
            });
            query.analysis().ifPresent(name -> {
                sql.append(" AND t.analysis = ?");
                parameters.add(name);
            });
            sql.append(TRACK_GROUP);
            // The derived state needs the sums, so filtering on it happens around the grouped query.
            sql.insert(0, "SELECT * FROM (").append(") s");
            query.state().ifPresent(state -> {
                sql.append(" WHERE ").append(DERIVED_STATE).append(" = ?");
                parameters.add(state.name());
            });
            switch (query.sort()) {
                case VIDEO:
                    sql.append(" ORDER BY s.video_id, s.id");
                    break;
                case PRIORITY_DESC:
                    sql.append(" ORDER BY s.priority DESC, s.id");
                    break;
                default:
                    sql.append(" ORDER BY s.id");
            }
            sql.append(" OFFSET ? ROWS FETCH NEXT ? ROWS ONLY");
            parameters.add(query.offset());
            parameters.add(query.limit());
            List<TrackView> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(ledger.sql(sql.toString()))) {
                JdbcWorkLedger.bindAll(select, parameters.toArray());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long leased = rows.getLong(9);
                        long pending = rows.getLong(10);
                        long failedFrames = rows.getLong(8);
                        ChunkState state = leased > 0 ? ChunkState.LEASED
                                : pending > 0 ? ChunkState.PENDING : failedFrames > 0 ? ChunkState.FAILED : ChunkState.DONE;
                        result.add(new TrackView(rows.getLong(1), rows.getString(2), rows.getString(3),
                                FrameRange.of(rows.getLong(4), rows.getLong(5)), rows.getInt(6), rows.getLong(7), failedFrames,
                                leased, state));
                    }
                }
            }
            return result;
        });
    }

    @Override
    public List<JobRecord> jobs(JobQuery query) {
        return ledger.jobRecords().jobs(query);
    }

    @Override
    public Map<String, Long> leasedFramesByJob() {
        return ledger.tx("leasedFramesByJob", c -> {
            Map<String, Long> held = new HashMap<>();
            try (PreparedStatement select = c.prepareStatement(ledger.sql("SELECT lease_job, SUM(frame_to - frame_from) FROM {p}chunks"
                    + " WHERE state = 'LEASED' AND lease_job IS NOT NULL GROUP BY lease_job"));
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    held.put(rows.getString(1), rows.getLong(2));
                }
            }
            return held;
        });
    }

    @Override
    public List<ChunkView> chunks(ChunkQuery query) {
        java.util.Objects.requireNonNull(query, "query");
        return ledger.tx("chunks(" + query + ")", c -> {
            StringBuilder sql = new StringBuilder("SELECT c.id, c.track_id, t.video_id, c.frame_from, c.frame_to, c.state, c.attempts,"
                    + " c.checkpoint, c.lease_owner, c.lease_job, c.lease_expires_ms, c.failure_reason, c.updated_ms"
                    + " FROM {p}chunks c JOIN {p}tracks t ON t.id = c.track_id WHERE 1 = 1");
            List<Object> parameters = new ArrayList<>();
            query.trackId().ifPresent(id -> {
                sql.append(" AND c.track_id = ?");
                parameters.add(id);
            });
            query.state().ifPresent(state -> {
                sql.append(" AND c.state = ?");
                parameters.add(state.name());
            });
            switch (query.sort()) {
                case UPDATED_DESC:
                    sql.append(" ORDER BY c.updated_ms DESC, c.id DESC");
                    break;
                case ID:
                    sql.append(" ORDER BY c.id");
                    break;
                default:
                    sql.append(" ORDER BY c.track_id, c.frame_from");
            }
            sql.append(" OFFSET ? ROWS FETCH NEXT ? ROWS ONLY");
            parameters.add(query.offset());
            parameters.add(query.limit());
            List<ChunkView> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(ledger.sql(sql.toString()))) {
                JdbcWorkLedger.bindAll(select, parameters.toArray());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ChunkState state = ChunkState.valueOf(rows.getString(6));
                        boolean leased = state == ChunkState.LEASED;
                        long expires = rows.getLong(11);
                        boolean hasExpiry = !rows.wasNull();
                        result.add(new ChunkView(rows.getLong(1), rows.getLong(2), rows.getString(3),
                                FrameRange.of(rows.getLong(4), rows.getLong(5)), state, rows.getInt(7), rows.getLong(8),
                                leased ? Optional.ofNullable(rows.getString(9)) : Optional.empty(),
                                leased ? Optional.ofNullable(rows.getString(10)) : Optional.empty(),
                                leased && hasExpiry ? Optional.of(Instant.ofEpochMilli(expires)) : Optional.empty(),
                                Optional.ofNullable(rows.getString(12)), Instant.ofEpochMilli(rows.getLong(13))));
                    }
                }
            }
            return result;
        });
    }
}
