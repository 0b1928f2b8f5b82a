package dev.juggler.jdbc.internal;

import dev.juggler.NotFoundException;
import dev.juggler.ledger.DerivedTracks;
import dev.juggler.ledger.TrackDerivation;
import dev.juggler.video.FrameRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Derived tracks in the JDBC ledger (see {@link dev.juggler.ledger.VideoCatalogue#addDerivedTrack}): a
 * {@code tracks} row with {@code derived_from} and {@code parameters}, and DONE chunk rows that cover what its
 * tool has written. Thread-safe (each call is its own transaction).
 */
final class JdbcDerivedTracks {

    private final LedgerDatabase db;

    JdbcDerivedTracks(LedgerDatabase db) {
        this.db = db;
    }

    long add(long sourceTrackId, String analysis, String parameters) {
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(parameters, "parameters");
        return db.tx("addDerivedTrack(source=" + sourceTrackId + ", analysis=" + analysis + ")", c -> {
            TrackRow source = trackRow(c, sourceTrackId).orElseThrow(() -> new NotFoundException("track", sourceTrackId));
            DerivedTracks.checkName(source.analysis, analysis);
            Long known = null;
            boolean derived = false;
            try (PreparedStatement select = c.prepareStatement(
                    db.sql("SELECT id, derived_from FROM {p}tracks WHERE video_id = ? AND analysis = ?"))) {
                Sql.bindAll(select, source.videoId, analysis);
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        known = rows.getLong(1);
                        derived = rows.getObject(2) != null;
                    }
                }
            }
            if (known != null && !derived) {
                throw DerivedTracks.notDerived(source.videoId, analysis);
            }
            if (known == null) {
                long now = db.nowMillis();
                return Sql.insertReturningId(c, db.dialect(), db.sql("INSERT INTO {p}tracks (video_id, analysis, frame_from,"
                        + " frame_to, priority, created_ms, derived_from, parameters) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                        s -> Sql.bindAll(s, source.videoId, analysis, source.range.from(), source.range.to(), source.priority,
                                now, sourceTrackId, parameters));
            }
            Sql.update(c, db.sql("UPDATE {p}tracks SET derived_from = ?, parameters = ? WHERE id = ?"), sourceTrackId,
                    parameters, known);
            Sql.update(c, db.sql("DELETE FROM {p}chunks WHERE track_id = ?"), known);
            Sql.update(c, db.sql("DELETE FROM {p}results WHERE track_id = ?"), known);
            return known;
        });
    }

    void markDone(long trackId, FrameRange range) {
        Objects.requireNonNull(range, "range");
        db.tx("markDerivedDone(track=" + trackId + ", " + range + ")", c -> {
            TrackRow track = trackRow(c, trackId).orElseThrow(() -> new NotFoundException("track", trackId));
            if (track.derivedFrom == null) {
                throw new IllegalArgumentException("track " + trackId + " is not a derived track");
            }
            DerivedTracks.checkInside(track.range, range);
            List<FrameRange> marked = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT frame_from, frame_to FROM {p}chunks WHERE track_id = ?"
                    + " AND frame_to > ? AND frame_from < ?"))) {
                Sql.bindAll(select, trackId, range.from(), range.to());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        marked.add(new FrameRange(rows.getLong(1), rows.getLong(2)));
                    }
                }
            }
            long now = db.nowMillis();
            for (FrameRange piece : DerivedTracks.uncovered(range, marked)) {
                Sql.update(c, db.sql("INSERT INTO {p}chunks (track_id, frame_from, frame_to, state, version, checkpoint, attempts,"
                        + " priority, created_ms, updated_ms) VALUES (?, ?, ?, 'DONE', 0, ?, 0, ?, ?, ?)"), trackId, piece.from(),
                        piece.to(), piece.to(), track.priority, now, now);
            }
            return null;
        });
    }

    Optional<TrackDerivation> derivation(long trackId) {
        return db.tx("derivation(track=" + trackId + ")", c -> trackRow(c, trackId)
                .filter(t -> t.derivedFrom != null).map(t -> new TrackDerivation(t.derivedFrom, t.parameters)));
    }

    private record TrackRow(String videoId, String analysis, FrameRange range, int priority, Long derivedFrom,
            String parameters) {
    }

    private Optional<TrackRow> trackRow(Connection c, long trackId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT video_id, analysis, frame_from, frame_to, priority,"
                + " derived_from, parameters FROM {p}tracks WHERE id = ?"))) {
            select.setLong(1, trackId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                long source = rows.getLong(6);
                Long derivedFrom = rows.wasNull() ? null : source;
                return Optional.of(new TrackRow(rows.getString(1), rows.getString(2), new FrameRange(rows.getLong(3),
                        rows.getLong(4)), rows.getInt(5), derivedFrom, rows.getString(7)));
            }
        }
    }
}
