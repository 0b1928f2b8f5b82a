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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The {@link ResultStore} on the results table. Payloads are stored in their compact form
 * ({@link StoredResults}, the {@code data} column; encoded once, on all cores, while they are sent: see
 * {@link EncodedBatch}) and read back as the
 * exact text; rows from before schema version 6 keep their text in {@code payload} and are read from there.
 * Stores are idempotent (the first payload of a frame wins): batched inserts-if-absent, or a binary
 * {@code COPY} through {@link PostgresBulkResults} for large batches where the dialect has it. Reads
 * stream in frame order. Thread-safe.
 */
final class JdbcResultStore implements ResultStore {

    private static final int RESULT_BATCH = 500;
    private static final int RESULT_FETCH_SIZE = 500;
    /** From this many rows on, results go through the bulk path (COPY) where the database has one. */
    static final int BULK_THRESHOLD = 64;

    private final LedgerDatabase db;
    /** The COPY path; used only where {@link Dialect#bulkCopy()} says the database has one. */
    private final PostgresBulkResults bulkResults;

    JdbcResultStore(LedgerDatabase db) {
        this.db = db;
        this.bulkResults = new PostgresBulkResults(db.table("results"), db.unqualifiedTable("results_stage"));
    }

    @Override
    public void storeResults(List<FrameResult> results) {
        Objects.requireNonNull(results, "results");
        if (results.isEmpty()) {
            return;
        }
        Set<Long> trackIds = new LinkedHashSet<>();
        for (FrameResult result : results) {
            trackIds.add(Objects.requireNonNull(result, "result").trackId());
        }
        EncodedBatch encoded = new EncodedBatch(results); // encoding starts now, before the transaction
        db.tx("storeResults(tracks=" + trackIds + ", count=" + results.size() + ")", c -> {
            for (long trackId : trackIds) {
                requireTrack(c, trackId);
            }
            Dialect dialect = db.dialect();
            if (dialect.bulkCopy() && results.size() >= BULK_THRESHOLD) {
                bulkResults.store(c, encoded);
                return null;
            }
            try (PreparedStatement insert = c.prepareStatement(dialect.insertResultIfAbsentSql(db.table("results")))) {
                int[] inBatch = {0};
                encoded.forEach((trackId, frame, data) -> {
                    insert.setLong(1, trackId);
                    insert.setLong(2, frame);
                    insert.setBytes(3, data);
                    insert.addBatch();
                    if (++inBatch[0] == RESULT_BATCH) {
                        insert.executeBatch();
                        inBatch[0] = 0;
                    }
                });
                if (inBatch[0] > 0) {
                    insert.executeBatch();
                }
            }
            return null;
        });
    }

    private void requireTrack(Connection c, long trackId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(db.sql("SELECT 1 FROM {p}tracks WHERE id = ?"))) {
            select.setLong(1, trackId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new NotFoundException("track", trackId);
                }
            }
        }
    }

    private static String decode(long trackId, long frame, byte[] data) {
        try {
            return StoredResults.decode(data);
        } catch (IllegalArgumentException e) {
            throw JugglerException.permanentFailure("the stored result of track " + trackId + ", frame " + frame + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer) {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(consumer, "consumer");
        AtomicBoolean delivered = new AtomicBoolean();
        db.tx("readResults(track=" + trackId + ", range=" + range + ")", c -> {
            requireTrack(c, trackId);
            try (PreparedStatement select = c.prepareStatement(db.sql("SELECT frame, data, payload FROM {p}results WHERE track_id = ?"
                    + " AND frame >= ? AND frame < ? ORDER BY frame"))) {
                select.setFetchSize(RESULT_FETCH_SIZE);
                Sql.bindAll(select, trackId, range.from(), range.to());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        delivered.set(true);
                        long frame = rows.getLong(1);
                        byte[] data = rows.getBytes(2);
                        consumer.accept(new FrameResult(trackId, frame, data == null ? rows.getString(3) : decode(trackId, frame, data)));
                    }
                }
            }
            return null;
        }, () -> !delivered.get());
    }
}
