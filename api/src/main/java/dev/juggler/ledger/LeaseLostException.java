package dev.juggler.ledger;

import dev.juggler.JugglerException;

/**
 * The lease named in a call is no longer held by the caller: it expired and was reaped, the juggler
 * revoked it, or it was already completed. The caller must stop working on those frames. Permanent.
 * Immutable and thread-safe.
 */
public class LeaseLostException extends JugglerException {
    private static final long serialVersionUID = 1L;

    private final long chunkId;

    public LeaseLostException(long chunkId, String detail) {
        super("lease on chunk " + chunkId + " is no longer held: " + detail, false, null);
        this.chunkId = chunkId;
    }

    public long chunkId() {
        return chunkId;
    }
}
