package dev.juggler.ledger;

/**
 * The life cycle of a chunk: {@code PENDING -> LEASED -> DONE}; {@code LEASED -> PENDING} (lease
 * expired, job gone, released early: the unfinished rest only); {@code LEASED -> FAILED} (attempts
 * exhausted or a permanent error); {@code FAILED -> PENDING} (re-scheduled).
 */
public enum ChunkState {
    PENDING, LEASED, DONE, FAILED
}
