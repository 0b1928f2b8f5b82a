package dev.juggler.jdbc.internal;

import dev.juggler.NotFoundException;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.RunReport;
import dev.juggler.ledger.JobRecord;
import dev.juggler.ledger.JobRecords;
import dev.juggler.ledger.JobStateChange;
import dev.juggler.ledger.Submission;
import dev.juggler.ledger.SubmissionIntent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * {@link JobRecords} in the ledger's {@code submissions}, {@code jobs} and {@code job_states} tables
 * (schema version 3), apart from the chunk table. A job row changes by compare-and-set on its
 * {@code changes} counter (which numbers its history), and is settled by an update guarded by
 * {@code settled_ms IS NULL}: whoever's update lands first settles it, across processes. Frames done are
 * read from the DONE chunks that keep the job id of the lease that did them (between the end of the
 * previous job of the same id and this job's settlement). Thread-safe.
 */
final class JdbcJobRecords implements JobRecords {

    private static final int IN_BATCH = 100;

    private static final String FRAMES = "(SELECT COALESCE(SUM(c.frame_to - c.frame_from), 0) FROM {p}chunks c WHERE c.lease_job = j.job_id"
            + " AND c.state = 'DONE' AND c.updated_ms >= j.frames_from_ms AND (j.settled_ms IS NULL OR c.updated_ms <= j.settled_ms))";
    private static final String RECORD_COLUMNS = "SELECT j.job_id, j.run_key, j.submission_id, j.adopted, j.spec_hash, j.submitted_ms,"
            + " j.state, j.native_state, j.reason, j.exit_code, j.state_ms, j.ended_ms, j.settled_ms, j.generation, " + FRAMES
            + " FROM {p}jobs j";

    /** The newest row of a job id, as the write paths need it. */
    private record Row(long id, int generation, String runKey, Long submissionId, int changes, JobStatus last, Long settledMs) {
    }

    private final LedgerDatabase db;
    private final JdbcRunReports runReports;

    JdbcJobRecords(LedgerDatabase db) {
        this.db = db;
        this.runReports = new JdbcRunReports(db);
    }

    private static Object orNull(OptionalInt value) {
        return value.isPresent() ? (Object) value.getAsInt() : Sql.NULL_INTEGER;
    }

    // --- writes --------------------------------------------------------------------------------------

    @Override
    public long recordSubmission(SubmissionIntent intent) {
        Objects.requireNonNull(intent, "intent");
        return db.tx("recordSubmission(run=" + intent.runKey() + ", count=" + intent.jobCount() + ")", c -> {
            String sql = db.sql("INSERT INTO {p}submissions (run_key, spec_hash, job_count, created_ms) VALUES (?, ?, ?, ?)");
            try (PreparedStatement insert = c.prepareStatement(sql, new String[] {db.dialect().generatedKeyColumn("id")})) {
                Sql.bindAll(insert, intent.runKey(), intent.specHash(), intent.jobCount(), intent.at().toEpochMilli());
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException("the driver returned no generated id for: " + sql);
                    }
                    return keys.getLong(1);
                }
            }
        });
    }

    private SubmissionIntent submission(Connection c, long submissionId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT run_key, spec_hash, job_count, created_ms"
                + " FROM {p}submissions WHERE id = ?"))) {
            select.setLong(1, submissionId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new NotFoundException("submission", submissionId);
                }
                return new SubmissionIntent(rows.getString(1), rows.getString(2), rows.getInt(3), Instant.ofEpochMilli(rows.getLong(4)));
            }
        }
    }

    @Override
    public void recordSubmitted(long submissionId, List<String> jobIds, Instant at) {
        List<String> ids = List.copyOf(jobIds);
        Objects.requireNonNull(at, "at");
        db.tx("recordSubmitted(submission=" + submissionId + ", jobs=" + ids.size() + ")", c -> {
            SubmissionIntent intent = submission(c, submissionId);
            for (String jobId : ids) {
                Row newest = newest(c, jobId);
                if (newest != null && Objects.equals(newest.submissionId(), submissionId)) {
                    continue;
                }
                insertJob(c, newest, jobId, intent.runKey(), submissionId, false, intent.specHash(), intent.at(), at);
            }
            confirm(c, submissionId, at);
            return null;
        });
    }

    @Override
    public void recordAdopted(String runKey, OptionalLong submissionId, List<String> jobIds, Instant at) {
        Objects.requireNonNull(runKey, "runKey");
        List<String> ids = List.copyOf(jobIds);
        Objects.requireNonNull(at, "at");
        db.tx("recordAdopted(run=" + runKey + ", jobs=" + ids + ")", c -> {
            SubmissionIntent intent = submissionId.isPresent() ? submission(c, submissionId.getAsLong()) : null;
            for (String jobId : ids) {
                Row newest = newest(c, jobId);
                if (newest != null && newest.settledMs() == null) {
                    continue;
                }
                if (intent != null) {
                    insertJob(c, newest, jobId, intent.runKey(), submissionId.getAsLong(), true, intent.specHash(), intent.at(), at);
                } else {
                    insertJob(c, newest, jobId, runKey, null, true, "", at, at);
                }
            }
            if (intent != null) {
                confirm(c, submissionId.getAsLong(), at);
            }
            return null;
        });
    }

    private void confirm(Connection c, long submissionId, Instant at) throws SQLException {
        Sql.update(c, db.sql("UPDATE {p}submissions SET confirmed_ms = ? WHERE id = ? AND confirmed_ms IS NULL"), at.toEpochMilli(),
                submissionId);
    }

    /** Inserts the next generation of a job id; an unsettled older one is settled as GONE (the id was reused). */
    private void insertJob(Connection c, Row newest, String jobId, String runKey, Long submissionId, boolean adopted, String specHash,
            Instant submittedAt, Instant at) throws SQLException {
        long framesFrom = 0;
        if (newest != null) {
            if (newest.settledMs() == null) {
                JobStatus gone = new JobStatus(jobId, "", JobState.GONE, "GONE", Optional.of("job id reused by a new submission"),
                        OptionalInt.empty());
                append(c, newest, gone, at);
                Sql.update(c, db.sql("UPDATE {p}jobs SET settled_ms = ? WHERE id = ?"), at.toEpochMilli(), newest.id());
                framesFrom = at.toEpochMilli();
            } else {
                framesFrom = newest.settledMs();
            }
        }
        Sql.update(c, db.sql("INSERT INTO {p}jobs (job_id, generation, run_key, submission_id, adopted, spec_hash, submitted_ms,"
                + " frames_from_ms, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)"), jobId, newest == null ? 1 : newest.generation() + 1,
                runKey, submissionId == null ? Sql.NULL_BIGINT : submissionId, adopted, specHash, submittedAt.toEpochMilli(), framesFrom);
    }

    private Row newest(Connection c, String jobId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT id, generation, run_key, submission_id, changes, state,"
                + " native_state, reason, exit_code, settled_ms FROM {p}jobs WHERE job_id = ? ORDER BY generation DESC"
                + " FETCH FIRST 1 ROWS ONLY"))) {
            select.setString(1, jobId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                long submission = rows.getLong(4);
                Long submissionId = rows.wasNull() ? null : submission;
                String state = rows.getString(6);
                JobStatus last = null;
                if (state != null) {
                    int exit = rows.getInt(9);
                    OptionalInt exitCode = rows.wasNull() ? OptionalInt.empty() : OptionalInt.of(exit);
                    last = new JobStatus(jobId, "", JobState.valueOf(state), rows.getString(7), Optional.ofNullable(rows.getString(8)),
                            exitCode);
                }
                long settled = rows.getLong(10);
                Long settledMs = rows.wasNull() ? null : settled;
                return new Row(rows.getLong(1), rows.getInt(2), rows.getString(3), submissionId, rows.getInt(5), last, settledMs);
            }
        }
    }

    private Row require(Connection c, String jobId) throws SQLException {
        Row row = newest(c, Objects.requireNonNull(jobId, "jobId"));
        if (row == null) {
            throw new NotFoundException("job", jobId);
        }
        return row;
    }

    private static boolean same(JobStatus a, JobStatus b) {
        return a != null && a.state() == b.state() && a.nativeState().equals(b.nativeState()) && a.reason().equals(b.reason())
                && a.exitCode().equals(b.exitCode());
    }

    /** Appends a state to a job row's history (compare-and-set on its change counter). */
    private void append(Connection c, Row row, JobStatus status, Instant at) throws SQLException {
        long now = at.toEpochMilli();
        int updated = Sql.update(c, db.sql("UPDATE {p}jobs SET state = ?, native_state = ?, reason = ?, exit_code = ?, state_ms = ?,"
                + " ended_ms = CASE WHEN ended_ms IS NULL AND ? = 1 THEN ? ELSE ended_ms END, changes = changes + 1"
                + " WHERE id = ? AND changes = ?"), status.state().name(), status.nativeState(), status.reason().orElse(null),
                orNull(status.exitCode()), now, status.state().isTerminal() ? 1 : 0, now, row.id(), row.changes());
        if (updated != 1) {
            throw new Transactor.RetryableConflict("job " + status.jobId() + " was changed meanwhile");
        }
        Sql.update(c, db.sql("INSERT INTO {p}job_states (job_row, seq, at_ms, state, native_state, reason, exit_code)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)"), row.id(), row.changes() + 1, now, status.state().name(), status.nativeState(),
                status.reason().orElse(null), orNull(status.exitCode()));
    }

    @Override
    public boolean recordState(JobStatus status, Instant at) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
        return db.tx("recordState(job=" + status.jobId() + ", state=" + status.state() + ")", c -> {
            Row row = require(c, status.jobId());
            if (same(row.last(), status)) {
                return false;
            }
            append(c, row, status, at);
            return true;
        });
    }

    @Override
    public boolean settle(JobStatus finalStatus, Instant at) {
        Objects.requireNonNull(finalStatus, "finalStatus");
        Objects.requireNonNull(at, "at");
        return db.tx("settle(job=" + finalStatus.jobId() + ")", c -> {
            Row row = require(c, finalStatus.jobId());
            if (row.settledMs() != null) {
                return false;
            }
            if (!same(row.last(), finalStatus)) {
                append(c, row, finalStatus, at);
            }
            long now = at.toEpochMilli();
            return Sql.update(c, db.sql("UPDATE {p}jobs SET settled_ms = ?, ended_ms = COALESCE(ended_ms, ?)"
                    + " WHERE id = ? AND settled_ms IS NULL"), now, now, row.id()) == 1;
        });
    }

    // --- reads ---------------------------------------------------------------------------------------

    private List<JobRecord> readRecords(Connection c, String sql, Object... parameters) throws SQLException {
        List<JobRecord> result = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(db.sqlOnce(sql))) {
            Sql.bindAll(select, parameters);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long submission = rows.getLong(3);
                    OptionalLong submissionId = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(submission);
                    Optional<JobStateChange> last = Optional.empty();
                    String state = rows.getString(7);
                    if (state != null) {
                        int exit = rows.getInt(10);
                        OptionalInt exitCode = rows.wasNull() ? OptionalInt.empty() : OptionalInt.of(exit);
                        last = Optional.of(new JobStateChange(Instant.ofEpochMilli(rows.getLong(11)), JobState.valueOf(state),
                                rows.getString(8), Optional.ofNullable(rows.getString(9)), exitCode));
                    }
                    result.add(new JobRecord(rows.getString(1), rows.getString(2), submissionId, rows.getBoolean(4), rows.getString(5),
                            Instant.ofEpochMilli(rows.getLong(6)), last, Sql.instant(rows, 12), Sql.instant(rows, 13), rows.getLong(15)));
                }
            }
        }
        return result;
    }

    @Override
    public List<JobRecord> unsettled(String runKey) {
        Objects.requireNonNull(runKey, "runKey");
        return db.tx("unsettled(run=" + runKey + ")", c -> readRecords(c, RECORD_COLUMNS
                + " WHERE j.run_key = ? AND j.settled_ms IS NULL ORDER BY j.id", runKey));
    }

    @Override
    public List<Submission> unconfirmed(String runKey) {
        Objects.requireNonNull(runKey, "runKey");
        return db.tx("unconfirmed(run=" + runKey + ")", c -> {
            List<Submission> result = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT id, spec_hash, job_count, created_ms FROM {p}submissions"
                    + " WHERE run_key = ? AND confirmed_ms IS NULL ORDER BY id"))) {
                select.setString(1, runKey);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        result.add(new Submission(rows.getLong(1), new SubmissionIntent(runKey, rows.getString(2), rows.getInt(3),
                                Instant.ofEpochMilli(rows.getLong(4)))));
                    }
                }
            }
            return result;
        });
    }

    @Override
    public List<JobRecord> find(Collection<String> jobIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(jobIds));
        if (ids.isEmpty()) {
            return List.of();
        }
        return db.tx("find(jobs=" + ids.size() + ")", c -> {
            Map<String, JobRecord> newest = new HashMap<>();
            for (int from = 0; from < ids.size(); from += IN_BATCH) {
                List<String> slice = ids.subList(from, Math.min(ids.size(), from + IN_BATCH));
                // ordered by generation: the newest of each id comes last and wins
                for (JobRecord record : readRecords(c, RECORD_COLUMNS + " WHERE j.job_id IN (" + Sql.placeholders(slice.size()) + ")"
                        + " ORDER BY j.generation", slice.toArray())) {
                    newest.put(record.jobId(), record);
                }
            }
            return new ArrayList<>(newest.values());
        });
    }

    @Override
    public List<JobStateChange> history(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return db.tx("history(job=" + jobId + ")", c -> {
            Row row = newest(c, jobId);
            List<JobStateChange> result = new ArrayList<>();
            if (row == null) {
                return result;
            }
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT at_ms, state, native_state, reason, exit_code"
                    + " FROM {p}job_states WHERE job_row = ? ORDER BY seq"))) {
                select.setLong(1, row.id());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        int exit = rows.getInt(5);
                        OptionalInt exitCode = rows.wasNull() ? OptionalInt.empty() : OptionalInt.of(exit);
                        result.add(new JobStateChange(Instant.ofEpochMilli(rows.getLong(1)), JobState.valueOf(rows.getString(2)),
                                rows.getString(3), Optional.ofNullable(rows.getString(4)), exitCode));
                    }
                }
            }
            return result;
        });
    }

    @Override
    public List<JobRecord> jobs(JobQuery query) {
        Objects.requireNonNull(query, "query");
        return db.tx("jobs(" + query + ")", c -> {
            List<Object> parameters = new ArrayList<>();
            StringBuilder sql = new StringBuilder(RECORD_COLUMNS).append(where(query, parameters));
            sql.append(query.sort() == JobQuery.Sort.SUBMITTED_ASC ? " ORDER BY j.submitted_ms, j.id"
                    : " ORDER BY j.submitted_ms DESC, j.id DESC");
            sql.append(TrackFilterSql.page(query.offset(), query.limit()));
            return readRecords(c, sql.toString(), parameters.toArray());
        });
    }

    /** How many jobs match the query's filters. */
    long count(JobQuery query) {
        Objects.requireNonNull(query, "query");
        return db.tx("countJobs(" + query + ")", c -> {
            List<Object> parameters = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sqlOnce(JdbcLedgerReader.capped("SELECT 1 FROM {p}jobs j"
                    + where(query, parameters))))) {
                Sql.bindAll(select, parameters.toArray());
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    private static String where(JobQuery query, List<Object> parameters) {
        StringBuilder sql = new StringBuilder(" WHERE 1 = 1");
        query.runKey().ifPresent(key -> {
            sql.append(" AND j.run_key = ?");
            parameters.add(key);
        });
        query.state().ifPresent(state -> {
            sql.append(" AND j.state = ?");
            parameters.add(state.name());
        });
        TrackFilterSql.window(sql, "j.submitted_ms", query.window());
        return sql.toString();
    }

    @Override
    public void recordRunReport(RunReport report) {
        runReports.record(report);
    }

    @Override
    public List<RunReport> runReports() {
        return runReports.all();
    }
}
