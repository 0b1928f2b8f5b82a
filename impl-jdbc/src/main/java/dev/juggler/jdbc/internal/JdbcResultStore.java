package dev.juggler.jdbc.internal;

import dev.juggler.JugglerException;
import dev.juggler.NotFoundException;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.ResultStore;
import dev.juggler.video.FrameRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The {@link ResultStore} on the results table. Payloads are stored in their compact form
 * ({@link StoredResults}, encoded once, on all cores: see {@link EncodedBatch}), consecutive frames of a
 * track together in blocks ({@link ResultBlocks}), and read back as the exact text; rows from before schema
 * version 6 keep their text in {@code payload} and are read from there.
 *
 * <p>Stores are idempotent, and the first payload of a frame wins: a store locks each of its tracks' rows
 * (in id order), leaves out the frames the track already has, and inserts the rest, with a binary
 * {@code COPY} through {@link PostgresBulkResults} for many rows where the dialect has it. Two workers
 * storing one track's frames at once (one of them after a lost lease) take turns, so no frame is stored
 * twice and none is dropped for a block that only partly overlaps another. Reads stream in frame order; a
 * read looks {@link ResultBlocks#MAX_FRAMES} frames back for a block that covers its first frame.
 * Thread-safe.
 */
final class JdbcResultStore implements ResultStore {

    private static final int RESULT_BATCH = 500;
    private static final int RESULT_FETCH_SIZE = 64;
    /** From this many frames on (about 64 rows of blocks), results go through the bulk path (COPY) where the database has one. */
    static final int BULK_FRAMES = 4096;

    private final LedgerDatabase db;
    /** The COPY path; used only where {@link Dialect#bulkCopy()} says the database has one. */
    private final PostgresBulkResults bulkResults;

    JdbcResultStore(LedgerDatabase db) {
        this.db = db;
        this.bulkResults = new PostgresBulkResults(db.table("results"));
    }

    @Override
    public void storeResults(List<FrameResult> results) {
        Objects.requireNonNull(results, "results");
        if (results.isEmpty()) {
            return;
        }
        for (FrameResult result : results) {
            Objects.requireNonNull(result, "result");
        }
        EncodedBatch encoded = new EncodedBatch(results); // encoding starts now, on all cores, before the transaction
        db.tx("storeResults(tracks=" + encoded.units().keySet() + ", count=" + results.size() + ")", c -> {
            Map<Long, Set<Long>> stored = new HashMap<>();
            for (Map.Entry<Long, List<EncodedBatch.Unit>> track : encoded.units().entrySet()) { // id order: locks too
                lockTrack(c, track.getKey());
                stored.put(track.getKey(), stored(c, track.getKey(), track.getValue()));
            }
            boolean bulk = db.dialect().bulkCopy() && encoded.frames() >= BULK_FRAMES;
            try (RowSink sink = bulk ? bulkResults.open(c) : new InsertSink(c)) {
                for (Map.Entry<Long, List<EncodedBatch.Unit>> track : encoded.units().entrySet()) {
                    Set<Long> known = stored.get(track.getKey());
                    for (EncodedBatch.Unit unit : track.getValue()) {
                        // A unit's rows are sent as soon as it is encoded; one that holds stored frames is encoded again without them.
                        boolean fresh = known.isEmpty() || !overlaps(known, unit);
                        for (ResultBlocks.Row row : fresh ? encoded.rowsOf(unit) : unit.rowsWithout(known)) {
                            sink.accept(row);
                        }
                    }
                }
                sink.finish();
            }
            return null;
        });
    }

    private static boolean overlaps(Set<Long> stored, EncodedBatch.Unit unit) {
        for (long frame = unit.firstFrame(); frame <= unit.lastFrame(); frame++) {
            if (stored.contains(frame)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The frames within the spans of {@code units} that the track already has, alone or in a block: one
     * query per stretch of units that lie close together.
     */
    private Set<Long> stored(Connection c, long trackId, List<EncodedBatch.Unit> units) throws SQLException {
        Set<Long> stored = new HashSet<>();
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT frame, frames FROM {p}results WHERE track_id = ?"
                + " AND frame > ? AND frame <= ?"))) {
            int from = 0;
            for (int i = 1; i <= units.size(); i++) {
                if (i < units.size() && units.get(i).firstFrame() - units.get(i - 1).lastFrame() <= ResultBlocks.MAX_FRAMES) {
                    continue;
                }
                long first = units.get(from).firstFrame();
                long last = units.get(i - 1).lastFrame();
                Sql.bindAll(select, trackId, first - ResultBlocks.MAX_FRAMES, last);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long frame = rows.getLong(1);
                        long end = frame + Math.max(1, rows.getInt(2)); // frames NULL: one frame
                        for (long f = Math.max(frame, first); f < Math.min(end, last + 1); f++) {
                            stored.add(f);
                        }
                    }
                }
                from = i;
            }
        }
        return stored;
    }

    /** Where a store's rows go: a batched insert or a binary COPY. Closing it without {@link #finish} drops what it holds. */
    interface RowSink extends AutoCloseable {
        void accept(ResultBlocks.Row row) throws SQLException;

        /** Sends what is left. */
        void finish() throws SQLException;

        @Override
        void close() throws SQLException;
    }

    /** Rows as batched {@code INSERT}s, {@value #RESULT_BATCH} at a time. Not thread-safe. */
    private final class InsertSink implements RowSink {
        private final PreparedStatement insert;
        private int inBatch;

        InsertSink(Connection c) throws SQLException {
            this.insert = c.prepareStatement(db.sql("INSERT INTO {p}results (track_id, frame, frames, data) VALUES (?, ?, ?, ?)"));
        }

        @Override
        public void accept(ResultBlocks.Row row) throws SQLException {
            Sql.bindAll(insert, row.trackId(), row.frame(), row.frames() == 1 ? Sql.NULL_INTEGER : row.frames(), row.data());
            insert.addBatch();
            if (++inBatch == RESULT_BATCH) {
                insert.executeBatch();
                inBatch = 0;
            }
        }

        @Override
        public void finish() throws SQLException {
            if (inBatch > 0) {
                insert.executeBatch();
                inBatch = 0;
            }
        }

        @Override
        public void close() throws SQLException {
            insert.close();
        }
    }

    /** Fails with {@link NotFoundException} if the track does not exist. */
    private void requireTrack(Connection c, long trackId) throws SQLException {
        requireTrack(c, trackId, "");
    }

    /** Takes the track's row lock for the transaction, so that stores of one track take turns. */
    private void lockTrack(Connection c, long trackId) throws SQLException {
        requireTrack(c, trackId, " FOR UPDATE");
    }

    private void requireTrack(Connection c, long trackId, String lock) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT id FROM {p}tracks WHERE id = ?" + lock))) {
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
        AtomicBoolean delivered = new AtomicBoolean();
        db.tx("readResults(track=" + trackId + ", range=" + range + ")", c -> {
            requireTrack(c, trackId);
            // With its result type given, so that H2's connections do not hold it (HeldStatements): H2 keeps a
            // query's last result with the compiled query, and a track's results may be many
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT frame, frames, data, payload FROM {p}results"
                    + " WHERE track_id = ? AND frame > ? AND frame < ? ORDER BY frame"), ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY)) {
                select.setFetchSize(RESULT_FETCH_SIZE);
                Sql.bindAll(select, trackId, range.from() - ResultBlocks.MAX_FRAMES, range.to());
                try (ResultSet rows = select.executeQuery()) {
                    Reading reading = new Reading(trackId, range, consumer, delivered);
                    while (rows.next()) {
                        reading.row(rows.getLong(1), rows.getInt(2), rows.getBytes(3), rows.getString(4));
                    }
                }
            }
            return null;
        }, () -> !delivered.get());
    }

    /**
     * One read's frames, in order: each frame once (should two rows ever hold one frame, the row that
     * starts first wins), only those in the range. Not thread-safe.
     */
    private static final class Reading {
        private final long trackId;
        private final FrameRange range;
        private final Consumer<FrameResult> consumer;
        private final AtomicBoolean delivered;
        /** The first frame not yet delivered. */
        private long next;

        Reading(long trackId, FrameRange range, Consumer<FrameResult> consumer, AtomicBoolean delivered) {
            this.trackId = trackId;
            this.range = range;
            this.consumer = consumer;
            this.delivered = delivered;
            this.next = range.from();
        }

        void row(long frame, int frames, byte[] data, String payload) {
            if (frames == 0) { // NULL: a row of one frame
                if (frame >= next) {
                    deliver(frame, data == null ? payload : decode(frame, data));
                }
                return;
            }
            if (frame + frames <= next) {
                return;
            }
            try {
                ResultBlocks.payloads(data, frames, (int) Math.max(0, next - frame), (index, text) -> {
                    if (frame + index < range.to()) {
                        deliver(frame + index, text);
                    }
                });
            } catch (IllegalArgumentException e) {
                throw unreadable("frames " + frame + "-" + (frame + frames - 1), e);
            }
        }

        private void deliver(long frame, String payload) {
            delivered.set(true);
            next = frame + 1;
            consumer.accept(new FrameResult(trackId, frame, payload));
        }

        private String decode(long frame, byte[] data) {
            try {
                return StoredResults.decode(data);
            } catch (IllegalArgumentException e) {
                throw unreadable("frame " + frame, e);
            }
        }

        private JugglerException unreadable(String frames, IllegalArgumentException e) {
            return JugglerException.permanentFailure("the stored result of track " + trackId + ", " + frames + " cannot be read: "
                    + e.getMessage(), e);
        }
    }
}
