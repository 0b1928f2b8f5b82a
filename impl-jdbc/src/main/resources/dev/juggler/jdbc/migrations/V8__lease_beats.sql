-- Juggler ledger schema, version 8: lease beats. Portable between H2 2.x and PostgreSQL 15; idempotent like V1.
-- A heartbeat writes its lease's checkpoint and new expiry here, one narrow row per chunk, instead of into the
-- chunk row: an UPDATE of a chunk rewrites its entries in every one of the chunks table's indexes on H2, and on
-- PostgreSQL a changed indexed column rules out an in-place (HOT) update. A row counts only while lease_token is
-- its chunk's lease token; until its first heartbeat a lease's checkpoint and expiry are those its claim wrote into
-- the chunk row. A lease that ends leaves its row behind until the reaper's next sweep deletes it.
-- Nothing is rewritten here: the upgrade takes no time on a ledger of any size.

CREATE TABLE IF NOT EXISTS ${schema}${prefix}lease_beats (
    chunk_id    BIGINT NOT NULL PRIMARY KEY,
    lease_token VARCHAR(64) NOT NULL,
    checkpoint  BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    beat_ms     BIGINT NOT NULL
);

-- The reaper now reads a lease's expiry through its beat, so the index on the claim's expiry serves nothing and
-- only costs every chunk write. An index lives in its table's schema on both databases.
DROP INDEX IF EXISTS ${schema}${prefix}chunks_expiry_ix;
