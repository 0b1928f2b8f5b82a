-- Juggler ledger schema, version 7: a results row may hold a block of consecutive frames. frames is NULL
-- for a row of one frame (every row written before, and a frame stored alone); for a block it is the
-- number of frames, from the row's frame on, and data holds them (tag 32, see docs/storage.md). Nothing is
-- rewritten here, so the upgrade takes no time on a ledger of any size.

ALTER TABLE ${schema}${prefix}results ADD COLUMN IF NOT EXISTS frames INTEGER;

-- Blocks are compressed with LZ4 where PostgreSQL has it (version 14 on, built with lz4, as Debian's is):
-- it takes about a tenth off pose blocks and more off blocks of text, while the default (pglz) took
-- about a third off the ingest rate trying to compress pose blocks and gave up (docs/storage.md).
-- PostgreSQL, where the server supports it:
ALTER TABLE ${schema}${prefix}results ALTER COLUMN data SET COMPRESSION lz4;
