package dev.juggler.jdbc.internal;

/**
 * One chunk row as the ledger reads it before changing it. Internal; immutable.
 */
record ChunkRow(long id, long trackId, long from, long to, int attempts, long checkpoint, int priority, long createdMs,
        String failureReason, String leaseOwner, String leaseJob) {

    /** The columns to select, in the order {@link #read(java.sql.ResultSet)} expects, without table alias. */
    static final String COLUMNS = "id, track_id, frame_from, frame_to, attempts, checkpoint, priority, created_ms, failure_reason,"
            + " lease_owner, lease_job";

    static ChunkRow read(java.sql.ResultSet rows) throws java.sql.SQLException {
        return new ChunkRow(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getInt(5), rows.getLong(6),
                rows.getInt(7), rows.getLong(8), rows.getString(9), rows.getString(10), rows.getString(11));
    }
}
