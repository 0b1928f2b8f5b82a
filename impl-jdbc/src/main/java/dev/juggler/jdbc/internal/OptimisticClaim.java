package dev.juggler.jdbc.internal;

import dev.juggler.jdbc.internal.ClaimCandidates.Candidate;
import dev.juggler.jdbc.internal.ClaimCandidates.LeaseTerms;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The H2 claim: read a few candidates without locks and lease one with a compare-and-set on its version;
 * a lost race moves on to the next candidate, and when all are lost the transaction is run again after a
 * short random pause ({@link Transactor.RetryableConflict}). H2's row locks are exercised with real
 * processes this way by MultiProcessClaimRaceTest, and an embedded ledger has few claimers. Thread-safe.
 */
final class OptimisticClaim implements ClaimStrategy {

    private static final int CANDIDATES = 8;

    private static final NamedSql LEASE = NamedSql.parse("UPDATE {p}chunks SET state = 'LEASED', version = version + 1,"
            + " frame_to = :headEnd, lease_token = :token, lease_owner = :owner, lease_job = :job, lease_expires_ms = :expires,"
            + " lease_duration_ms = :duration, checkpoint = frame_from, updated_ms = :now"
            + " WHERE id = :id AND version = :version AND state = 'PENDING'");

    private final LedgerDatabase db;
    private final Chunks chunks;

    OptimisticClaim(LedgerDatabase db, Chunks chunks) {
        this.db = db;
        this.chunks = chunks;
    }

    @Override
    public Optional<Lease> claim(ClaimRequest request, String operation) {
        return db.tx(operation, c -> claim(c, request));
    }

    private Optional<Lease> claim(Connection c, ClaimRequest request) throws SQLException {
        List<Candidate> candidates = ClaimCandidates.find(db, c, request, CANDIDATES);
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        for (Candidate candidate : candidates) {
            Optional<Lease> lease = lease(c, request, candidate);
            if (lease.isPresent()) {
                return lease;
            }
        }
        throw new Transactor.RetryableConflict("every candidate chunk was claimed by someone else first");
    }

    /** Leases the head of {@code candidate} if its version is unchanged; the rest becomes a new pending chunk. */
    private Optional<Lease> lease(Connection c, ClaimRequest request, Candidate candidate) throws SQLException {
        LeaseTerms terms = LeaseTerms.of(request, db.nowMillis());
        long headEnd = candidate.from() + Math.min(request.maxFrames(), candidate.to() - candidate.from());
        int won;
        try (PreparedStatement update = c.prepareStatement(db.sql(LEASE.sql()))) {
            LEASE.bind(update, NamedSql.params().set("headEnd", headEnd).set("token", terms.token()).set("owner", request.workerId())
                    .set("job", request.jobId().orElse(null)).set("expires", terms.expiresMillis())
                    .set("duration", terms.durationMillis()).set("now", terms.nowMillis()).set("id", candidate.id())
                    .set("version", candidate.version()));
            won = update.executeUpdate();
        }
        if (won != 1) {
            return Optional.empty();
        }
        if (headEnd < candidate.to()) {
            chunks.insert(c, new Chunks.NewChunk(candidate.trackId(), headEnd, candidate.to(), ChunkState.PENDING,
                    candidate.attempts(), null, candidate.priority(), candidate.createdMs()), terms.nowMillis());
        }
        return Optional.of(terms.lease(candidate.id(), candidate.trackId(), candidate.analysis(), candidate.videoId(),
                candidate.location(), candidate.from(), headEnd, candidate.attempts()));
    }
}
