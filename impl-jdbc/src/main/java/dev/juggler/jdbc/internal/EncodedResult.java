package dev.juggler.jdbc.internal;

import dev.juggler.ledger.FrameResult;

/**
 * A frame result in its stored form ({@link StoredResults}), encoded once before the transaction that
 * stores it, so that a retried transaction does not encode again. Immutable by convention (the array is
 * never changed after encoding); thread-safe.
 *
 * @param trackId the track
 * @param frame the frame
 * @param data the stored bytes
 */
record EncodedResult(long trackId, long frame, byte[] data) {

    static EncodedResult of(FrameResult result) {
        return new EncodedResult(result.trackId(), result.frame(), StoredResults.encode(result.payload()));
    }
}
