package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ChunkEvent;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.JobRecord;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.ReasonCount;
import dev.juggler.ledger.RunReport;
import dev.juggler.ledger.ThroughputPoint;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.video.FrameRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The read-only operator views over the ledger's tables. Each call runs one short
 * read transaction. Never exposes lease tokens. Thread-safe.
 */
final class JdbcLedgerReader implements LedgerReader {

    private static final int IN_BATCH = 500;
    private static final int MAX_IDS = 10_000;

    private final LedgerDatabase db;
    private final WorkEstimates estimates;
    private final JdbcJobRecords jobRecords;
    private final ChunkHistory history;

    JdbcLedgerReader(LedgerDatabase db, WorkEstimates estimates, JdbcJobRecords jobRecords, ChunkHistory history) {
        this.db = db;
        this.estimates = estimates;
        this.jobRecords = jobRecords;
        this.history = history;
    }

    /** Leaves out the chunks of derived tracks: their frames are not work done by workers. */
    private static final String NOT_DERIVED = " AND track_id NOT IN (SELECT id FROM {p}tracks WHERE derived_from IS NOT NULL)";

    /**
     * {@link #NOT_DERIVED} where the ledger holds a derived track, else nothing. H2 tests the {@code NOT IN} row by row
     * (several times the cost of the statement without it, at every tick), and most ledgers have no derived track. A
     * derived track registered between this check and the statement it guards counts its frames once, in one reading.
     */
    static String notDerived(LedgerDatabase db, Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT 1 FROM {p}tracks WHERE derived_from IS NOT NULL"
                + " FETCH FIRST 1 ROWS ONLY"));
                ResultSet rows = select.executeQuery()) {
            return rows.next() ? NOT_DERIVED : "";
        }
    }

    @Override
    public Progress progress() {
        return db.tx("progress", c -> {
            // Tracks by derived state from the few LEASED/PENDING/FAILED rows (index-only on the claim index),
            // not from a sum over every chunk: DONE is the rest.
            long total = count(c, "SELECT COUNT(*) FROM {p}tracks WHERE derived_from IS NULL"); // derived tracks are not work
            long running = count(c, "SELECT COUNT(DISTINCT track_id) FROM {p}chunks WHERE state = 'LEASED'");
            // Each track once (the few FAILED rows of a damaged video are many per track), then one exact probe of
            // the (track, state) index per state: a correlated IN over states walked every chunk of the track.
            // Tracks with PENDING chunks (grouped: H2's DISTINCT costs more), less the few of them that have a LEASED one.
            long pending = count(c, "SELECT (SELECT COUNT(*) FROM (SELECT track_id FROM {p}chunks WHERE state = 'PENDING'"
                    + " GROUP BY track_id) p) - (SELECT COUNT(DISTINCT l.track_id) FROM {p}chunks l WHERE l.state = 'LEASED'"
                    + " AND EXISTS (SELECT 1 FROM {p}chunks p{ix:chunks_track_state_ix} WHERE p.track_id = l.track_id"
                    + " AND p.state = 'PENDING'))");
            long failed = count(c, "SELECT COUNT(*) FROM (SELECT DISTINCT track_id FROM {p}chunks WHERE state = 'FAILED') f"
                    + " WHERE NOT EXISTS (SELECT 1 FROM {p}chunks o{ix:chunks_track_state_ix} WHERE o.track_id = f.track_id"
                    + " AND o.state = 'LEASED') AND NOT EXISTS (SELECT 1 FROM {p}chunks o{ix:chunks_track_state_ix}"
                    + " WHERE o.track_id = f.track_id AND o.state = 'PENDING')");
            String notDerived = notDerived(db, c); // asked once for both statements that need it
            WorkEstimate frames = estimates.read(c, notDerived);
            double rate = framesPerSecondLastHour(c, notDerived);
            return new Progress(total - running - pending - failed, failed, running, pending, frames, rate);
        });
    }

    private long count(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sqlOnce(sql))) {
            Sql.bindAll(select, parameters);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /**
     * Frames that became DONE in the throughput window, per second of that window. The window starts
     * an hour ago, or when the first track was added if that is later, so that a run younger than an
     * hour is not reported at a fraction of its real speed.
     */
    private double framesPerSecondLastHour(Connection c, String notDerived) throws SQLException {
        long now = db.nowMillis();
        long windowStart = now - Progress.THROUGHPUT_WINDOW.toMillis();
        try (PreparedStatement first = c.prepareStatement(db.sql("SELECT MIN(created_ms) FROM {p}tracks"));
                ResultSet rows = first.executeQuery()) {
            if (rows.next() && rows.getObject(1) != null) {
                windowStart = Math.max(windowStart, rows.getLong(1));
            }
        }
        long windowMillis = now - windowStart;
        if (windowMillis <= 0) {
            return 0;
        }
        return count(c, "SELECT COALESCE(SUM(frame_to - frame_from), 0) FROM {p}chunks WHERE state = 'DONE' AND updated_ms >= ?"
                + notDerived, windowStart) * 1000.0 / windowMillis;
    }

    @Override
    public List<TrackView> tracks(TrackQuery query) {
        Objects.requireNonNull(query, "query");
        return db.tx("tracks(" + query + ")", c -> {
            List<Object> parameters = new ArrayList<>();
            String sql = "SELECT t.id, t.video_id, t.analysis, t.frame_from, t.frame_to, t.priority FROM {p}tracks t"
                    + TrackFilterSql.where(query, parameters) + TrackFilterSql.order(query) + TrackFilterSql.page(query.offset(),
                    query.limit());
            return withSums(c, sql, parameters.toArray());
        });
    }

    @Override
    public Optional<TrackView> track(long trackId) {
        return db.tx("track(" + trackId + ")", c -> withSums(c, "SELECT t.id, t.video_id, t.analysis, t.frame_from, t.frame_to,"
                + " t.priority FROM {p}tracks t WHERE t.id = ?", trackId).stream().findFirst());
    }

    /** The tracks a query selects, with their frames by state summed for just those tracks. */
    private List<TrackView> withSums(Connection c, String sql, Object... parameters) throws SQLException {
        Map<Long, Object[]> tracks = new LinkedHashMap<>();
        try (PreparedStatement select = c.prepareStatement(db.sqlOnce(sql))) {
            Sql.bindAll(select, parameters);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    tracks.put(rows.getLong(1), new Object[] {rows.getString(2), rows.getString(3),
                        FrameRange.of(rows.getLong(4), rows.getLong(5)), rows.getInt(6)});
                }
            }
        }
        Map<Long, Map<ChunkState, Long>> sums = new HashMap<>();
        Sql.forEachInBatches(c, new ArrayList<>(tracks.keySet()), IN_BATCH,
                list -> db.sqlOnce("SELECT track_id, state, SUM(frame_to - frame_from) FROM {p}chunks WHERE track_id IN (" + list
                        + ") GROUP BY track_id, state"),
                row -> sums.computeIfAbsent(row.getLong(1), k -> new EnumMap<>(ChunkState.class))
                        .put(ChunkState.valueOf(row.getString(2)), row.getLong(3)));
        List<TrackView> result = new ArrayList<>(tracks.size());
        tracks.forEach((id, t) -> {
            Map<ChunkState, Long> s = sums.getOrDefault(id, Map.of());
            long leased = s.getOrDefault(ChunkState.LEASED, 0L);
            long pending = s.getOrDefault(ChunkState.PENDING, 0L);
            long failed = s.getOrDefault(ChunkState.FAILED, 0L);
            ChunkState state = leased > 0 ? ChunkState.LEASED
                    : pending > 0 ? ChunkState.PENDING : failed > 0 ? ChunkState.FAILED : ChunkState.DONE;
            result.add(new TrackView(id, (String) t[0], (String) t[1], (FrameRange) t[2], (Integer) t[3],
                    s.getOrDefault(ChunkState.DONE, 0L), failed, leased, state));
        });
        return result;
    }

    /** A count of the rows {@code select} yields that stops at {@link LedgerReader#COUNT_LIMIT} + 1. */
    static String capped(String select) {
        return "SELECT COUNT(*) FROM (" + select + " FETCH FIRST " + (LedgerReader.COUNT_LIMIT + 1) + " ROWS ONLY) capped";
    }

    @Override
    public long countTracks(TrackQuery query) {
        Objects.requireNonNull(query, "query");
        return db.tx("countTracks(" + query + ")", c -> {
            List<Object> parameters = new ArrayList<>();
            return count(c, capped("SELECT 1 FROM {p}tracks t" + TrackFilterSql.where(query, parameters)), parameters.toArray());
        });
    }

    @Override
    public List<ChunkView> chunks(ChunkQuery query) {
        Objects.requireNonNull(query, "query");
        return db.tx("chunks(" + query + ")", c -> {
            List<Object> parameters = new ArrayList<>();
            // The page first, then its leases' heartbeats: PostgreSQL computes the columns of every row an OFFSET skips.
            String order = TrackFilterSql.order(query);
            String sql = "SELECT c.id, c.track_id, c.video_id, c.frame_from, c.frame_to, c.state, c.attempts, "
                    + LeaseBeats.checkpoint("c") + ", c.lease_owner, c.lease_job, " + LeaseBeats.expiry("c")
                    + ", c.failure_reason, c.updated_ms FROM (SELECT c.id, c.track_id, t.video_id, c.frame_from, c.frame_to,"
                    + " c.state, c.attempts, c.checkpoint, c.lease_owner, c.lease_job, c.lease_token, c.lease_expires_ms,"
                    + " c.failure_reason, c.updated_ms FROM {p}chunks c JOIN {p}tracks t ON t.id = c.track_id"
                    + TrackFilterSql.where(query, parameters) + order + TrackFilterSql.page(query.offset(), query.limit())
                    + ") c" + order;
            List<ChunkView> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sqlOnce(sql))) {
                Sql.bindAll(select, parameters.toArray());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        result.add(chunkView(rows));
                    }
                }
            }
            return result;
        });
    }

    private static ChunkView chunkView(ResultSet rows) throws SQLException {
        ChunkState state = ChunkState.valueOf(rows.getString(6));
        boolean leased = state == ChunkState.LEASED;
        long expires = rows.getLong(11);
        boolean hasExpiry = !rows.wasNull();
        return new ChunkView(rows.getLong(1), rows.getLong(2), rows.getString(3), FrameRange.of(rows.getLong(4), rows.getLong(5)),
                state, rows.getInt(7), rows.getLong(8), leased ? Optional.ofNullable(rows.getString(9)) : Optional.empty(),
                leased ? Optional.ofNullable(rows.getString(10)) : Optional.empty(),
                leased && hasExpiry ? Optional.of(Instant.ofEpochMilli(expires)) : Optional.empty(),
                Optional.ofNullable(rows.getString(12)), Instant.ofEpochMilli(rows.getLong(13)));
    }

    @Override
    public long countChunks(ChunkQuery query) {
        Objects.requireNonNull(query, "query");
        return db.tx("countChunks(" + query + ")", c -> {
            List<Object> parameters = new ArrayList<>();
            String where = TrackFilterSql.where(query, parameters);
            // The join is only needed when a condition is on the track (video, tags).
            boolean needsTrack = query.videoId().isPresent() || !query.tags().isEmpty();
            return count(c, capped("SELECT 1 FROM {p}chunks c" + (needsTrack ? " JOIN {p}tracks t ON t.id = c.track_id" : "") + where),
                    parameters.toArray());
        });
    }

    @Override
    public List<JobRecord> jobs(JobQuery query) {
        return jobRecords.jobs(query);
    }

    @Override
    public long countJobs(JobQuery query) {
        return jobRecords.count(query);
    }

    @Override
    public List<RunReport> runReports() {
        return jobRecords.runReports();
    }

    @Override
    public Map<String, Map<String, String>> videoTags(Collection<String> videoIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(videoIds));
        if (ids.size() > MAX_IDS) {
            throw new IllegalArgumentException(ids.size() + " video ids: at most " + MAX_IDS + " per call");
        }
        if (ids.isEmpty()) {
            return Map.of();
        }
        return db.tx("videoTags(" + ids.size() + " videos)", c -> {
            Map<String, Map<String, String>> tags = new HashMap<>();
            Sql.forEachInBatches(c, ids, IN_BATCH,
                    list -> db.sqlOnce("SELECT video_id, tag_key, tag_value FROM {p}video_tags WHERE video_id IN (" + list + ")"),
                    row -> tags.computeIfAbsent(row.getString(1), k -> new TreeMap<>()).put(row.getString(2), row.getString(3)));
            return tags;
        });
    }

    @Override
    public List<String> tagKeys() {
        return db.tx("tagKeys", c -> {
            List<String> keys = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT DISTINCT tag_key FROM {p}video_tags ORDER BY tag_key"));
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    keys.add(rows.getString(1));
                }
            }
            return keys;
        });
    }

    @Override
    public List<ReasonCount> failureReasons(int limit) {
        if (limit < 1 || limit > MAX_IDS) {
            throw new IllegalArgumentException("limit = " + limit + ": must be in 1.." + MAX_IDS);
        }
        return db.tx("failureReasons", c -> {
            List<ReasonCount> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT failure_reason, COUNT(*),"
                    + " SUM(frame_to - frame_from), COUNT(DISTINCT track_id), MIN(updated_ms), MAX(updated_ms), MIN(track_id),"
                    + " MAX(track_id) FROM {p}chunks WHERE state = 'FAILED' GROUP BY failure_reason"
                    + " ORDER BY COUNT(*) DESC, failure_reason FETCH FIRST ? ROWS ONLY"))) {
                select.setInt(1, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long low = rows.getLong(7);
                        long high = rows.getLong(8);
                        String reason = rows.getString(1);
                        result.add(new ReasonCount(reason == null ? "" : reason, rows.getLong(2), rows.getLong(3), rows.getLong(4),
                                Instant.ofEpochMilli(rows.getLong(5)), Instant.ofEpochMilli(rows.getLong(6)),
                                low == high ? List.of(low) : List.of(low, high)));
                    }
                }
            }
            return result;
        });
    }

    @Override
    public List<ChunkEvent> history(long trackId, int limit) {
        return history.ofTrack(trackId, limit);
    }

    @Override
    public List<ThroughputPoint> throughput(Instant from, Duration bucket) {
        Objects.requireNonNull(from, "from");
        long bucketMillis = bucket.toMillis();
        long now = db.nowMillis();
        long start = from.toEpochMilli();
        if (bucketMillis < 1_000 || start >= now) {
            throw new IllegalArgumentException("throughput from " + from + " by " + bucket + ": needs a past start and a bucket >= 1 s");
        }
        int buckets = Math.toIntExact((now - start + bucketMillis - 1) / bucketMillis);
        if (buckets > 10_000) {
            throw new IllegalArgumentException(buckets + " buckets: at most 10000");
        }
        return db.tx("throughput", c -> {
            long[] frames = new long[buckets];
            // The bucket expression is computed once in a subquery: PostgreSQL does not match two parameterised copies.
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT b.bucket, SUM(b.frames) FROM (SELECT"
                    + " (updated_ms - ?) / ? AS bucket, frame_to - frame_from AS frames FROM {p}chunks"
                    + " WHERE state = 'DONE' AND updated_ms >= ?" + notDerived(db, c) + ") b GROUP BY b.bucket"))) {
                Sql.bindAll(select, start, bucketMillis, start);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long index = rows.getLong(1);
                        if (index >= 0 && index < buckets) {
                            frames[(int) index] += rows.getLong(2);
                        }
                    }
                }
            }
            long[] jobs = new long[buckets];
            // A job runs from its first RUNNING record to its end (or now); counted in every bucket it overlaps.
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT (SELECT MIN(s.at_ms) FROM {p}job_states s"
                    + " WHERE s.job_row = j.id AND s.state = 'RUNNING'), j.ended_ms FROM {p}jobs j"
                    + " WHERE j.ended_ms IS NULL OR j.ended_ms >= ?"))) {
                select.setLong(1, start);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long began = rows.getLong(1);
                        if (rows.wasNull()) {
                            continue;
                        }
                        long ended = rows.getLong(2);
                        long end = rows.wasNull() ? now : ended;
                        int first = (int) Math.max(0, (began - start) / bucketMillis);
                        int last = (int) Math.min(buckets - 1, (end - start) / bucketMillis);
                        for (int i = first; i <= last; i++) {
                            jobs[i]++;
                        }
                    }
                }
            }
            List<ThroughputPoint> points = new ArrayList<>(buckets);
            for (int i = 0; i < buckets; i++) {
                points.add(new ThroughputPoint(Instant.ofEpochMilli(start + i * bucketMillis), frames[i], jobs[i]));
            }
            return points;
        });
    }

    @Override
    public Map<String, Long> leasedFramesByJob() {
        return db.tx("leasedFramesByJob", c -> {
            Map<String, Long> held = new HashMap<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT lease_job, SUM(frame_to - frame_from) FROM {p}chunks"
                    + " WHERE state = 'LEASED' AND lease_job IS NOT NULL GROUP BY lease_job"));
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    held.put(rows.getString(1), rows.getLong(2));
                }
            }
            return held;
        });
    }
}
