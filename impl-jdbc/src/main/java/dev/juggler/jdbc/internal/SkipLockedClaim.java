package dev.juggler.jdbc.internal;

import dev.juggler.jdbc.internal.ClaimCandidates.LeaseTerms;
import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The PostgreSQL claim: lock the best claimable chunk that nobody else has locked ({@code FOR UPDATE SKIP
 * LOCKED}), so concurrent claimers never wait for each other nor lose races; they simply take the next
 * chunk. The row lock is held until the statement commits (auto-commit), so the update in the same
 * statement cannot race. Thread-safe.
 */
final class SkipLockedClaim implements ClaimStrategy {

    /**
     * Built once: it runs for every claim, so neither concatenating it nor hashing a fresh copy for the
     * statement cache belongs on that path.
     */
    private static final NamedSql CLAIM = NamedSql.parse(statement(""));
    private static final NamedSql CLAIM_FOR_ANALYSIS = NamedSql.parse(statement(" AND t.analysis = :analysis"));

    private final LedgerDatabase db;

    SkipLockedClaim(LedgerDatabase db) {
        this.db = db;
    }

    /**
     * One round trip: pick and lock, lease the head, insert the rest. Every part of a WITH statement sees
     * the same snapshot, so "pick" yields the row as it was before the update.
     */
    private static String statement(String analysisFilter) {
        return "WITH pick AS (SELECT c.id, c.frame_from, c.frame_to, c.attempts, c.track_id, c.priority,"
                + " c.created_ms, t.analysis, t.video_id, v.staged_location"
                + " FROM {p}chunks c JOIN {p}tracks t ON t.id = c.track_id JOIN {p}videos v ON v.id = t.video_id"
                + " WHERE c.state = 'PENDING' AND v.stage_state = 'STAGED'" + analysisFilter
                + " ORDER BY c.priority DESC, c.created_ms, c.track_id, c.frame_from LIMIT 1 FOR UPDATE OF c SKIP LOCKED),"
                + " leased AS (UPDATE {p}chunks u SET state = 'LEASED', version = u.version + 1,"
                + " frame_to = LEAST(pick.frame_to, pick.frame_from + :maxFrames), lease_token = :token, lease_owner = :owner,"
                + " lease_job = :job, lease_expires_ms = :expires, lease_duration_ms = :duration, checkpoint = u.frame_from,"
                + " updated_ms = :now FROM pick WHERE u.id = pick.id RETURNING u.id),"
                + " rest AS (INSERT INTO {p}chunks (track_id, frame_from, frame_to, state, version, checkpoint, attempts, priority,"
                + " created_ms, updated_ms) SELECT track_id, frame_from + :maxFrames, frame_to, 'PENDING', 0, frame_from + :maxFrames,"
                + " attempts, priority, created_ms, :now FROM pick WHERE frame_to - frame_from > :maxFrames)"
                + " SELECT pick.id, pick.frame_from, pick.frame_to, pick.attempts, pick.track_id, pick.analysis, pick.video_id,"
                + " pick.staged_location FROM pick JOIN leased ON leased.id = pick.id";
    }

    @Override
    public Optional<Lease> claim(ClaimRequest request, String operation) {
        return db.single(operation, c -> claim(c, request));
    }

    private Optional<Lease> claim(Connection c, ClaimRequest request) throws SQLException {
        LeaseTerms terms = LeaseTerms.of(request, db.nowMillis());
        long maxFrames = request.maxFrames();
        NamedSql statement = request.analysis().isPresent() ? CLAIM_FOR_ANALYSIS : CLAIM;
        NamedSql.Params params = NamedSql.params().set("maxFrames", maxFrames).set("token", terms.token())
                .set("owner", request.workerId()).set("job", request.jobId().orElse(null)).set("expires", terms.expiresMillis())
                .set("duration", terms.durationMillis()).set("now", terms.nowMillis());
        request.analysis().ifPresent(analysis -> params.set("analysis", analysis));
        try (PreparedStatement claim = c.prepareStatement(db.sql(statement.sql()))) {
            statement.bind(claim, params);
            try (ResultSet rows = claim.executeQuery()) {
                if (rows.next()) {
                    long from = rows.getLong(2);
                    long headEnd = Math.min(rows.getLong(3), from + maxFrames);
                    return Optional.of(terms.lease(rows.getLong(1), rows.getLong(5), rows.getString(6), rows.getString(7),
                            rows.getString(8), from, headEnd, rows.getInt(4)));
                }
            }
        }
        // Nothing unlocked. If claimable chunks exist, they are locked by claims in flight (which commit
        // within milliseconds): try again shortly, so that "empty" keeps meaning "nothing claimable" and
        // a worker does not exit while its colleagues split the last chunk.
        if (!ClaimCandidates.find(db, c, request, 1).isEmpty()) {
            throw new Transactor.RetryableConflict("every claimable chunk is locked by a claim in flight");
        }
        return Optional.empty();
    }
}
