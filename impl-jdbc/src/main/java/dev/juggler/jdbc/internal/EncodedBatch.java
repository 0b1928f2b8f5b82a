package dev.juggler.jdbc.internal;

import dev.juggler.ledger.FrameResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;

/**
 * A batch of frame results in their stored form ({@link StoredResults}), encoded slice by slice on the
 * common pool and on the storing thread while that thread already sends the slices that are done, so that
 * encoding overlaps with the database's work. Encoded once: a retried transaction iterates the same slices
 * again. Thread-safe for the one storing thread that iterates it (the pool threads only fill slices).
 */
final class EncodedBatch {

    /** A consumer that may fail with the database. */
    @FunctionalInterface
    interface RowConsumer {
        void accept(long trackId, long frame, byte[] data) throws SQLException;
    }

    private static final int SLICE = 512;

    private final List<FutureTask<byte[][]>> slices = new ArrayList<>();
    private final List<FrameResult> results;

    EncodedBatch(List<FrameResult> results) {
        this.results = results;
        for (int from = 0; from < results.size(); from += SLICE) {
            List<FrameResult> slice = results.subList(from, Math.min(results.size(), from + SLICE));
            slices.add(new FutureTask<>(() -> encode(slice)));
        }
        for (int i = 1; i < slices.size(); i++) {
            ForkJoinPool.commonPool().execute(slices.get(i)); // slice 0 is the storing thread's own first job
        }
    }

    int size() {
        return results.size();
    }

    private static byte[][] encode(List<FrameResult> slice) {
        byte[][] encoded = new byte[slice.size()][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = StoredResults.encode(slice.get(i).payload());
        }
        return encoded;
    }

    /** Hands every result to {@code consumer} in order; the calling thread encodes each slice no pool thread has started. */
    void forEach(RowConsumer consumer) throws SQLException {
        for (int s = 0; s < slices.size(); s++) {
            FutureTask<byte[][]> slice = slices.get(s);
            slice.run(); // returns at once if a pool thread has started or finished it
            byte[][] encoded;
            try {
                encoded = slice.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while results were encoded", "57014", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            }
            for (int i = 0; i < encoded.length; i++) {
                FrameResult result = results.get(s * SLICE + i);
                consumer.accept(result.trackId(), result.frame(), encoded[i]);
            }
        }
    }
}
