-- Juggler ledger schema, version 6: frame results stored compactly. Portable between H2 2.x and PostgreSQL 15;
-- idempotent like V1. New results go to data (one tag byte naming the encoding, then its body; see
-- docs/storage.md) with payload NULL; rows written before keep their text in payload and stay readable as
-- they are. Nothing is rewritten here, so the upgrade takes no time on a ledger of any size.

ALTER TABLE ${schema}${prefix}results ADD COLUMN IF NOT EXISTS data BYTEA;

ALTER TABLE ${schema}${prefix}results ALTER COLUMN payload DROP NOT NULL;
