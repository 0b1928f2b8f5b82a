package dev.juggler.jdbc.internal;

import dev.juggler.ledger.FrameResult;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The bulk path for frame results on PostgreSQL, idempotent by (track, frame). The rows are streamed
 * with the driver's {@code COPY} API straight into the results table under a savepoint: results are
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
    long store(Connection c, List<FrameResult> results) throws SQLException {
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

    private long copyAndMerge(Connection c, PGConnection pg, List<FrameResult> results) throws SQLException {
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
                        + " (track_id BIGINT NOT NULL, frame BIGINT NOT NULL, payload TEXT NOT NULL) ON COMMIT DELETE ROWS");
            }
            prepared.put(pg, Boolean.TRUE);
        }
        copy(pg, stagingTable, results);
        try (Statement merge = c.createStatement()) {
            return merge.executeUpdate("INSERT INTO " + resultsTable + " (track_id, frame, payload) SELECT track_id, frame, payload FROM "
                    + stagingTable + " ON CONFLICT (track_id, frame) DO NOTHING");
        }
    }

    /** Streams the rows into {@code table} with COPY ... FROM STDIN in text format. */
    private static void copy(PGConnection pg, String table, List<FrameResult> results) throws SQLException {
        CopyIn copy = pg.getCopyAPI().copyIn("COPY " + table + " (track_id, frame, payload) FROM STDIN");
        try {
            RowBuffer out = new RowBuffer(copy);
            StringBuilder escaped = new StringBuilder();
            for (FrameResult result : results) {
                out.number(result.trackId());
                out.put((byte) '\t');
                out.number(result.frame());
                out.put((byte) '\t');
                String payload = result.payload();
                if (needsEscape(payload)) {
                    escaped.setLength(0);
                    escapeInto(escaped, payload);
                    payload = escaped.toString();
                }
                // encoded straight into the COPY buffer: no per-row line string, one copy of the payload
                out.put(payload.getBytes(StandardCharsets.UTF_8));
                out.put((byte) '\n');
            }
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
        private final byte[] buffer = new byte[COPY_BUFFER_BYTES];
        private final byte[] digits = new byte[20];
        private int used;

        RowBuffer(CopyIn copy) {
            this.copy = copy;
        }

        void put(byte b) throws SQLException {
            if (used == buffer.length) {
                flush();
            }
            buffer[used++] = b;
        }

        void put(byte[] bytes) throws SQLException {
            if (bytes.length > buffer.length - used) {
                flush();
                if (bytes.length > buffer.length) {
                    copy.writeToCopy(bytes, 0, bytes.length);
                    return;
                }
            }
            System.arraycopy(bytes, 0, buffer, used, bytes.length);
            used += bytes.length;
        }

        /** Writes a non-negative number (ids and frame numbers are never negative) in decimal ASCII. */
        void number(long value) throws SQLException {
            int start = digits.length;
            long rest = value;
            do {
                digits[--start] = (byte) ('0' + (rest % 10));
                rest /= 10;
            } while (rest > 0);
            if (value < 0) {
                throw new SQLException("negative number in a COPY row: " + value, "22003");
            }
            if (digits.length - start > buffer.length - used) {
                flush();
            }
            System.arraycopy(digits, start, buffer, used, digits.length - start);
            used += digits.length - start;
        }

        void flush() throws SQLException {
            if (used > 0) {
                copy.writeToCopy(buffer, 0, used);
                used = 0;
            }
        }
    }

    private static boolean needsEscape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
                return true;
            }
        }
        return false;
    }

    /** Escapes a value for COPY's text format: backslash, and the tab/newline/return that delimit fields and rows. */
    static void escapeInto(StringBuilder out, String value) {
        if (!needsEscape(value)) {
            out.append(value); // the usual JSON payload: one bulk copy instead of a per-character loop
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\':
                    out.append("\\\\");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                default:
                    out.append(ch);
            }
        }
    }
}
