package dev.juggler.jdbc.internal;

import dev.juggler.JugglerException;
import dev.juggler.NotFoundException;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LeaseLostException;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.RescheduleFilter;
import dev.juggler.ledger.RescheduleOutcome;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link WorkLedger} on JDBC (H2 or PostgreSQL). Claims are optimistic compare-and-set updates on a
 * version column, so they are atomic across threads and processes without holding locks between
 * statements. Thread-safe; many instances in many processes may share one database.
 */
public final class JdbcWorkLedger implements WorkLedger {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcWorkLedger.class);
    /** Longest failure or stage-error text that is stored; longer texts are cut. */
    public static final int MAX_REASON_LENGTH = 2000;
    private static final int CLAIM_CANDIDATES = 8;
    private static final int RESULT_BATCH = 500;
    private static final int RESULT_FETCH_SIZE = 500;
    /** From this many rows on, results go through the bulk path (COPY) where the database has one. */
    static final int BULK_THRESHOLD = 64;

    private final DataSource dataSource;
    private final AutoCloseable ownedPool;
    private final String schema;
    private final String prefix;
    private final String tablePrefix;
    private final boolean manageSchema;
    private final Clock clock;
    private final int maxAttempts;
    private final String description;
    private final Transactor transactor;
    private final JdbcLedgerReader reader;
    private final JdbcJobRecords jobRecords;
    private final ChunkHistory history;
    private final OperatorWrites operatorWrites;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object initLock = new Object();
    private volatile Dialect dialect;
    /** The COPY path for results, when the database has one; set before {@link #dialect} is published. */
    private PostgresBulkResults bulkResults;

    /**
     * @param dataSource where the ledger lives
     * @param ownedPool what {@link #close()} closes (a pool this ledger created), or {@code null}
     * @param schema the validated schema of the tables, or {@code null} for the connection's default
     * @param prefix the validated table name prefix
     * @param manageSchema whether to create/upgrade the schema on first use
     * @param clock the source of all timestamps
     * @param maxAttempts after how many unsuccessful leases frames become FAILED
     * @param description a secret-free description for {@link #toString()}
     */
    public JdbcWorkLedger(DataSource dataSource, AutoCloseable ownedPool, String schema, String prefix, boolean manageSchema,
            Clock clock, int maxAttempts, String description) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.ownedPool = ownedPool;
        this.schema = schema;
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.tablePrefix = (schema == null ? "" : schema + ".") + prefix;
        this.manageSchema = manageSchema;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxAttempts = maxAttempts;
        this.description = description;
        this.transactor = new Transactor(dataSource, clock);
        this.reader = new JdbcLedgerReader(this);
        this.jobRecords = new JdbcJobRecords(this);
        this.history = new ChunkHistory(this);
        this.operatorWrites = new OperatorWrites(this, history);
    }

    // --- plumbing ----------------------------------------------------------------------------------

    /** Statements with the prefix filled in, by template: claims run thousands of times a second. */
    private final java.util.concurrent.ConcurrentHashMap<String, String> statements = new java.util.concurrent.ConcurrentHashMap<>();

    /** Replaces {@code {p}} in a statement with the (schema-qualified) table prefix. */
    String sql(String template) {
        String cached = statements.get(template);
        if (cached != null) {
            return cached;
        }
        String filled = template.replace("{p}", tablePrefix);
        if (statements.size() < 1_000) { // templates are a fixed set; the bound only guards against a future mistake
            statements.put(template, filled);
        }
        return filled;
    }

    /**
     * As {@link #sql} without keeping the statement: for the operator views, whose statements vary with their
     * filters (and carry their paging and time bounds as literals, see {@link TrackFilterSql}).
     */
    String sqlOnce(String template) {
        return template.replace("{p}", tablePrefix);
    }

    long nowMillis() {
        return clock.millis();
    }

    /** Runs a unit of work whose one data-changing statement is the whole change, in auto-commit mode. */
    <T> T single(String operation, Transactor.Work<T> work) {
        ready();
        return transactor.singleStatement(operation, work);
    }

    /** Runs a unit of work in a transaction once the schema is ready. */
    <T> T tx(String operation, Transactor.Work<T> work) {
        ready();
        return transactor.inTransaction(operation, work);
    }

    /** The database's dialect, once the schema is ready. */
    Dialect dialect() {
        return ready();
    }

    private Dialect ready() {
        if (closed.get()) {
            throw new JugglerException("the ledger " + description + " is closed");
        }
        Dialect known = dialect;
        if (known != null) {
            return known;
        }
        synchronized (initLock) {
            if (dialect == null) {
                SchemaMigrator migrator = new SchemaMigrator(dataSource, schema, prefix, clock);
                if (manageSchema) {
                    migrator.migrate();
                } else {
                    migrator.verify();
                }
                Dialect detected = transactor.inTransaction("detect database dialect", c -> Dialect.of(c.getMetaData()));
                if (detected.bulkCopy()) {
                    bulkResults = new PostgresBulkResults(tablePrefix + "results", prefix + "results_stage");
                }
                dialect = detected;
            }
            return dialect;
        }
    }

    /**
     * Per-thread generators: {@link UUID#randomUUID()} shares one SecureRandom whose lock dozens of
     * claiming threads would queue on. Tokens only need to be unique and unguessable by accident, not
     * secret from someone who can read the database.
     */
    private static final ThreadLocal<java.security.SecureRandom> TOKENS = ThreadLocal.withInitial(java.security.SecureRandom::new);

    /** A fresh lease token: 128 random bits in UUID form. */
    static String newToken() {
        java.security.SecureRandom random = TOKENS.get();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    static String truncate(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH - 1) + "…";
    }

    private long insertReturningId(Connection c, String statement, Binder binder) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(statement, new String[] {dialect.generatedKeyColumn("id")})) {
            binder.bind(insert);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("the driver returned no generated id for: " + statement);
                }
                return keys.getLong(1);
            }
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    static int update(Connection c, String statement, Object... parameters) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(statement)) {
            bindAll(update, parameters);
            return update.executeUpdate();
        }
    }

    static void bindAll(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            } else if (value instanceof Long) {
                statement.setLong(i + 1, (Long) value);
            } else if (value instanceof Integer) {
                statement.setInt(i + 1, (Integer) value);
            } else if (value instanceof Double) {
                statement.setDouble(i + 1, (Double) value);
            } else {
                statement.setString(i + 1, value.toString());
            }
        }
    }

    // --- catalogue ---------------------------------------------------------------------------------

    @Override
    public void registerVideo(Video video) {
        Objects.requireNonNull(video, "video");
        tx("registerVideo(video=" + video.id() + ")", c -> {
            long now = nowMillis();
            int updated = update(c, sql("UPDATE {p}videos SET location = ?, frame_count = ?, fps = ?, size_bytes = ?, updated_ms = ?"
                    + " WHERE id = ?"), video.location(), video.frameCount(), video.fps(), video.sizeBytes(), now, video.id());
            if (updated == 0) {
                update(c, sql("INSERT INTO {p}videos (id, location, frame_count, fps, size_bytes, stage_state, registered_ms, updated_ms)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"), video.id(), video.location(), video.frameCount(), video.fps(),
                        video.sizeBytes(), StageState.NOT_STAGED.name(), now, now);
            }
            update(c, sql("DELETE FROM {p}video_tags WHERE video_id = ?"), video.id());
            if (!video.tags().isEmpty()) {
                try (PreparedStatement insert = c.prepareStatement(
                        sql("INSERT INTO {p}video_tags (video_id, tag_key, tag_value) VALUES (?, ?, ?)"))) {
                    for (Map.Entry<String, String> tag : video.tags().entrySet()) {
                        insert.setString(1, video.id());
                        insert.setString(2, tag.getKey());
                        insert.setString(3, Objects.requireNonNull(tag.getValue(), () -> "value of tag " + tag.getKey()));
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
            return null;
        });
    }

    @Override
    public Optional<VideoRecord> video(String videoId) {
        Objects.requireNonNull(videoId, "videoId");
        return tx("video(" + videoId + ")", c -> {
            List<VideoRecord> found = readVideos(c, sql(VIDEO_COLUMNS + " FROM {p}videos v WHERE v.id = ?"), videoId);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        });
    }

    private static final String VIDEO_COLUMNS = "SELECT v.id, v.location, v.frame_count, v.fps, v.size_bytes, v.stage_state,"
            + " v.staged_location, v.stage_error";

    /** Reads videos (the first 8 columns of {@link #VIDEO_COLUMNS}) and their tags, in the query's order. */
    List<VideoRecord> readVideos(Connection c, String query, Object... parameters) throws SQLException {
        Map<String, Object[]> rowsById = new LinkedHashMap<>();
        try (PreparedStatement select = c.prepareStatement(query)) {
            bindAll(select, parameters);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    rowsById.put(rows.getString(1), new Object[] {rows.getString(2), rows.getLong(3), rows.getDouble(4),
                        rows.getLong(5), rows.getString(6), rows.getString(7), rows.getString(8)});
                }
            }
        }
        Map<String, Map<String, String>> tags = readTags(c, rowsById.keySet());
        List<VideoRecord> result = new ArrayList<>(rowsById.size());
        for (Map.Entry<String, Object[]> entry : rowsById.entrySet()) {
            Object[] row = entry.getValue();
            Video video = new Video(entry.getKey(), (String) row[0], (Long) row[1], (Double) row[2], (Long) row[3],
                    tags.getOrDefault(entry.getKey(), Map.of()));
            result.add(new VideoRecord(video, StageState.valueOf((String) row[4]), Optional.ofNullable((String) row[5]),
                    Optional.ofNullable((String) row[6])));
        }
        return result;
    }

    private Map<String, Map<String, String>> readTags(Connection c, Set<String> videoIds) throws SQLException {
        Map<String, Map<String, String>> tags = new HashMap<>();
        if (videoIds.isEmpty()) {
            return tags;
        }
        List<String> ids = new ArrayList<>(videoIds);
        for (int start = 0; start < ids.size(); start += 100) {
            List<String> slice = ids.subList(start, Math.min(ids.size(), start + 100));
            String placeholders = String.join(", ", java.util.Collections.nCopies(slice.size(), "?"));
            try (PreparedStatement select = c.prepareStatement(
                    sql("SELECT video_id, tag_key, tag_value FROM {p}video_tags WHERE video_id IN (" + placeholders + ")"))) {
                bindAll(select, slice.toArray());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        tags.computeIfAbsent(rows.getString(1), k -> new HashMap<>()).put(rows.getString(2), rows.getString(3));
                    }
                }
            }
        }
        return tags;
    }

    @Override
    public long addTrack(TrackSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return tx("addTrack(video=" + spec.videoId() + ", analysis=" + spec.analysis() + ")", c -> {
            try (PreparedStatement select = c.prepareStatement(sql("SELECT id FROM {p}tracks WHERE video_id = ? AND analysis = ?"))) {
                bindAll(select, spec.videoId(), spec.analysis());
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        return rows.getLong(1);
                    }
                }
            }
            long frameCount;
            try (PreparedStatement select = c.prepareStatement(sql("SELECT frame_count FROM {p}videos WHERE id = ?"))) {
                select.setString(1, spec.videoId());
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw new NotFoundException("video", spec.videoId());
                    }
                    frameCount = rows.getLong(1);
                }
            }
            FrameRange range = spec.range();
            if (range.to() > frameCount) {
                throw new IllegalArgumentException("track range " + range + " of video " + spec.videoId()
                        + " does not lie inside the video's frames [0, " + frameCount + ")");
            }
            long now = nowMillis();
            long trackId = insertReturningId(c, sql("INSERT INTO {p}tracks (video_id, analysis, frame_from, frame_to, priority,"
                    + " created_ms) VALUES (?, ?, ?, ?, ?, ?)"), s -> bindAll(s, spec.videoId(), spec.analysis(), range.from(),
                            range.to(), spec.priority(), now));
            if (!range.isEmpty()) {
                insertChunk(c, trackId, range.from(), range.to(), ChunkState.PENDING, 0, null, spec.priority(), now, now);
            }
            return trackId;
        });
    }

    private void insertChunk(Connection c, long trackId, long from, long to, ChunkState state, int attempts, String reason,
            int priority, long createdMs, long now) throws SQLException {
        update(c, sql("INSERT INTO {p}chunks (track_id, frame_from, frame_to, state, version, checkpoint, attempts, failure_reason,"
                + " priority, created_ms, updated_ms) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)"), trackId, from, to, state.name(),
                from, attempts, reason, priority, createdMs, now);
    }

    // --- claims and leases -------------------------------------------------------------------------

    /** A claimable chunk as seen by the candidate query. */
    private record Candidate(long id, long version, long from, long to, int attempts, long trackId, String analysis,
            String videoId, String location, int priority, long createdMs) {
    }

    @Override
    public Optional<Lease> claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request");
        String operation = "claim(worker=" + request.workerId() + ", job=" + request.jobId().orElse("-") + ")";
        if (ready().claimsWithSkipLocked()) {
            return single(operation, c -> claimSkippingLocked(c, request));
        }
        return tx(operation, c -> claimOptimistically(c, request));
    }

    /**
     * The PostgreSQL claim, built once: it runs for every claim, so neither concatenating it nor hashing
     * a fresh copy for the statement cache belongs on that path.
     */
    private static final String SKIP_LOCKED_CLAIM = skipLockedClaim("");
    private static final String SKIP_LOCKED_CLAIM_FOR_ANALYSIS = skipLockedClaim(" AND t.analysis = ?");

    /**
     * One round trip: pick and lock, lease the head, insert the rest. Every part of a WITH statement sees
     * the same snapshot, so "pick" yields the row as it was before the update.
     */
    private static String skipLockedClaim(String analysisFilter) {
        return "WITH pick AS (SELECT c.id, c.frame_from, c.frame_to, c.attempts, c.track_id, c.priority,"
                + " c.created_ms, t.analysis, t.video_id, v.staged_location"
                + " FROM {p}chunks c JOIN {p}tracks t ON t.id = c.track_id JOIN {p}videos v ON v.id = t.video_id"
                + " WHERE c.state = 'PENDING' AND v.stage_state = 'STAGED'" + analysisFilter
                + " ORDER BY c.priority DESC, c.created_ms, c.track_id, c.frame_from LIMIT 1 FOR UPDATE OF c SKIP LOCKED),"
                + " leased AS (UPDATE {p}chunks u SET state = 'LEASED', version = u.version + 1,"
                + " frame_to = LEAST(pick.frame_to, pick.frame_from + ?), lease_token = ?, lease_owner = ?, lease_job = ?,"
                + " lease_expires_ms = ?, lease_duration_ms = ?, checkpoint = u.frame_from, updated_ms = ? FROM pick WHERE u.id = pick.id"
                + " RETURNING u.id),"
                + " rest AS (INSERT INTO {p}chunks (track_id, frame_from, frame_to, state, version, checkpoint, attempts, priority,"
                + " created_ms, updated_ms) SELECT track_id, frame_from + ?, frame_to, 'PENDING', 0, frame_from + ?, attempts, priority,"
                + " created_ms, ? FROM pick WHERE frame_to - frame_from > ?)"
                + " SELECT pick.id, pick.frame_from, pick.frame_to, pick.attempts, pick.track_id, pick.analysis, pick.video_id,"
                + " pick.staged_location FROM pick JOIN leased ON leased.id = pick.id";
    }

    /** The candidate query: claimable chunks in claim order (priority, then oldest, then track and first frame). */
    private String candidateQuery(ClaimRequest request, int limit, String lockClause) {
        return sql("SELECT c.id, c.version, c.frame_from, c.frame_to, c.attempts, c.track_id, t.analysis, t.video_id,"
                + " v.staged_location, c.priority, c.created_ms"
                + " FROM {p}chunks c JOIN {p}tracks t ON t.id = c.track_id JOIN {p}videos v ON v.id = t.video_id"
                + " WHERE c.state = 'PENDING' AND v.stage_state = 'STAGED'"
                + (request.analysis().isPresent() ? " AND t.analysis = ?" : "")
                + " ORDER BY c.priority DESC, c.created_ms, c.track_id, c.frame_from FETCH FIRST " + limit + " ROWS ONLY"
                + lockClause);
    }

    private List<Candidate> candidates(Connection c, ClaimRequest request, int limit, String lockClause) throws SQLException {
        List<Candidate> candidates = new ArrayList<>(limit);
        try (PreparedStatement select = c.prepareStatement(candidateQuery(request, limit, lockClause))) {
            if (request.analysis().isPresent()) {
                select.setString(1, request.analysis().get());
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    candidates.add(new Candidate(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                            rows.getInt(5), rows.getLong(6), rows.getString(7), rows.getString(8), rows.getString(9),
                            rows.getInt(10), rows.getLong(11)));
                }
            }
        }
        return candidates;
    }

    /**
     * PostgreSQL: lock the best claimable chunk that nobody else has locked ({@code FOR UPDATE SKIP
     * LOCKED}), so concurrent claimers never wait for each other nor lose races; they simply take the
     * next chunk. The row lock is held until commit, so the update in the same statement cannot race.
     */
    private Optional<Lease> claimSkippingLocked(Connection c, ClaimRequest request) throws SQLException {
        long now = nowMillis();
        long durationMillis = Math.max(1, request.leaseDuration().toMillis());
        long expires = now + durationMillis;
        long maxFrames = request.maxFrames();
        String token = newToken();
        String statement = sql(request.analysis().isPresent() ? SKIP_LOCKED_CLAIM_FOR_ANALYSIS : SKIP_LOCKED_CLAIM);
        List<Object> parameters = new ArrayList<>(14);
        request.analysis().ifPresent(parameters::add);
        parameters.addAll(List.of(maxFrames, token, request.workerId()));
        parameters.add(request.jobId().orElse(null));
        parameters.addAll(List.of(expires, durationMillis, now, maxFrames, maxFrames, now, maxFrames));
        try (PreparedStatement claim = c.prepareStatement(statement)) {
            bindAll(claim, parameters.toArray());
            try (ResultSet rows = claim.executeQuery()) {
                if (rows.next()) {
                    long from = rows.getLong(2);
                    long headEnd = Math.min(rows.getLong(3), from + maxFrames);
                    String location = rows.getString(8);
                    return Optional.of(new Lease(rows.getLong(1), token, rows.getLong(5), rows.getString(6), rows.getString(7),
                            location == null ? "" : location, FrameRange.of(from, headEnd), Instant.ofEpochMilli(expires),
                            rows.getInt(4) + 1));
                }
            }
        }
        // Nothing unlocked. If claimable chunks exist, they are locked by claims in flight (which commit
        // within milliseconds): try again shortly, so that "empty" keeps meaning "nothing claimable" and
        // a worker does not exit while its colleagues split the last chunk.
        if (!candidates(c, request, 1, "").isEmpty()) {
            throw new Transactor.RetryableConflict("every claimable chunk is locked by a claim in flight");
        }
        return Optional.empty();
    }

    /**
     * H2: read a few candidates without locks and lease one with a compare-and-set on its version; a
     * lost race moves on to the next candidate, and when all are lost the transaction is run again.
     */
    private Optional<Lease> claimOptimistically(Connection c, ClaimRequest request) throws SQLException {
        List<Candidate> candidates = candidates(c, request, CLAIM_CANDIDATES, "");
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        for (Candidate candidate : candidates) {
            Optional<Lease> lease = lease(c, request, candidate, "id = ? AND version = ? AND state = 'PENDING'", candidate.id(),
                    candidate.version());
            if (lease.isPresent()) {
                return lease;
            }
        }
        throw new Transactor.RetryableConflict("every candidate chunk was claimed by someone else first");
    }

    /** Leases the head of {@code candidate} if {@code condition} still holds; the rest becomes a new pending chunk. */
    private Optional<Lease> lease(Connection c, ClaimRequest request, Candidate candidate, String condition, Object... key)
            throws SQLException {
        long now = nowMillis();
        long durationMillis = Math.max(1, request.leaseDuration().toMillis());
        long expires = now + durationMillis;
        long headEnd = candidate.from() + Math.min(request.maxFrames(), candidate.to() - candidate.from());
        String token = newToken();
        Object[] parameters = new Object[7 + key.length];
        Object[] values = {headEnd, token, request.workerId(), request.jobId().orElse(null), expires, durationMillis, now};
        System.arraycopy(values, 0, parameters, 0, values.length);
        System.arraycopy(key, 0, parameters, values.length, key.length);
        int won = update(c, sql("UPDATE {p}chunks SET state = 'LEASED', version = version + 1, frame_to = ?, lease_token = ?,"
                + " lease_owner = ?, lease_job = ?, lease_expires_ms = ?, lease_duration_ms = ?, checkpoint = frame_from,"
                + " updated_ms = ? WHERE " + condition), parameters);
        if (won != 1) {
            return Optional.empty();
        }
        if (headEnd < candidate.to()) {
            insertChunk(c, candidate.trackId(), headEnd, candidate.to(), ChunkState.PENDING, candidate.attempts(), null,
                    candidate.priority(), candidate.createdMs(), now);
        }
        return Optional.of(new Lease(candidate.id(), token, candidate.trackId(), candidate.analysis(), candidate.videoId(),
                candidate.location() == null ? "" : candidate.location(), FrameRange.of(candidate.from(), headEnd),
                Instant.ofEpochMilli(expires), candidate.attempts() + 1));
    }

    @Override
    public Lease heartbeat(Lease lease, long checkpoint) {
        Objects.requireNonNull(lease, "lease");
        FrameRange range = lease.range();
        if (checkpoint < range.from() || checkpoint > range.to()) {
            throw new IllegalArgumentException("checkpoint = " + checkpoint + ": must lie within " + range.from() + ".."
                    + range.to() + " of the lease on chunk " + lease.chunkId());
        }
        String operation = "heartbeat(chunk=" + lease.chunkId() + ")";
        Transactor.Work<Lease> work = c -> {
            long now = nowMillis();
            String set = "UPDATE {p}chunks SET checkpoint = GREATEST(checkpoint, ?), lease_expires_ms = ? + lease_duration_ms,"
                    + " updated_ms = ? WHERE id = ? AND lease_token = ? AND state = 'LEASED'";
            if (dialect.updateReturning()) {
                // one round trip instead of two
                try (PreparedStatement update = c.prepareStatement(sql(set + " RETURNING lease_expires_ms"))) {
                    bindAll(update, checkpoint, now, now, lease.chunkId(), lease.token());
                    try (ResultSet rows = update.executeQuery()) {
                        if (rows.next()) {
                            return lease.withExpiry(Instant.ofEpochMilli(rows.getLong(1)));
                        }
                    }
                }
                throw leaseLost(c, lease);
            }
            int updated = update(c, sql(set), checkpoint, now, now, lease.chunkId(), lease.token());
            if (updated == 0) {
                throw leaseLost(c, lease);
            }
            try (PreparedStatement select = c.prepareStatement(sql("SELECT lease_expires_ms FROM {p}chunks WHERE id = ?"))) {
                select.setLong(1, lease.chunkId());
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    return lease.withExpiry(Instant.ofEpochMilli(rows.getLong(1)));
                }
            }
        };
        return ready().updateReturning() ? single(operation, work) : tx(operation, work);
    }

    @Override
    public void complete(Lease lease, long doneUntil) {
        Objects.requireNonNull(lease, "lease");
        checkDoneUntil(lease, doneUntil);
        String operation = "complete(chunk=" + lease.chunkId() + ", doneUntil=" + doneUntil + ")";
        // A retry after a connection failure may find that the failed attempt did commit (only its
        // acknowledgement was lost): then the frames are DONE as asked, which is success, not a lost lease.
        // Only this call's own id in the DONE row proves that: frames that merely look DONE as asked may be
        // another call's (a repeated complete with this lease, the reaper, another lease on the same chunk),
        // and a first try that never reached the database left nothing of its own.
        String completionId = newToken();
        if (doneUntil == lease.range().to()) {
            // the common case needs no read: one guarded update ends the lease
            single(operation, c -> {
                int updated = update(c, sql("UPDATE {p}chunks SET state = 'DONE', checkpoint = frame_to, failure_reason = NULL,"
                        + " completion_id = ?, " + CLEAR_LEASE_KEEP_JOB
                        + " WHERE id = ? AND lease_token = ? AND state = 'LEASED' AND frame_from = ? AND frame_to = ?"), completionId,
                        nowMillis(), lease.chunkId(), lease.token(), lease.range().from(), lease.range().to());
                if (updated == 0 && !completedBy(c, lease, doneUntil, completionId)) {
                    throw leaseLost(c, lease);
                }
                return null;
            });
            return;
        }
        tx(operation, c -> {
            ChunkRow row = lockLeasedOrNull(c, lease);
            if (row == null) {
                if (completedBy(c, lease, doneUntil, completionId)) {
                    return null;
                }
                throw leaseLost(c, lease);
            }
            settle(c, row, doneUntil, ChunkState.PENDING, row.attempts(), null, completionId);
            return null;
        });
    }

    /**
     * Whether the lease's chunk holds exactly the frames {@code [from, doneUntil)} as DONE, made so by the
     * completion call with {@code completionId} (an earlier try of this very call whose commit landed).
     */
    private boolean completedBy(Connection c, Lease lease, long doneUntil, String completionId) throws SQLException {
        if (doneUntil <= lease.range().from()) {
            return false; // nothing was to be marked done: nothing to recognise
        }
        try (PreparedStatement select = c.prepareStatement(sql("SELECT 1 FROM {p}chunks WHERE id = ? AND state = 'DONE'"
                + " AND completion_id = ? AND frame_from = ? AND frame_to = ?"))) {
            bindAll(select, lease.chunkId(), completionId, lease.range().from(), doneUntil);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    @Override
    public void fail(Lease lease, long doneUntil, String reason, boolean permanent) {
        Objects.requireNonNull(lease, "lease");
        checkDoneUntil(lease, doneUntil);
        String storedReason = truncate(reason == null || reason.isBlank() ? "(no reason given)" : reason);
        tx("fail(chunk=" + lease.chunkId() + ", doneUntil=" + doneUntil + ", permanent=" + permanent + ")", c -> {
            ChunkRow row = lockLeased(c, lease);
            int attempts = row.attempts() + 1;
            ChunkState restState = permanent || attempts >= maxAttempts ? ChunkState.FAILED : ChunkState.PENDING;
            settle(c, row, doneUntil, restState, attempts, storedReason, null);
            history.failed(c, row, doneUntil, restState, attempts, storedReason, nowMillis());
            return null;
        });
    }

    private static void checkDoneUntil(Lease lease, long doneUntil) {
        FrameRange range = lease.range();
        if (doneUntil < range.from() || doneUntil > range.to()) {
            throw new IllegalArgumentException("doneUntil = " + doneUntil + ": must lie within " + range.from() + ".."
                    + range.to() + " of the lease on chunk " + lease.chunkId());
        }
    }

    /** Locks the chunk of a lease that is still held, or throws {@link LeaseLostException}. */
    private ChunkRow lockLeased(Connection c, Lease lease) throws SQLException {
        ChunkRow row = lockLeasedOrNull(c, lease);
        if (row == null) {
            throw leaseLost(c, lease);
        }
        return row;
    }

    /** Locks the chunk of a lease that is still held, or returns {@code null}. */
    private ChunkRow lockLeasedOrNull(Connection c, Lease lease) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql("SELECT " + ChunkRow.COLUMNS + " FROM {p}chunks WHERE id = ?"
                + " AND lease_token = ? AND state = 'LEASED' AND frame_from = ? AND frame_to = ? FOR UPDATE"))) {
            bindAll(select, lease.chunkId(), lease.token(), lease.range().from(), lease.range().to());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? ChunkRow.read(rows) : null;
            }
        }
    }

    private LeaseLostException leaseLost(Connection c, Lease lease) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql("SELECT state, lease_token FROM {p}chunks WHERE id = ?"))) {
            select.setLong(1, lease.chunkId());
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return new LeaseLostException(lease.chunkId(), "the chunk does not exist");
                }
                String state = rows.getString(1);
                if ("LEASED".equals(state)) {
                    return new LeaseLostException(lease.chunkId(), "the chunk is leased under another token");
                }
                return new LeaseLostException(lease.chunkId(), "the chunk is now " + state);
            }
        }
    }

    /** Clears the lease columns and bumps the version; its one parameter is the update time. */
    private static final String CLEAR_LEASE = "lease_job = NULL, " + endLease();

    /**
     * As {@link #CLEAR_LEASE} but keeps {@code lease_job}: a DONE row remembers the batch job whose lease
     * did its frames (the job records' frames done; nothing reads {@code lease_job} of a row that is not LEASED).
     */
    private static final String CLEAR_LEASE_KEEP_JOB = endLease();

    private static String endLease() {
        return "lease_token = NULL, lease_owner = NULL, lease_expires_ms = NULL, lease_duration_ms = NULL, version = version + 1,"
                + " updated_ms = ?";
    }

    /**
     * Ends the lease on {@code row}: frames before {@code split} become DONE (without a failure reason:
     * an earlier failure of those frames is over; with {@code completionId}, the id of the complete()
     * call that ends it, or {@code null} for any other end), the rest takes {@code restState} with
     * {@code restAttempts} (and {@code restReason}, if given, else the row's last reason).
     */
    private void settle(Connection c, ChunkRow row, long split, ChunkState restState, int restAttempts, String restReason,
            String completionId) throws SQLException {
        long now = nowMillis();
        String clearLease = CLEAR_LEASE;
        String reason = restReason != null ? restReason : row.failureReason();
        if (split >= row.to()) {
            update(c, sql("UPDATE {p}chunks SET state = 'DONE', checkpoint = frame_to, failure_reason = NULL, completion_id = ?, "
                    + CLEAR_LEASE_KEEP_JOB + " WHERE id = ?"), completionId, now, row.id());
        } else if (split <= row.from()) {
            update(c, sql("UPDATE {p}chunks SET state = ?, attempts = ?, failure_reason = ?, checkpoint = frame_from, " + clearLease
                    + " WHERE id = ?"), restState.name(), restAttempts, reason, now, row.id());
        } else {
            update(c, sql("UPDATE {p}chunks SET state = 'DONE', frame_to = ?, checkpoint = ?, failure_reason = NULL, completion_id = ?, "
                    + CLEAR_LEASE_KEEP_JOB + " WHERE id = ?"), split, split, completionId, now, row.id());
            insertChunk(c, row.trackId(), split, row.to(), restState, restAttempts, reason, row.priority(), row.createdMs(), now);
        }
    }

    @Override
    public int reapExpired() {
        long now = nowMillis();
        return endLeases("reapExpired", "state = 'LEASED' AND lease_expires_ms <= ?", new Object[] {now},
                attempts -> "lease expired " + attempts + " times", "lease expired");
    }

    @Override
    public int revokeJob(String jobId, String reason) {
        Objects.requireNonNull(jobId, "jobId");
        String why = truncate("job " + jobId + " revoked: " + (reason == null || reason.isBlank() ? "(no reason given)" : reason));
        return endLeases("revokeJob(job=" + jobId + ")", "state = 'LEASED' AND lease_job = ?", new Object[] {jobId},
                attempts -> truncate(why + " (attempts exhausted: " + attempts + ")"), why);
    }

    /**
     * Ends every lease matching {@code condition}: frames before its checkpoint DONE, the rest back to
     * PENDING with an attempt counted, or FAILED when attempts are exhausted. One transaction per lease.
     */
    private int endLeases(String operation, String condition, Object[] parameters,
            java.util.function.IntFunction<String> exhaustedReason, String pendingReason) {
        List<long[]> targets = tx(operation + " select", c -> {
            List<long[]> found = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(sql("SELECT id FROM {p}chunks WHERE " + condition + " ORDER BY id"))) {
                bindAll(select, parameters);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(new long[] {rows.getLong(1)});
                    }
                }
            }
            return found;
        });
        int ended = 0;
        for (long[] target : targets) {
            long chunkId = target[0];
            Object[] lockParameters = new Object[parameters.length + 1];
            lockParameters[0] = chunkId;
            System.arraycopy(parameters, 0, lockParameters, 1, parameters.length);
            boolean done = tx(operation + " chunk=" + chunkId, c -> {
                ChunkRow row;
                try (PreparedStatement select = c.prepareStatement(sql("SELECT " + ChunkRow.COLUMNS + " FROM {p}chunks WHERE id = ? AND "
                        + condition + " FOR UPDATE"))) {
                    bindAll(select, lockParameters);
                    try (ResultSet rows = select.executeQuery()) {
                        if (!rows.next()) {
                            return false;
                        }
                        row = ChunkRow.read(rows);
                    }
                }
                int attempts = row.attempts() + 1;
                boolean exhausted = attempts >= maxAttempts;
                ChunkState rest = exhausted ? ChunkState.FAILED : ChunkState.PENDING;
                String why = exhausted ? exhaustedReason.apply(attempts) : pendingReason;
                settle(c, row, row.checkpoint(), rest, attempts, why, null);
                history.failed(c, row, row.checkpoint(), rest, attempts, why, nowMillis());
                LOG.debug("{}: chunk {} of track {} (owner {}, job {}) returned from checkpoint {}, attempt {}{}", operation, row.id(),
                        row.trackId(), row.leaseOwner(), row.leaseJob(), row.checkpoint(), attempts, exhausted ? ", now FAILED" : "");
                return true;
            });
            if (done) {
                ended++;
            }
        }
        return ended;
    }

    @Override
    public RescheduleOutcome reschedule(RescheduleFilter filter, boolean dryRun) {
        return operatorWrites.reschedule(filter, dryRun);
    }

    @Override
    public int setAside(String videoId, String reason) {
        return operatorWrites.setAside(videoId, reason);
    }

    // --- staging -----------------------------------------------------------------------------------

    @Override
    public List<VideoRecord> videosToStage(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit = " + limit + ": must be >= 1");
        }
        return tx("videosToStage(limit=" + limit + ")", c -> readVideos(c, sql(VIDEO_COLUMNS
                + " FROM {p}videos v JOIN (SELECT t.video_id, MAX(c.priority) AS top_priority FROM {p}chunks c"
                + " JOIN {p}tracks t ON t.id = c.track_id WHERE c.state = 'PENDING' GROUP BY t.video_id) w ON w.video_id = v.id"
                + " WHERE v.stage_state IN ('NOT_STAGED', 'PURGED', 'STAGE_FAILED')"
                + " ORDER BY w.top_priority DESC, v.seq FETCH FIRST " + limit + " ROWS ONLY")));
    }

    @Override
    public void markStaging(String videoId) {
        setStage(videoId, StageState.STAGING, null, null);
    }

    @Override
    public void markStaged(String videoId, String location) {
        setStage(videoId, StageState.STAGED, requireText(location, "location"), null);
    }

    @Override
    public void markStageFailed(String videoId, String error) {
        setStage(videoId, StageState.STAGE_FAILED, null, requireText(error, "error"));
    }

    @Override
    public void markPurged(String videoId) {
        setStage(videoId, StageState.PURGED, null, null);
    }

    private static String requireText(String value, String what) {
        if (Objects.requireNonNull(value, what).isBlank()) {
            throw new IllegalArgumentException("a staging mark needs a non-blank " + what);
        }
        return value;
    }

    private void setStage(String videoId, StageState state, String location, String error) {
        Objects.requireNonNull(videoId, "videoId");
        tx("mark " + state + " (video=" + videoId + ")", c -> {
            int updated = update(c, sql("UPDATE {p}videos SET stage_state = ?, staged_location = ?, stage_error = ?, updated_ms = ?"
                    + " WHERE id = ?"), state.name(), location, truncate(error), nowMillis(), videoId);
            if (updated == 0) {
                throw new NotFoundException("video", videoId);
            }
            return null;
        });
    }

    @Override
    public List<VideoRecord> videosToPurge() {
        return tx("videosToPurge", c -> readVideos(c, sql(VIDEO_COLUMNS + " FROM {p}videos v WHERE v.stage_state = 'STAGED'"
                + " AND NOT EXISTS (SELECT 1 FROM {p}chunks c JOIN {p}tracks t ON t.id = c.track_id WHERE t.video_id = v.id"
                + " AND c.state IN ('PENDING', 'LEASED')) ORDER BY v.seq")));
    }

    @Override
    public WorkEstimate estimate() {
        return tx("estimate", this::estimate);
    }

    WorkEstimate estimate(Connection c) throws SQLException {
        long pending = 0;
        long leased = 0;
        long done = 0;
        long failed = 0;
        // One pass over the chunks without joins; the claimable part of the pending frames is then read
        // from the few staged videos through the indexes (the workspace holds a handful, the corpus millions).
        try (PreparedStatement select = c.prepareStatement(sql("SELECT state, SUM(frame_to - frame_from) FROM {p}chunks GROUP BY state"));
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
            try (PreparedStatement select = c.prepareStatement(sql("SELECT COALESCE(SUM(c.frame_to - c.frame_from), 0)"
                    + " FROM {p}videos v JOIN {p}tracks t ON t.video_id = v.id JOIN {p}chunks c ON c.track_id = t.id"
                    + " WHERE v.stage_state = 'STAGED' AND c.state = 'PENDING'"));
                    ResultSet rows = select.executeQuery()) {
                rows.next();
                claimable = rows.getLong(1);
            }
        }
        return new WorkEstimate(claimable, pending - claimable, leased, done, failed);
    }

    // --- results -----------------------------------------------------------------------------------

    @Override
    public void storeResults(List<FrameResult> results) {
        Objects.requireNonNull(results, "results");
        if (results.isEmpty()) {
            return;
        }
        Set<Long> trackIds = new LinkedHashSet<>();
        for (FrameResult result : results) {
            trackIds.add(Objects.requireNonNull(result, "result").trackId());
        }
        tx("storeResults(tracks=" + trackIds + ", count=" + results.size() + ")", c -> {
            for (long trackId : trackIds) {
                requireTrack(c, trackId);
            }
            if (bulkResults != null && results.size() >= BULK_THRESHOLD) {
                bulkResults.store(c, results);
                return null;
            }
            try (PreparedStatement insert = c.prepareStatement(dialect.insertResultIfAbsentSql(tablePrefix + "results"))) {
                int inBatch = 0;
                for (FrameResult result : results) {
                    insert.setLong(1, result.trackId());
                    insert.setLong(2, result.frame());
                    insert.setString(3, result.payload());
                    insert.addBatch();
                    if (++inBatch == RESULT_BATCH) {
                        insert.executeBatch();
                        inBatch = 0;
                    }
                }
                if (inBatch > 0) {
                    insert.executeBatch();
                }
            }
            return null;
        });
    }

    void requireTrack(Connection c, long trackId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql("SELECT 1 FROM {p}tracks WHERE id = ?"))) {
            select.setLong(1, trackId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new NotFoundException("track", trackId);
                }
            }
        }
    }

    @Override
    public void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer) {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(consumer, "consumer");
        ready();
        AtomicBoolean delivered = new AtomicBoolean();
        transactor.inTransaction("readResults(track=" + trackId + ", range=" + range + ")", c -> {
            requireTrack(c, trackId);
            try (PreparedStatement select = c.prepareStatement(sql("SELECT frame, payload FROM {p}results WHERE track_id = ?"
                    + " AND frame >= ? AND frame < ? ORDER BY frame"))) {
                select.setFetchSize(RESULT_FETCH_SIZE);
                bindAll(select, trackId, range.from(), range.to());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        delivered.set(true);
                        consumer.accept(new FrameResult(trackId, rows.getLong(1), rows.getString(2)));
                    }
                }
            }
            return null;
        }, () -> !delivered.get());
    }

    @Override
    public LedgerReader reader() {
        return reader;
    }

    @Override
    public JobRecords jobRecords() {
        return jobRecords;
    }

    JdbcJobRecords jdbcJobRecords() {
        return jobRecords;
    }

    ChunkHistory chunkHistory() {
        return history;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                LOG.warn("closing the connection pool of {} failed: {}", description, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
