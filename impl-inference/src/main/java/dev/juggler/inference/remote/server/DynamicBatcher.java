package dev.juggler.inference.remote.server;

import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.ServedModel;
import dev.juggler.inference.remote.TensorSpec;
import dev.juggler.inference.remote.server.ServerStats.ModelStats;
import dev.juggler.inference.remote.server.ServerStats.Timings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching for one {@link ServedModel}: requests wait in a queue bounded in rows; each executor
 * thread takes the requests at the head until they fill {@code maxBatchRows} rows or the oldest has waited
 * {@code maxQueueDelay}, concatenates their inputs along the batch dimension, runs the model once and
 * splits the outputs back by rows, completing each request's future.
 *
 * <p>Behaviour:
 * <ul>
 *   <li>The queue is first in, first out. A batch stops at the first request that does not fit, or whose
 *       dimensions after the batch dimension differ from the head's (those cannot be concatenated); such a
 *       batch runs at once since waiting could not make it grow.</li>
 *   <li>A request of more than {@code maxBatchRows} rows is split into pieces of at most that many rows,
 *       which queue and run like requests of their own; its outputs are joined in order when the last piece
 *       is done, and its stage times are the sums over its pieces.</li>
 *   <li>{@link #submit} refuses a request that would take the queue above {@code maxQueueRows} rows at once
 *       with a {@link QueueRefusedException} naming the queue's state; nothing waits for room.</li>
 *   <li>A failing {@link ServedModel#run}, or outputs that do not match the model's specs, fail every
 *       request of that batch with the exception, and only those. Later pieces of a failed split request
 *       are dropped unrun.</li>
 *   <li>{@link #close} refuses new requests, lets the executors run what is queued, and fails whatever is
 *       still queued after the grace period. It never closes the model.</li>
 * </ul>
 *
 * <p>Time comes from the {@code nanoTime} given, so tests drive the delay rule with a fake clock: with zero
 * executor threads nothing runs by itself and {@link #runReadyBatch()} runs the batch that is due, if any,
 * on the caller's thread.
 *
 * <p>Thread-safe: the queue is guarded by one lock, held only to add or take requests, never while the
 * model runs.
 */
final class DynamicBatcher {

    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

    /** The outputs of one request, in the model's output order, and the time it spent in each stage. */
    record Result(List<InferTensor> outputs, Timings timings) {
    }

    private final ServedModel model;
    private final List<TensorSpec> outputSpecs;
    private final int maxBatchRows;
    private final long maxDelayNanos;
    private final int maxQueueRows;
    private final LongSupplier nanoTime;
    private final ModelStats stats;
    private final List<Thread> executors = new ArrayList<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Piece> queue = new ArrayDeque<>();
    private int queuedRows;
    private boolean closing;

    /**
     * Starts {@code threads} executor threads (daemons, named {@code juggler-serve-<model>-<n>}).
     *
     * @param maxBatchRows rows per model run, between 1 and the model's {@link ServedModel#maxBatchSize()}
     * @param maxDelayNanos how long the oldest request may wait for a batch to fill, {@code >= 0}
     * @param maxQueueRows rows that may wait at once, {@code >= maxBatchRows}
     * @param threads executor threads; 0 for none (tests call {@link #runReadyBatch()})
     */
    DynamicBatcher(ServedModel model, int maxBatchRows, long maxDelayNanos, int maxQueueRows, int threads,
            LongSupplier nanoTime, ModelStats stats) {
        if (maxBatchRows < 1 || maxBatchRows > model.maxBatchSize() || maxDelayNanos < 0
                || maxQueueRows < maxBatchRows || threads < 0) {
            throw new IllegalArgumentException("batcher of " + model.name() + ": maxBatchRows " + maxBatchRows
                    + ", maxDelayNanos " + maxDelayNanos + ", maxQueueRows " + maxQueueRows + ", threads " + threads);
        }
        this.model = model;
        this.outputSpecs = List.copyOf(model.outputs());
        this.maxBatchRows = maxBatchRows;
        this.maxDelayNanos = maxDelayNanos;
        this.maxQueueRows = maxQueueRows;
        this.nanoTime = nanoTime;
        this.stats = stats;
        for (int i = 1; i <= threads; i++) {
            Thread t = new Thread(this::executeLoop, "juggler-serve-" + model.name() + "-" + i);
            t.setDaemon(true);
            executors.add(t);
        }
        executors.forEach(Thread::start);
    }

    /**
     * Queues a request whose inputs the server has checked against the model's specs (order, datatypes,
     * dimensions, equal row counts of at least 1).
     *
     * @return completes with the request's outputs, or exceptionally with the model's failure
     * @throws QueueRefusedException if the queue is full or the batcher is closing
     * @throws IllegalArgumentException if the request has more rows than the queue can ever hold
     */
    CompletableFuture<Result> submit(List<InferTensor> inputs) {
        int rows = Rows.count(inputs.get(0));
        if (rows > maxQueueRows) {
            throw new IllegalArgumentException("the request has " + rows + " rows, more than the queue of model "
                    + model.name() + " holds (" + maxQueueRows + " rows); split it");
        }
        int pieces = (rows + maxBatchRows - 1) / maxBatchRows;
        Join join = new Join(Math.max(pieces, 1));
        List<Piece> split = new ArrayList<>(pieces);
        String key = Rows.innerDims(inputs);
        if (pieces <= 1) {
            split.add(new Piece(join, 0, inputs, rows, key));
        } else {
            List<int[]> offsets = inputs.stream().map(Rows::offsets).toList();
            for (int p = 0; p < pieces; p++) {
                int from = p * maxBatchRows;
                int count = Math.min(maxBatchRows, rows - from);
                List<InferTensor> slice = new ArrayList<>(inputs.size());
                for (int i = 0; i < inputs.size(); i++) {
                    slice.add(Rows.slice(inputs.get(i), offsets.get(i), from, count));
                }
                split.add(new Piece(join, p, slice, count, key));
            }
        }
        lock.lock();
        try {
            if (closing) {
                throw new QueueRefusedException("model " + model.name() + ": the server is closing; retry on another");
            }
            if (queuedRows + rows > maxQueueRows) {
                throw new QueueRefusedException("model " + model.name() + ": queue full (" + queuedRows
                        + " rows waiting, limit " + maxQueueRows + "; this request has " + rows
                        + "); retry later, or raise the server's maxQueueRows");
            }
            long now = nanoTime.getAsLong();
            for (Piece p : split) {
                p.enqueuedNanos = now;
                queue.addLast(p);
            }
            queuedRows += rows;
            stats.queueRows.set(queuedRows);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return join.future;
    }

    /** Rows waiting now. */
    int queuedRows() {
        lock.lock();
        try {
            return queuedRows;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the batch that is due by now, if any, on the calling thread: for tests with zero executor threads.
     *
     * @return whether a batch ran
     */
    boolean runReadyBatch() {
        Batch batch;
        lock.lock();
        try {
            long now = nanoTime.getAsLong();
            if (queue.isEmpty() || nanosUntilDueLocked(now) > 0) {
                return false;
            }
            batch = takeLocked(now);
        } finally {
            lock.unlock();
        }
        if (batch != null) {
            run(batch);
        }
        return batch != null;
    }

    private void executeLoop() {
        while (true) {
            Batch batch = null;
            lock.lock();
            try {
                while (batch == null) {
                    if (queue.isEmpty()) {
                        if (closing) {
                            return;
                        }
                        changed.await();
                        continue;
                    }
                    long now = nanoTime.getAsLong();
                    long wait = nanosUntilDueLocked(now);
                    if (wait > 0) {
                        changed.awaitNanos(wait);
                    } else {
                        batch = takeLocked(now);
                    }
                }
            } catch (InterruptedException e) {
                // only close() interrupts, after its grace period; it fails what is left
                return;
            } finally {
                lock.unlock();
            }
            run(batch);
        }
    }

    /** 0 when the head's batch should run now, else how long until its oldest request has waited enough. */
    private long nanosUntilDueLocked(long now) {
        if (closing || cannotGrowLocked()) {
            return 0;
        }
        return maxDelayNanos - (now - queue.peekFirst().enqueuedNanos);
    }

    private boolean cannotGrowLocked() {
        String key = queue.peekFirst().innerDims;
        int rows = 0;
        for (Piece p : queue) {
            if (!p.innerDims.equals(key) || rows + p.rows > maxBatchRows) {
                return true;
            }
            rows += p.rows;
            if (rows == maxBatchRows) {
                return true;
            }
        }
        return false;
    }

    /** Takes the head's batch; {@code null} if every queued piece belonged to a request that already failed. */
    private Batch takeLocked(long now) {
        List<Piece> taken = new ArrayList<>();
        String key = null;
        int rows = 0;
        for (Iterator<Piece> it = queue.iterator(); it.hasNext() && rows < maxBatchRows;) {
            Piece p = it.next();
            if (p.join.future.isDone()) {
                it.remove();
                queuedRows -= p.rows;
                continue;
            }
            if (key != null && (!p.innerDims.equals(key) || rows + p.rows > maxBatchRows)) {
                break;
            }
            key = p.innerDims;
            it.remove();
            queuedRows -= p.rows;
            taken.add(p);
            rows += p.rows;
        }
        stats.queueRows.set(queuedRows);
        return taken.isEmpty() ? null : new Batch(taken, rows, now);
    }

    private void run(Batch batch) {
        try {
            List<InferTensor> inputs = new ArrayList<>();
            int inputCount = batch.pieces.get(0).inputs.size();
            for (int i = 0; i < inputCount; i++) {
                List<InferTensor> parts = new ArrayList<>(batch.pieces.size());
                for (Piece p : batch.pieces) {
                    parts.add(p.inputs.get(i));
                }
                inputs.add(Rows.concat(parts));
            }
            long concatenated = nanoTime.getAsLong();
            List<InferTensor> outputs = model.run(List.copyOf(inputs));
            long inferred = nanoTime.getAsLong();
            checkOutputs(outputs, batch.rows);
            List<List<InferTensor>> perPiece = split(outputs, batch.pieces);
            long split = nanoTime.getAsLong();
            stats.recordExecution(batch.rows);
            for (int i = 0; i < batch.pieces.size(); i++) {
                Piece p = batch.pieces.get(i);
                p.join.complete(p.index, perPiece.get(i), new Timings(batch.startNanos - p.enqueuedNanos,
                        concatenated - batch.startNanos, inferred - concatenated, split - inferred), nanoTime);
            }
        } catch (RuntimeException | Error e) {
            // An Error from a native model (out of memory on a large batch) must not end the executor: the
            // batch fails, later batches may well fit.
            LOG.debug("serve: model {} failed a batch of {} rows: {}", model.name(), batch.rows, e.toString());
            for (Piece p : batch.pieces) {
                p.join.future.completeExceptionally(e);
            }
        }
    }

    private void checkOutputs(List<InferTensor> outputs, int rows) {
        if (outputs == null || outputs.size() != outputSpecs.size()) {
            throw new IllegalStateException("model " + model.name() + " returned "
                    + (outputs == null ? "null" : outputs.size() + " outputs") + " for its " + outputSpecs.size()
                    + " outputs " + outputSpecs);
        }
        for (int i = 0; i < outputs.size(); i++) {
            InferTensor t = outputs.get(i);
            TensorSpec spec = outputSpecs.get(i);
            long[] shape = t.shape();
            if (!t.name().equals(spec.name()) || t.datatype() != spec.datatype() || !spec.accepts(shape)
                    || shape[0] != rows) {
                throw new IllegalStateException("model " + model.name() + " returned output " + t.name() + " "
                        + t.datatype() + Arrays.toString(shape) + " where " + spec + " with " + rows
                        + " rows was due");
            }
        }
    }

    private static List<List<InferTensor>> split(List<InferTensor> outputs, List<Piece> pieces) {
        List<List<InferTensor>> perPiece = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            perPiece.add(new ArrayList<>(outputs.size()));
        }
        for (InferTensor out : outputs) {
            if (pieces.size() == 1) {
                perPiece.get(0).add(out);
                continue;
            }
            int[] offsets = Rows.offsets(out);
            int row = 0;
            for (int i = 0; i < pieces.size(); i++) {
                perPiece.get(i).add(Rows.slice(out, offsets, row, pieces.get(i).rows));
                row += pieces.get(i).rows;
            }
        }
        return perPiece;
    }

    /**
     * Refuses new requests, waits up to {@code graceNanos} for the executors to run what is queued, then
     * stops them and fails what is left. Idempotent; does not close the model.
     */
    void close(long graceNanos) {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + graceNanos;
        for (Thread t : executors) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                t.interrupt();
                // an idle executor ends at once; one stuck in the model is left to it, as a daemon
                t.join(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Piece> left;
        lock.lock();
        try {
            left = new ArrayList<>(queue);
            queue.clear();
            queuedRows = 0;
            stats.queueRows.set(0);
        } finally {
            lock.unlock();
        }
        for (Piece p : left) {
            p.join.future.completeExceptionally(new QueueRefusedException("model " + model.name()
                    + ": the server closed before this request ran"));
        }
    }

    /** A request, or one piece of a request larger than a batch. Its fields are set before it is queued. */
    private static final class Piece {
        final Join join;
        final int index;
        final List<InferTensor> inputs;
        final int rows;
        final String innerDims;
        long enqueuedNanos;

        Piece(Join join, int index, List<InferTensor> inputs, int rows, String innerDims) {
            this.join = join;
            this.index = index;
            this.inputs = inputs;
            this.rows = rows;
            this.innerDims = innerDims;
        }
    }

    private record Batch(List<Piece> pieces, int rows, long startNanos) {
    }

    /** Collects the outputs of a request's pieces; completes the future when the last arrives. */
    private static final class Join {
        final CompletableFuture<Result> future = new CompletableFuture<>();
        private final List<List<InferTensor>> parts;
        private int remaining;
        private Timings sum = Timings.NONE;

        Join(int pieces) {
            this.parts = new ArrayList<>(pieces);
            for (int i = 0; i < pieces; i++) {
                parts.add(null);
            }
            this.remaining = pieces;
        }

        void complete(int index, List<InferTensor> outputs, Timings t, LongSupplier nanoTime) {
            List<List<InferTensor>> all;
            Timings total;
            synchronized (this) {
                parts.set(index, outputs);
                sum = new Timings(sum.queueNs() + t.queueNs(), sum.inputNs() + t.inputNs(),
                        sum.inferNs() + t.inferNs(), sum.outputNs() + t.outputNs());
                if (--remaining > 0) {
                    return;
                }
                all = List.copyOf(parts);
                total = sum;
            }
            if (all.size() == 1) {
                future.complete(new Result(all.get(0), total));
                return;
            }
            long start = nanoTime.getAsLong();
            List<InferTensor> joined = new ArrayList<>();
            for (int o = 0; o < all.get(0).size(); o++) {
                List<InferTensor> column = new ArrayList<>(all.size());
                for (List<InferTensor> part : all) {
                    column.add(part.get(o));
                }
                joined.add(Rows.concat(column));
            }
            future.complete(new Result(joined, total.plusOutput(nanoTime.getAsLong() - start)));
        }
    }
}
