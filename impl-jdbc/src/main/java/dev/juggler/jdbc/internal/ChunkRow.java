package dev.juggler.jdbc.internal;

/**
 * One chunk row as the ledger reads it before changing it. Internal; immutable.
 */
record ChunkRow(long id, long trackId, long from, long to, int attempts, long checkpoint, int priority, long createdMs,
        String failureReason, String leaseOwner, String leaseJob, long leaseExpiresMillis) {

    /**
     * The columns to select from the chunk row aliased {@code c}, in the order {@link #read(java.sql.ResultSet)} expects;
     * the checkpoint and expiry are those of the lease's last heartbeat ({@link LeaseBeats}). The expiry reads as 0 for a
     * row that is not leased.
     */
    static final String COLUMNS = "c.id, c.track_id, c.frame_from, c.frame_to, c.attempts, " + LeaseBeats.checkpoint("c")
            + ", c.priority, c.created_ms, c.failure_reason, c.lease_owner, c.lease_job, " + LeaseBeats.expiry("c");

    static ChunkRow read(java.sql.ResultSet rows) throws java.sql.SQLException {
        return new ChunkRow(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getInt(5), rows.getLong(6),
                rows.getInt(7), rows.getLong(8), rows.getString(9), rows.getString(10), rows.getString(11), rows.getLong(12));
    }
}
