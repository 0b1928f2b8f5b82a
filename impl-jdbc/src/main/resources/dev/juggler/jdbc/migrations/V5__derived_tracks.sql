-- Juggler ledger schema, version 5: derived tracks. Portable between H2 2.x and PostgreSQL 15; idempotent like V1.
-- derived_from: for a track computed from another track's results (a cleaned pose track), that track's id;
-- NULL for a track that workers compute. parameters: the derivation's parameters, as its tool wrote them.

ALTER TABLE ${schema}${prefix}tracks ADD COLUMN IF NOT EXISTS derived_from BIGINT;

ALTER TABLE ${schema}${prefix}tracks ADD COLUMN IF NOT EXISTS parameters VARCHAR;
