package dev.juggler.jdbc.internal;

import dev.juggler.ledger.ClaimRequest;
import dev.juggler.ledger.Lease;
import dev.juggler.video.FrameRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What both claim strategies share: the candidate query (claimable chunks in claim order: priority,
 * then oldest, then track and first frame) and the terms of a new lease. Stateless; thread-safe.
 */
final class ClaimCandidates {

    /** A claimable chunk as seen by the candidate query. Immutable. */
    record Candidate(long id, long version, long from, long to, int attempts, long trackId, String analysis,
            String videoId, String location, int priority, long createdMs) {
    }

    /** The token and times of a lease about to be granted. Immutable. */
    record LeaseTerms(String token, long nowMillis, long durationMillis, long expiresMillis) {

        static LeaseTerms of(ClaimRequest request, long nowMillis) {
            long duration = Math.max(1, request.leaseDuration().toMillis());
            return new LeaseTerms(Sql.newToken(), nowMillis, duration, nowMillis + duration);
        }

        /** The lease on frames {@code [from, headEnd)} of a chunk whose attempts so far were {@code attempts}. */
        Lease lease(long chunkId, long trackId, String analysis, String videoId, String location, long from, long headEnd,
                int attempts) {
            return new Lease(chunkId, token, trackId, analysis, videoId, location == null ? "" : location,
                    FrameRange.of(from, headEnd), Instant.ofEpochMilli(expiresMillis), attempts + 1);
        }
    }

    private ClaimCandidates() {
    }

    /** Up to {@code limit} claimable chunks for {@code request}, best first, read without locks. */
    static List<Candidate> find(LedgerDatabase db, Connection c, ClaimRequest request, int limit) throws SQLException {
        String query = db.sql("SELECT c.id, c.version, c.frame_from, c.frame_to, c.attempts, c.track_id, t.analysis, t.video_id,"
                + " v.staged_location, c.priority, c.created_ms"
                + " FROM {p}chunks c JOIN {p}tracks t ON t.id = c.track_id JOIN {p}videos v ON v.id = t.video_id"
                + " WHERE c.state = 'PENDING' AND v.stage_state = 'STAGED'"
                + (request.analysis().isPresent() ? " AND t.analysis = ?" : "")
                + " ORDER BY c.priority DESC, c.created_ms, c.track_id, c.frame_from FETCH FIRST " + limit + " ROWS ONLY");
        List<Candidate> candidates = new ArrayList<>(limit);
        try (PreparedStatement select = c.prepareStatement(query)) {
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
}
