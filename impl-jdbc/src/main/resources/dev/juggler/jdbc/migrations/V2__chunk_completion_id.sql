-- Juggler ledger schema, version 2. Portable between H2 2.x and PostgreSQL 15; idempotent like V1.
-- completion_id: the id of the complete() call that made a chunk row DONE (NULL for rows made DONE by a
-- failure, the reaper or a revocation, and for every row that is not DONE). A complete() retried after a
-- connection failure finds its own id there when its earlier try did commit; a chunk that is DONE under
-- any other id means the lease was lost (a stale token), however alike the frames look.

ALTER TABLE ${schema}${prefix}chunks ADD COLUMN IF NOT EXISTS completion_id VARCHAR(64);
