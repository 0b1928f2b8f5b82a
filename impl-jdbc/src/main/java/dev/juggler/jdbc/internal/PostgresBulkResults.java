package dev.juggler.jdbc.internal;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The bulk path for frame results on PostgreSQL, idempotent by (track, frame). The rows (in their
 * stored form) are streamed with the driver's {@code COPY} API, in the binary format, straight into the results table under a savepoint: results are
 * nearly always new, and then this is as fast as {@code psql \copy}. If the batch holds a frame that is
 * already stored (processed twice after a lost lease) the COPY fails with a duplicate key; the batch is
 * rolled back to the savepoint, copied into a per-session temporary staging table and merged with
 * {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING}, so the stored frame keeps its first payload.
 * The staging table is temporary (no WAL, invisible to other sessions) and {@code ON COMMIT DELETE
 * ROWS}, so a rolled back or committed batch leaves nothing behind.
 *
 * <p>Thread-safe: the only state is the set of physical connections that already have their staging
 * table, guarded by a synchronized weak map (a connection closed by the pool drops out by itself).
 */
final class PostgresBulkResults {

    private static final int COPY_BUFFER_BYTES = 1 << 18;
    /** The signature that starts a binary COPY stream. */
    private static final byte[] BINARY_HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private final String resultsTable;
    private final String stagingTable;
    private final Map<Object, Boolean> prepared = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * @param resultsTable the (possibly schema-qualified) results table
     * @param stagingName the unqualified name of the temporary staging table (derived from the validated prefix)
     */
    PostgresBulkResults(String resultsTable, String stagingName) {
        this.resultsTable = resultsTable;
        this.stagingTable = "pg_temp." + stagingName;
    }

    /** Stores the rows idempotently inside the caller's transaction; returns how many were new. */
    long store(Connection c, EncodedBatch results) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        try {
            return copyAndMerge(c, pg, results);
        } catch (SQLException e) {
            // The staging table may have gone with a rolled back transaction (temporary tables are
            // transactional too): create it again on the next attempt, which the transactor makes.
            prepared.remove(pg);
            if (SqlErrors.isMissingTable(e)) {
                throw new SQLException("the COPY staging table vanished with a rolled back transaction; retrying", "40001", e);
            }
            throw e;
        }
    }

    private long copyAndMerge(Connection c, PGConnection pg, EncodedBatch results) throws SQLException {
        // Fast path: results are nearly always new (a frame is stored twice only after a lost lease), so
        // COPY straight into the results table under a savepoint. A duplicate key aborts the COPY; then
        // roll back to the savepoint and take the idempotent path through the staging table.
        Savepoint beforeCopy = c.setSavepoint();
        try {
            copy(pg, resultsTable, results);
            return results.size();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(beforeCopy);
        }
        if (!prepared.containsKey(pg)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE IF NOT EXISTS " + stagingTable.substring("pg_temp.".length())
                        + " (track_id BIGINT NOT NULL, frame BIGINT NOT NULL, data BYTEA NOT NULL) ON COMMIT DELETE ROWS");
            }
            prepared.put(pg, Boolean.TRUE);
        }
        copy(pg, stagingTable, results);
        try (Statement merge = c.createStatement()) {
            return merge.executeUpdate("INSERT INTO " + resultsTable + " (track_id, frame, data) SELECT track_id, frame, data FROM "
                    + stagingTable + " ON CONFLICT (track_id, frame) DO NOTHING");
        }
    }

    /** Streams the rows into {@code table} with COPY ... FROM STDIN in PostgreSQL's binary format. */
    private static void copy(PGConnection pg, String table, EncodedBatch results) throws SQLException {
        CopyIn copy = pg.getCopyAPI().copyIn("COPY " + table + " (track_id, frame, data) FROM STDIN (FORMAT binary)");
        try {
            RowBuffer out = new RowBuffer(copy);
            out.put(BINARY_HEADER);
            out.putInt(0); // flags: no OIDs
            out.putInt(0); // header extension length
            results.forEach((trackId, frame, data) -> {
                out.putShort(3);
                out.putInt(Long.BYTES);
                out.putLong(trackId);
                out.putInt(Long.BYTES);
                out.putLong(frame);
                out.putInt(data.length);
                out.put(data);
            });
            out.putShort(-1);
            out.flush();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** A write buffer in front of a {@link CopyIn}, so that the driver sends few large CopyData messages. */
    private static final class RowBuffer {
        private final CopyIn copy;
        private final ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER_BYTES); // big-endian, as COPY wants

        RowBuffer(CopyIn copy) {
            this.copy = copy;
        }

        void putShort(int value) throws SQLException {
            room(Short.BYTES).putShort((short) value);
        }

        void putInt(int value) throws SQLException {
            room(Integer.BYTES).putInt(value);
        }

        void putLong(long value) throws SQLException {
            room(Long.BYTES).putLong(value);
        }

        void put(byte[] bytes) throws SQLException {
            if (bytes.length > buffer.remaining()) {
                flush();
                if (bytes.length > buffer.capacity()) {
                    copy.writeToCopy(bytes, 0, bytes.length);
                    return;
                }
            }
            buffer.put(bytes);
        }

        private ByteBuffer room(int bytes) throws SQLException {
            if (buffer.remaining() < bytes) {
                flush();
            }
            return buffer;
        }

        void flush() throws SQLException {
            if (buffer.position() > 0) {
                copy.writeToCopy(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
        }
    }
}
