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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /** Pending chunks read by the first page while looking for claimable ones. */
    private static final int PAGE = 32;
    /** The most pending chunks one page reads. */
    private static final int MAX_PAGE = 4096;

    private ClaimCandidates() {
    }

    /**
     * Up to {@code limit} claimable chunks for {@code request}, best first, read without locks.
     *
     * <p>Two steps instead of one join: pending chunks are read a page at a time in the claim index's own order
     * (so the read stops early; {@code c.state} leads the sort, although fixed, for H2 to see that order), and
     * each page's tracks are looked up by key to keep those of staged videos (and of the requested analysis).
     * The feeder stages videos in nearly the claim order, so the first page almost always holds the answer:
     * a claim costs a few key lookups however many videos are staged and however many done chunks their tracks
     * have, where a join let H2 walk every staged video (found by the simulation of an 825M-frame run).
     */
    static List<Candidate> find(LedgerDatabase db, Connection c, ClaimRequest request, int limit) throws SQLException {
        int page = Math.max(PAGE, 4 * limit);
        // With SKIP LOCKED (PostgreSQL) this runs only after a claim found nothing, where the probe ends the
        // search at once. On H2 it is every claim's path; there the paging H2 always did is kept, because the probe
        // did not measure cheaper (the reference simulation at 40 sessions: 76 s of wall time without it, 83 s with
        // it, a difference within the machine's noise).
        boolean probe = db.dialect().claimsWithSkipLocked();
        String pending = db.sql("SELECT c.id, c.version, c.frame_from, c.frame_to, c.attempts, c.track_id, c.priority, c.created_ms"
                + " FROM {p}chunks c{ix:chunks_claim_ix} WHERE c.state = 'PENDING'"
                + " ORDER BY c.state, c.priority DESC, c.created_ms, c.track_id, c.frame_from OFFSET ? ROWS FETCH NEXT ");
        List<Candidate> candidates = new ArrayList<>(limit);
        Map<Long, TrackPlace> places = new HashMap<>();
        try (PreparedStatement place = c.prepareStatement(db.sql("SELECT t.analysis, t.video_id, v.stage_state, v.staged_location"
                + " FROM {p}tracks t JOIN {p}videos v ON v.id = t.video_id WHERE t.id = ?"))) {
            // Pages double in size, so that claimable chunks far down the order (behind videos that failed to
            // stage, or behind another analysis) cost a logarithmic number of reads, not one per 32 chunks.
            long offset = 0;
            while (candidates.size() < limit) {
                int read;
                try (PreparedStatement select = c.prepareStatement(pending + page + " ROWS ONLY")) {
                    select.setLong(1, offset);
                    read = readPage(select, place, places, request, limit, candidates);
                }
                if (read < page) {
                    break;
                }
                if (probe && offset == 0 && candidates.isEmpty() && !anyClaimable(db, c, request)) {
                    break; // else a claim that finds nothing would page through every pending chunk of the corpus
                }
                offset += page;
                page = Math.min(MAX_PAGE, 2 * page);
            }
        }
        return candidates;
    }

    // Adds the page's claimable chunks to candidates (up to limit); returns the rows read.
    private static int readPage(PreparedStatement select, PreparedStatement place, Map<Long, TrackPlace> places,
            ClaimRequest request, int limit, List<Candidate> candidates) throws SQLException {
        int read = 0;
        try (ResultSet rows = select.executeQuery()) {
            while (candidates.size() < limit && rows.next()) {
                read++;
                long trackId = rows.getLong(6);
                TrackPlace where = places.get(trackId);
                if (where == null) {
                    where = TrackPlace.read(place, trackId);
                    places.put(trackId, where);
                }
                if (where.claimable(request)) {
                    candidates.add(new Candidate(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                            rows.getInt(5), trackId, where.analysis(), where.videoId(), where.location(), rows.getInt(7),
                            rows.getLong(8)));
                }
            }
        }
        return read;
    }

    /**
     * Whether any pending chunk of a staged video (of the requested analysis) exists: one probe that visits
     * only the staged videos' tracks (a workspace holds a few dozen videos), through the track/state index.
     * Asked only when the first page held nothing claimable, and only where claims lock with SKIP LOCKED.
     */
    private static boolean anyClaimable(LedgerDatabase db, Connection c, ClaimRequest request) throws SQLException {
        // Nested EXISTS, so that the database starts from the staged videos and stops at the first pending chunk
        // (a plain join leaves the database free to start from the chunks, done ones included).
        String sql = db.sql("SELECT 1 FROM {p}videos v WHERE v.stage_state = 'STAGED' AND EXISTS (SELECT 1 FROM {p}tracks t"
                + " WHERE t.video_id = v.id" + (request.analysis().isPresent() ? " AND t.analysis = ?" : "")
                + " AND EXISTS (SELECT 1 FROM {p}chunks c{ix:chunks_track_state_ix} WHERE c.track_id = t.id AND c.state = 'PENDING'))"
                + " FETCH FIRST 1 ROWS ONLY");
        try (PreparedStatement probe = c.prepareStatement(sql)) {
            if (request.analysis().isPresent()) {
                probe.setString(1, request.analysis().get());
            }
            try (ResultSet row = probe.executeQuery()) {
                return row.next();
            }
        }
    }

    /** Where a track's frames are: its analysis, its video, whether that is staged and where. */
    private record TrackPlace(String analysis, String videoId, boolean staged, String location) {

        static TrackPlace read(PreparedStatement place, long trackId) throws SQLException {
            place.setLong(1, trackId);
            try (ResultSet row = place.executeQuery()) {
                if (!row.next()) {
                    return new TrackPlace(null, null, false, null);
                }
                return new TrackPlace(row.getString(1), row.getString(2), "STAGED".equals(row.getString(3)), row.getString(4));
            }
        }

        boolean claimable(ClaimRequest request) {
            return staged && request.analysis().map(a -> a.equals(analysis)).orElse(true);
        }
    }
}
