package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ChunkEvent;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.DamagedFrame;
import dev.juggler.ledger.LeaseSettlement;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.Lease;
import dev.juggler.ledger.LeaseLostException;
import dev.juggler.ledger.RescheduleFilter;
import dev.juggler.ledger.RescheduleOutcome;
import dev.juggler.ledger.WorkQueue;
import dev.juggler.video.FrameRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link WorkQueue} on the chunks table: claims through the dialect's {@link ClaimStrategy}, and
 * heartbeats, completions, failures and expiries of leases, each guarded by the lease token so that a
 * lease that was lost cannot change its chunk. Operator re-scheduling goes to {@link OperatorWrites}.
 * Thread-safe.
 */
final class JdbcWorkQueue implements WorkQueue {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcWorkQueue.class);

    /** Clears the lease columns and bumps the version; its one parameter is the update time. */
    private static final String CLEAR_LEASE = "lease_job = NULL, " + endLease();

    /**
     * As {@link #CLEAR_LEASE} but keeps {@code lease_job}: a DONE row remembers the batch job whose lease
     * did its frames (the job records' frames done; nothing reads {@code lease_job} of a row that is not LEASED).
     */
    private static final String CLEAR_LEASE_KEEP_JOB = endLease();

    private final LedgerDatabase db;
    private final Chunks chunks;
    private final ChunkHistory history;
    private final LeaseBeats beats;
    private final OperatorWrites operatorWrites;
    private final int maxAttempts;
    /** Chosen once, when the first claim learns the dialect; a racing first claim picks the same kind. */
    private volatile ClaimStrategy claimStrategy;

    JdbcWorkQueue(LedgerDatabase db, Chunks chunks, ChunkHistory history, LeaseBeats beats, OperatorWrites operatorWrites,
            int maxAttempts) {
        this.db = db;
        this.chunks = chunks;
        this.history = history;
        this.beats = beats;
        this.operatorWrites = operatorWrites;
        this.maxAttempts = maxAttempts;
    }

    private static String endLease() {
        return "lease_token = NULL, lease_owner = NULL, lease_expires_ms = NULL, lease_duration_ms = NULL, version = version + 1,"
                + " updated_ms = ?";
    }

    @Override
    public Optional<Lease> claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request");
        String operation = "claim(worker=" + request.workerId() + ", job=" + request.jobId().orElse("-") + ")";
        ClaimStrategy strategy = claimStrategy;
        if (strategy == null) {
            strategy = ClaimStrategy.of(db.dialect(), db, chunks);
            claimStrategy = strategy;
        }
        return strategy.claim(request, operation);
    }

    @Override
    public Lease heartbeat(Lease lease, long checkpoint) {
        Objects.requireNonNull(lease, "lease");
        FrameRange range = lease.range();
        if (checkpoint < range.from() || checkpoint > range.to()) {
            throw new IllegalArgumentException("checkpoint = " + checkpoint + ": must lie within " + range.from() + ".."
                    + range.to() + " of the lease on chunk " + lease.chunkId());
        }
        Transactor.Work<Lease> work = c -> {
            OptionalLong expires = beats.beat(c, lease, checkpoint, db.nowMillis());
            if (expires.isEmpty()) {
                throw leaseLost(c, lease);
            }
            return lease.withExpiry(Instant.ofEpochMilli(expires.getAsLong()));
        };
        String operation = "heartbeat(chunk=" + lease.chunkId() + ")";
        // PostgreSQL beats in one statement; H2 locks the chunk, then writes the beat
        return db.dialect().updateReturning() ? db.single(operation, work) : db.tx(operation, work);
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
        String completionId = Sql.newToken();
        if (doneUntil == lease.range().to()) {
            // the common case needs no read: one guarded update ends the lease
            db.single(operation, c -> {
                int updated = Sql.update(c, db.sql("UPDATE {p}chunks SET state = 'DONE', checkpoint = frame_to, failure_reason = NULL,"
                        + " completion_id = ?, " + CLEAR_LEASE_KEEP_JOB
                        + " WHERE id = ? AND lease_token = ? AND state = 'LEASED' AND frame_from = ? AND frame_to = ?"), completionId,
                        db.nowMillis(), lease.chunkId(), lease.token(), lease.range().from(), lease.range().to());
                if (updated == 0 && !completedBy(c, lease, doneUntil, completionId)) {
                    throw leaseLost(c, lease);
                }
                return null;
            });
            return;
        }
        db.tx(operation, c -> {
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
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT 1 FROM {p}chunks WHERE id = ? AND state = 'DONE'"
                + " AND completion_id = ? AND frame_from = ? AND frame_to = ?"))) {
            Sql.bindAll(select, lease.chunkId(), completionId, lease.range().from(), doneUntil);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    @Override
    public void complete(Lease lease, long doneUntil, List<DamagedFrame> damaged) {
        Objects.requireNonNull(lease, "lease");
        checkDoneUntil(lease, doneUntil);
        if (damaged.isEmpty()) {
            complete(lease, doneUntil);
            return;
        }
        LeaseSettlement settlement = LeaseSettlement.of(lease.range().from(), lease.range().to(), doneUntil, damaged);
        db.tx("complete(chunk=" + lease.chunkId() + ", doneUntil=" + doneUntil + ", damaged=" + damaged.size() + ")", c -> {
            ChunkRow row = lockLeasedOrNull(c, lease);
            if (row == null) {
                throw leaseLost(c, lease);
            }
            long now = db.nowMillis();
            boolean first = true;
            for (LeaseSettlement.Piece piece : settlement.pieces()) {
                String reason = piece.reason() == null ? null : Sql.truncate(piece.reason());
                long checkpoint = piece.state() == ChunkState.DONE ? piece.to() : piece.from();
                long chunkId = row.id();
                if (first) {
                    Sql.update(c, db.sql("UPDATE {p}chunks SET state = ?, frame_to = ?, checkpoint = ?, failure_reason = ?, "
                            + (piece.state() == ChunkState.DONE ? CLEAR_LEASE_KEEP_JOB : CLEAR_LEASE) + " WHERE id = ?"),
                            piece.state().name(), piece.to(), checkpoint, reason, now, row.id());
                    first = false;
                } else {
                    chunks.insert(c, new Chunks.NewChunk(row.trackId(), piece.from(), piece.to(), piece.state(), row.attempts(),
                            reason, row.priority(), row.createdMs()), now);
                    chunkId = chunks.idAt(c, row.trackId(), piece.from());
                    Sql.update(c, db.sql("UPDATE {p}chunks SET checkpoint = ? WHERE id = ?"), checkpoint, chunkId);
                }
                if (piece.state() == ChunkState.FAILED) {
                    history.append(c, chunkId, row.trackId(), piece.from(), piece.to(), ChunkEvent.Kind.FAILED, row.attempts(),
                            reason, row.leaseJob(), now);
                }
            }
            return null;
        });
    }

    @Override
    public void fail(Lease lease, long doneUntil, String reason, boolean permanent) {
        Objects.requireNonNull(lease, "lease");
        checkDoneUntil(lease, doneUntil);
        String storedReason = Sql.truncate(reason == null || reason.isBlank() ? "(no reason given)" : reason);
        db.tx("fail(chunk=" + lease.chunkId() + ", doneUntil=" + doneUntil + ", permanent=" + permanent + ")", c -> {
            ChunkRow row = lockLeasedOrNull(c, lease);
            if (row == null) {
                throw leaseLost(c, lease);
            }
            int attempts = row.attempts() + 1;
            ChunkState restState = permanent || attempts >= maxAttempts ? ChunkState.FAILED : ChunkState.PENDING;
            settle(c, row, doneUntil, restState, attempts, storedReason, null);
            history.failed(c, row, doneUntil, restState, attempts, storedReason, db.nowMillis());
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

    /** Locks the chunk of a lease that is still held, or returns {@code null}. */
    private ChunkRow lockLeasedOrNull(Connection c, Lease lease) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT " + ChunkRow.COLUMNS + " FROM {p}chunks c WHERE c.id = ?"
                + " AND c.lease_token = ? AND c.state = 'LEASED' AND c.frame_from = ? AND c.frame_to = ? FOR UPDATE"))) {
            Sql.bindAll(select, lease.chunkId(), lease.token(), lease.range().from(), lease.range().to());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? ChunkRow.read(rows) : null;
            }
        }
    }

    private LeaseLostException leaseLost(Connection c, Lease lease) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT state, lease_token FROM {p}chunks WHERE id = ?"))) {
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

    /**
     * Ends the lease on {@code row}: frames before {@code split} become DONE (without a failure reason:
     * an earlier failure of those frames is over; with {@code completionId}, the id of the complete()
     * call that ends it, or {@code null} for any other end), the rest takes {@code restState} with
     * {@code restAttempts} (and {@code restReason}, if given, else the row's last reason).
     */
    private void settle(Connection c, ChunkRow row, long split, ChunkState restState, int restAttempts, String restReason,
            String completionId) throws SQLException {
        long now = db.nowMillis();
        String reason = restReason != null ? restReason : row.failureReason();
        if (split >= row.to()) {
            Sql.update(c, db.sql("UPDATE {p}chunks SET state = 'DONE', checkpoint = frame_to, failure_reason = NULL, completion_id = ?, "
                    + CLEAR_LEASE_KEEP_JOB + " WHERE id = ?"), completionId, now, row.id());
        } else if (split <= row.from()) {
            Sql.update(c, db.sql("UPDATE {p}chunks SET state = ?, attempts = ?, failure_reason = ?, checkpoint = frame_from, "
                    + CLEAR_LEASE + " WHERE id = ?"), restState.name(), restAttempts, reason, now, row.id());
        } else {
            Sql.update(c, db.sql("UPDATE {p}chunks SET state = 'DONE', frame_to = ?, checkpoint = ?, failure_reason = NULL,"
                    + " completion_id = ?, " + CLEAR_LEASE_KEEP_JOB + " WHERE id = ?"), split, split, completionId, now, row.id());
            chunks.insert(c, new Chunks.NewChunk(row.trackId(), split, row.to(), restState, restAttempts, reason, row.priority(),
                    row.createdMs()), now);
        }
    }

    @Override
    public int reapExpired() {
        long now = db.nowMillis();
        int reaped = endLeases("reapExpired", "c.state = 'LEASED' AND " + LeaseBeats.expiry("c") + " <= ?", List.of(now),
                "c.state = 'LEASED'", List.of(), row -> row.leaseExpiresMillis() <= now,
                attempts -> "lease expired " + attempts + " times", "lease expired");
        int swept = db.tx("reapExpired sweep", beats::sweep);
        LOG.debug("reapExpired: {} leases ended, {} beats of ended leases deleted", reaped, swept);
        return reaped;
    }

    @Override
    public int revokeJob(String jobId, String reason) {
        Objects.requireNonNull(jobId, "jobId");
        String why = Sql.truncate("job " + jobId + " revoked: " + (reason == null || reason.isBlank() ? "(no reason given)" : reason));
        String condition = "c.state = 'LEASED' AND c.lease_job = ?";
        return endLeases("revokeJob(job=" + jobId + ")", condition, List.of(jobId), condition, List.of(jobId), row -> true,
                attempts -> Sql.truncate(why + " (attempts exhausted: " + attempts + ")"), why);
    }

    /**
     * Ends every lease of a chunk {@code c} matching {@code condition} that still matches {@code lockCondition} once
     * locked and for which {@code ends} holds of the row read after the lock: frames before its checkpoint DONE, the rest
     * back to PENDING with an attempt counted, or FAILED when attempts are exhausted. One transaction per lease. The row
     * is read after the lock, in a statement of its own, so that it shows the heartbeats that held the lock before.
     */
    private int endLeases(String operation, String condition, List<Object> parameters, String lockCondition,
            List<Object> lockParameters, Predicate<ChunkRow> ends, IntFunction<String> exhaustedReason, String pendingReason) {
        List<Long> chunkIds = db.tx(operation + " select", c -> {
            List<Long> found = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT c.id FROM {p}chunks c WHERE " + condition
                    + " ORDER BY c.id"))) {
                Sql.bindAll(select, parameters.toArray());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(rows.getLong(1));
                    }
                }
            }
            return found;
        });
        int ended = 0;
        for (long chunkId : chunkIds) {
            List<Object> lockArguments = new ArrayList<>(lockParameters.size() + 1);
            lockArguments.add(chunkId);
            lockArguments.addAll(lockParameters);
            boolean done = db.tx(operation + " chunk=" + chunkId, c -> {
                try (PreparedStatement lock = c.prepareStatement(db.sql("SELECT c.id FROM {p}chunks c WHERE c.id = ? AND "
                        + lockCondition + " FOR UPDATE"))) {
                    Sql.bindAll(lock, lockArguments.toArray());
                    try (ResultSet rows = lock.executeQuery()) {
                        if (!rows.next()) {
                            return false;
                        }
                    }
                }
                ChunkRow row;
                try (PreparedStatement select = c.prepareStatement(db.sql("SELECT " + ChunkRow.COLUMNS + " FROM {p}chunks c"
                        + " WHERE c.id = ?"))) {
                    select.setLong(1, chunkId);
                    try (ResultSet rows = select.executeQuery()) {
                        rows.next();
                        row = ChunkRow.read(rows);
                    }
                }
                if (!ends.test(row)) {
                    return false;
                }
                int attempts = row.attempts() + 1;
                boolean exhausted = attempts >= maxAttempts;
                ChunkState rest = exhausted ? ChunkState.FAILED : ChunkState.PENDING;
                String why = exhausted ? exhaustedReason.apply(attempts) : pendingReason;
                settle(c, row, row.checkpoint(), rest, attempts, why, null);
                history.failed(c, row, row.checkpoint(), rest, attempts, why, db.nowMillis());
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
}
