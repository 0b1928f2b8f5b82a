package dev.juggler.run;

import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.ResultStore;
import dev.juggler.pipeline.FrameResultSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers a worker's results and writes them to the result store in batches; its {@code CheckpointingSink}
 * flushes it before every checkpoint. Not thread-safe: the pipeline's delivering thread uses it.
 */
final class ResultBuffer implements FrameResultSink {
    private final ResultStore store;
    private final int batch;
    private final List<FrameResult> pending;

    ResultBuffer(ResultStore store, int batch) {
        this.store = store;
        this.batch = batch;
        this.pending = new ArrayList<>(batch);
    }

    @Override
    public void accept(FrameResult result) {
        pending.add(result);
        if (pending.size() >= batch) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (!pending.isEmpty()) {
            store.storeResults(List.copyOf(pending));
            pending.clear();
        }
    }
}
