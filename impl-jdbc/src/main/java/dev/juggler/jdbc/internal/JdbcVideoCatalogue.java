package dev.juggler.jdbc.internal;

import dev.juggler.NotFoundException;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackDerivation;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.VideoCatalogue;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link VideoCatalogue} on the videos, video_tags and tracks tables: registration, tracks (whose
 * first chunk it inserts), staging marks and the staging and purge lists. The estimate is read by
 * {@link WorkEstimates}. Thread-safe.
 */
final class JdbcVideoCatalogue implements VideoCatalogue {

    private static final String VIDEO_COLUMNS = "SELECT v.id, v.location, v.frame_count, v.fps, v.size_bytes, v.stage_state,"
            + " v.staged_location, v.stage_error";
    /** The stages of a video that {@link #videosToStage} offers: not in the workspace and not on its way there. */
    private static final Set<StageState> WAITING_STATES = EnumSet.of(StageState.NOT_STAGED, StageState.PURGED, StageState.STAGE_FAILED);
    /** Keys per {@code IN (...)} list of one statement. */
    private static final int IN_BATCH = 100;

    /** One videos row as {@link #VIDEO_COLUMNS} reads it, before its tags are attached. Immutable. */
    private record VideoRow(String id, String location, long frameCount, double fps, long sizeBytes, StageState stageState,
            String stagedLocation, String stageError) {

        /** Reads the columns of {@link #VIDEO_COLUMNS} from the current row. */
        static VideoRow read(ResultSet rows) throws SQLException {
            return new VideoRow(rows.getString(1), rows.getString(2), rows.getLong(3), rows.getDouble(4), rows.getLong(5),
                    StageState.valueOf(rows.getString(6)), rows.getString(7), rows.getString(8));
        }

        VideoRecord withTags(Map<String, String> tags) {
            return new VideoRecord(new Video(id, location, frameCount, fps, sizeBytes, tags), stageState,
                    Optional.ofNullable(stagedLocation), Optional.ofNullable(stageError));
        }
    }

    private final LedgerDatabase db;
    private final Chunks chunks;
    private final JdbcDerivedTracks derivedTracks;
    private final WorkEstimates estimates;

    JdbcVideoCatalogue(LedgerDatabase db, Chunks chunks, WorkEstimates estimates) {
        this.db = db;
        this.derivedTracks = new JdbcDerivedTracks(db);
        this.chunks = chunks;
        this.estimates = estimates;
    }

