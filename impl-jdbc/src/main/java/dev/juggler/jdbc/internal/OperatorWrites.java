package dev.juggler.jdbc.internal;

import dev.juggler.NotFoundException;
import dev.juggler.ledger.ChunkEvent;
import dev.juggler.ledger.RescheduleFilter;
import dev.juggler.ledger.RescheduleOutcome;
import dev.juggler.ledger.WorkLedger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The changes operators make to the ledger's chunks: re-scheduling failures and setting videos'
 * work aside, each one transaction that also appends to the attempt history. Thread-safe.
 */
final class OperatorWrites {

    private record Match(long id, long version, long trackId, long from, long to, int attempts, String reason, boolean setAside) {
        long frames() {
            return to - from;
        }
    }

    private final LedgerDatabase db;
    private final ChunkHistory history;

    OperatorWrites(LedgerDatabase db, ChunkHistory history) {
        this.db = db;
        this.history = history;
    }

    RescheduleOutcome reschedule(RescheduleFilter filter, boolean dryRun) {
        Objects.requireNonNull(filter, "filter");
        return db.tx("reschedule(" + filter + ", dryRun=" + dryRun + ")", c -> {
            StringBuilder query = new StringBuilder("SELECT c.id, c.version, c.track_id, c.frame_from, c.frame_to, c.attempts,"
                    + " c.failure_reason FROM {p}chunks c JOIN {p}tracks t ON t.id = c.track_id WHERE c.state = 'FAILED'");
            List<Object> parameters = new ArrayList<>();
            filter.trackId().ifPresent(id -> {
                query.append(" AND c.track_id = ?");
                parameters.add(id);
            });
            filter.videoId().ifPresent(id -> {
                query.append(" AND t.video_id = ?");
                parameters.add(id);
            });
            filter.analysis().ifPresent(name -> {
                query.append(" AND t.analysis = ?");
                parameters.add(name);
            });
            if (filter.tagKey().isPresent()) {
                query.append(" AND EXISTS (SELECT 1 FROM {p}video_tags g WHERE g.video_id = t.video_id AND g.tag_key = ?"
                        + " AND g.tag_value = ?)");
                parameters.add(filter.tagKey().get());
                parameters.add(filter.tagValue().orElseThrow());
            }
            TrackFilterSql.window(query, "c.updated_ms", filter.window());
            query.append(" ORDER BY c.id");
            List<Match> matches = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sqlOnce(query.toString()))) {
                Sql.bindAll(select, parameters.toArray());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        String reason = rows.getString(7);
                        if (filter.reasonMatches(reason)) {
                            boolean aside = reason != null && reason.startsWith(WorkLedger.SET_ASIDE_PREFIX);
                            matches.add(new Match(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getLong(5),
                                    rows.getInt(6), reason, aside));
                        }
                    }
                }
            }
            long skipped = 0;
            long frames = 0;
            long rescheduled = 0;
            long now = db.nowMillis();
            try (PreparedStatement update = c.prepareStatement(db.sql("UPDATE {p}chunks SET state = 'PENDING', attempts = 0,"
                    + " version = version + 1, updated_ms = ? WHERE id = ? AND version = ? AND state = 'FAILED'"))) {
                for (Match match : matches) {
                    if (match.setAside() && !filter.namesReason()) {
                        skipped++;
                        continue;
                    }
                    if (dryRun) {
                        frames += match.frames();
                        continue;
                    }
                    Sql.bindAll(update, now, match.id(), match.version());
                    if (update.executeUpdate() == 1) {
                        // Only a change that happened is recorded, with the attempts and reason it ends.
                        history.append(c, match.id(), match.trackId(), match.from(), match.to(), ChunkEvent.Kind.RESCHEDULED,
                                match.attempts(), match.reason(), null, now);
                        rescheduled++;
                        frames += match.frames();
                    } else {
                        skipped++; // changed since it was read: another operator was quicker
                    }
                }
            }
            return new RescheduleOutcome(matches.size(), rescheduled, skipped, frames, dryRun);
        });
    }

    int setAside(String videoId, String reason) {
        Objects.requireNonNull(videoId, "videoId");
        String stored = Sql.truncate(WorkLedger.SET_ASIDE_PREFIX
                + (reason == null || reason.isBlank() ? "(no reason given)" : reason));
        return db.tx("setAside(video=" + videoId + ")", c -> {
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT 1 FROM {p}videos WHERE id = ?"))) {
                select.setString(1, videoId);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw new NotFoundException("video", videoId);
                    }
                }
            }
            // Only PENDING rows: a leased chunk stays with its worker (its compare-and-set claim is on state).
            String pendingOfVideo = "c.state = 'PENDING' AND c.track_id IN (SELECT t.id FROM {p}tracks t WHERE t.video_id = ?)";
            long now = db.nowMillis();
            history.appendSelected(c, ChunkEvent.Kind.SET_ASIDE, stored, now, pendingOfVideo, videoId);
            return Sql.update(c, db.sql("UPDATE {p}chunks c SET state = 'FAILED', failure_reason = ?,"
                    + " version = version + 1, updated_ms = ? WHERE " + pendingOfVideo), stored, now, videoId);
        });
    }
}
