package dev.juggler.jdbc.internal;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The bulk path for frame results on PostgreSQL: the rows (single frames and blocks, in their stored form)
 * are streamed with the driver's {@code COPY} API, in the binary format, straight into the results table,
 * as fast as {@code psql \copy}, while later rows are still being encoded. The caller has locked the rows' tracks and left out every frame already
 * stored, so the rows are new; a duplicate key would be a fault and fails the transaction.
 *
 * <p>Stateless apart from the table name; thread-safe.
 */
final class PostgresBulkResults {

    private static final int COPY_BUFFER_BYTES = 1 << 18;
    /** The signature that starts a binary COPY stream. */
    private static final byte[] BINARY_HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private final String resultsTable;

    /** @param resultsTable the (possibly schema-qualified) results table */
    PostgresBulkResults(String resultsTable) {
        this.resultsTable = resultsTable;
    }

    /** Starts a COPY into the results table inside the caller's transaction; rows stream out as the buffer fills. */
    JdbcResultStore.RowSink open(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        CopyIn copy = pg.getCopyAPI().copyIn("COPY " + resultsTable + " (track_id, frame, frames, data) FROM STDIN (FORMAT binary)");
        RowBuffer out = new RowBuffer(copy);
        out.put(BINARY_HEADER);
        out.putInt(0); // flags: no OIDs
        out.putInt(0); // header extension length
        return new JdbcResultStore.RowSink() {
            @Override
            public void accept(ResultBlocks.Row row) throws SQLException {
                out.putShort(4);
                out.putInt(Long.BYTES);
                out.putLong(row.trackId());
                out.putInt(Long.BYTES);
                out.putLong(row.frame());
                if (row.frames() == 1) {
                    out.putInt(-1); // NULL: a row of one frame
                } else {
                    out.putInt(Integer.BYTES);
                    out.putInt(row.frames());
                }
                out.putInt(row.data().length);
                out.put(row.data());
            }

            @Override
            public void finish() throws SQLException {
                out.putShort(-1);
                out.flush();
                copy.endCopy();
            }

            @Override
            public void close() throws SQLException {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        };
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