    @Override
    public void registerVideo(Video video) {
        Objects.requireNonNull(video, "video");
        db.tx("registerVideo(video=" + video.id() + ")", c -> {
            long now = db.nowMillis();
            int updated = Sql.update(c, db.sql("UPDATE {p}videos SET location = ?, frame_count = ?, fps = ?, size_bytes = ?,"
                    + " updated_ms = ? WHERE id = ?"), video.location(), video.frameCount(), video.fps(), video.sizeBytes(), now,
                    video.id());
            if (updated == 0) {
                Sql.update(c, db.sql("INSERT INTO {p}videos (id, location, frame_count, fps, size_bytes, stage_state, registered_ms,"
                        + " updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"), video.id(), video.location(), video.frameCount(),
                        video.fps(), video.sizeBytes(), StageState.NOT_STAGED.name(), now, now);
            }
            Sql.update(c, db.sql("DELETE FROM {p}video_tags WHERE video_id = ?"), video.id());
            if (!video.tags().isEmpty()) {
                try (PreparedStatement insert = c.prepareStatement(
                        db.sql("INSERT INTO {p}video_tags (video_id, tag_key, tag_value) VALUES (?, ?, ?)"))) {
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
        return db.tx("video(" + videoId + ")", c -> {
            List<VideoRecord> found = readVideos(c, db.sql(VIDEO_COLUMNS + " FROM {p}videos v WHERE v.id = ?"), videoId);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        });
    }

    /** Reads videos (the columns of {@link #VIDEO_COLUMNS}) and their tags, in the query's order. */
    private List<VideoRecord> readVideos(Connection c, String query, Object... parameters) throws SQLException {
        Map<String, VideoRow> rowsById = new LinkedHashMap<>();
        try (PreparedStatement select = c.prepareStatement(query)) {
            Sql.bindAll(select, parameters);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    VideoRow row = VideoRow.read(rows);
                    rowsById.put(row.id(), row);
                }
            }
        }
        return withTags(c, rowsById.values());
    }

    /** The rows with their tags, in the rows' order. */
    private List<VideoRecord> withTags(Connection c, Collection<VideoRow> videoRows) throws SQLException {
        Map<String, Map<String, String>> tags = readTags(c, videoRows.stream().map(VideoRow::id).toList());
        List<VideoRecord> result = new ArrayList<>(videoRows.size());
        for (VideoRow row : videoRows) {
            result.add(row.withTags(tags.getOrDefault(row.id(), Map.of())));
        }
        return result;
    }

    private Map<String, Map<String, String>> readTags(Connection c, List<String> ids) throws SQLException {
        Map<String, Map<String, String>> tags = new HashMap<>();
        Sql.forEachInBatches(c, ids, IN_BATCH,
                list -> db.sql("SELECT video_id, tag_key, tag_value FROM {p}video_tags WHERE video_id IN (" + list + ")"),
                row -> tags.computeIfAbsent(row.getString(1), k -> new HashMap<>()).put(row.getString(2), row.getString(3)));
        return tags;
    }

    @Override
    public long addTrack(TrackSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return db.tx("addTrack(video=" + spec.videoId() + ", analysis=" + spec.analysis() + ")", c -> {
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT id FROM {p}tracks WHERE video_id = ? AND analysis = ?"))) {
                Sql.bindAll(select, spec.videoId(), spec.analysis());
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        return rows.getLong(1);
                    }
                }
            }
            long frameCount;
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT frame_count FROM {p}videos WHERE id = ?"))) {
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
            long now = db.nowMillis();
            long trackId = Sql.insertReturningId(c, db.dialect(), db.sql("INSERT INTO {p}tracks (video_id, analysis, frame_from,"
                    + " frame_to, priority, created_ms) VALUES (?, ?, ?, ?, ?, ?)"), s -> Sql.bindAll(s, spec.videoId(),
                            spec.analysis(), range.from(), range.to(), spec.priority(), now));
            if (!range.isEmpty()) {
                chunks.insert(c, new Chunks.NewChunk(trackId, range.from(), range.to(), ChunkState.PENDING, 0, null,
                        spec.priority(), now), now);
            }
            return trackId;
        });
    }

    @Override
    public long addDerivedTrack(long sourceTrackId, String analysis, String parameters) {
        return derivedTracks.add(sourceTrackId, analysis, parameters);
    }

    @Override
    public void markDerivedDone(long trackId, FrameRange range) {
        derivedTracks.markDone(trackId, range);
    }

    @Override
    public Optional<TrackDerivation> derivation(long trackId) {
        return derivedTracks.derivation(trackId);
    }

    @Override
    public List<VideoRecord> videosToStage(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit = " + limit + ": must be >= 1");
        }
        // Two reads that each have one plan, joined here: the top priority of each track's pending chunks (the claim
        // index finds them, a few per unfinished track), then those tracks' videos by key. As one SQL statement, H2
        // picked the join order from its statistics. Starting from the videos, it ran the pending-chunk query once per
        // video not staged, finished ones included (1.8 ms a call at 500 videos, about 4 times this way's cost), or
        // walked every pending chunk once per video, which doubled the wall time of the 825M-frame simulation.
        return db.tx("videosToStage(limit=" + limit + ")", c -> {
            Map<Long, Integer> topByTrack = new HashMap<>();
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT c.track_id, MAX(c.priority) FROM {p}chunks"
                    + " c{ix:chunks_claim_ix} WHERE c.state = 'PENDING' GROUP BY c.track_id"));
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    topByTrack.put(rows.getLong(1), rows.getInt(2));
                }
            }
            // The stage is checked here, not in SQL: with a condition on the videos too, H2 started from the videos
            // not staged (finished ones included) and tested each against the IN list one key at a time. That was a
            // tenth of the reference simulation's time; with the keys alone it looks them up in the primary key.
            Map<String, Waiting> byVideo = new HashMap<>();
            Sql.forEachInBatches(c, new ArrayList<>(topByTrack.keySet()), IN_BATCH,
                    list -> db.sql(VIDEO_COLUMNS + ", v.seq, t.id FROM {p}tracks t JOIN {p}videos v ON v.id = t.video_id"
                            + " WHERE t.id IN (" + list + ")"),
                    row -> {
                        VideoRow video = VideoRow.read(row);
                        if (WAITING_STATES.contains(video.stageState())) {
                            Waiting waiting = new Waiting(video, row.getLong(9), topByTrack.get(row.getLong(10)));
                            byVideo.merge(waiting.row().id(), waiting, (a, b) -> a.top() >= b.top() ? a : b);
                        }
                    });
            List<VideoRow> plan = byVideo.values().stream()
                    .sorted(Comparator.comparingInt(Waiting::top).reversed().thenComparingLong(Waiting::seq))
                    .limit(limit).map(Waiting::row).toList();
            return withTags(c, plan);
        });
    }

    /** A video with pending frames: its row, its registration order and the top priority of its pending chunks. */
    private record Waiting(VideoRow row, long seq, int top) {
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
        db.tx("mark " + state + " (video=" + videoId + ")", c -> {
            int updated = Sql.update(c, db.sql("UPDATE {p}videos SET stage_state = ?, staged_location = ?, stage_error = ?,"
                    + " updated_ms = ? WHERE id = ?"), state.name(), location, Sql.truncate(error), db.nowMillis(), videoId);
            if (updated == 0) {
                throw new NotFoundException("video", videoId);
            }
            return null;
        });
    }

    @Override
    public List<VideoRecord> videosToPurge() {
        // one exact (track, state) probe per state: with an IN over the states, the index walk took in every
        // done chunk of the video's tracks, for each staged video at every tick
        return db.tx("videosToPurge", c -> readVideos(c, db.sql(VIDEO_COLUMNS + " FROM {p}videos v WHERE v.stage_state = 'STAGED'"
                + " AND NOT EXISTS (SELECT 1 FROM {p}tracks t JOIN {p}chunks c{ix:chunks_track_state_ix} ON c.track_id = t.id"
                + " AND c.state = 'PENDING' WHERE t.video_id = v.id)"
                + " AND NOT EXISTS (SELECT 1 FROM {p}tracks t JOIN {p}chunks c{ix:chunks_track_state_ix} ON c.track_id = t.id"
                + " AND c.state = 'LEASED' WHERE t.video_id = v.id) ORDER BY v.seq")));
    }

    @Override
    public WorkEstimate estimate() {
        return db.tx("estimate", estimates::read);
    }
}
