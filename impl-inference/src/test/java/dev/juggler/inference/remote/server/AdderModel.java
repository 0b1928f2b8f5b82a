package dev.juggler.inference.remote.server;

import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.ServedModel;
import dev.juggler.inference.remote.TensorSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test model: INPUT0 and INPUT1, FP32 {@code [-1, width]}, give SUM = INPUT0 + INPUT1 (FP32
 * {@code [-1, width]}) and ROWSUM, the rounded sum of each SUM row (INT32 {@code [-1, 1]}). An INPUT0 value
 * of {@value #FAIL} makes the batch fail with an IllegalStateException, {@value #REFUSE} with an
 * InferenceProtocolException. It records every batch's rows, and can hold runs until released.
 * Thread-safe.
 */
final class AdderModel implements ServedModel {

    static final float FAIL = -999f;
    static final float REFUSE = -998f;

    private final String name;
    private final int maxBatchSize;
    private final int width;
    private final List<Integer> batchRows = new CopyOnWriteArrayList<>();
    private final AtomicInteger runs = new AtomicInteger();
    private volatile Semaphore gate;
    private final Semaphore entered = new Semaphore(0);
    private volatile boolean wrongRows;

    AdderModel(String name, int maxBatchSize, int width) {
        this.name = name;
        this.maxBatchSize = maxBatchSize;
        this.width = width;
    }

    AdderModel(int maxBatchSize) {
        this("adder", maxBatchSize, 4);
    }

    /** From now on each run waits for a {@link #release} permit. */
    AdderModel hold() {
        gate = new Semaphore(0);
        return this;
    }

    void release(int runsToLet) {
        gate.release(runsToLet);
    }

    /** Waits until {@code n} runs have entered {@link #run} since the last call. */
    boolean awaitEntered(int n) throws InterruptedException {
        return entered.tryAcquire(n, 10, TimeUnit.SECONDS);
    }

    /** From now on the model returns one row too few. */
    void returnWrongRows() {
        wrongRows = true;
    }

    List<Integer> batchRows() {
        return List.copyOf(batchRows);
    }

    int runs() {
        return runs.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String platform() {
        return "java";
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(new TensorSpec("INPUT0", Datatype.FP32, new long[] {-1, width}),
                new TensorSpec("INPUT1", Datatype.FP32, new long[] {-1, width}));
    }

    @Override
    public List<TensorSpec> outputs() {
        return List.of(new TensorSpec("SUM", Datatype.FP32, new long[] {-1, width}),
                new TensorSpec("ROWSUM", Datatype.INT32, new long[] {-1, 1}));
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    @Override
    public List<InferTensor> run(List<InferTensor> inputs) {
        runs.incrementAndGet();
        entered.release();
        Semaphore g = gate;
        if (g != null) {
            g.acquireUninterruptibly();
        }
        long[] shape = inputs.get(0).shape();
        int rows = (int) shape[0];
        batchRows.add(rows);
        float[] a = inputs.get(0).asFloats();
        float[] b = inputs.get(1).asFloats();
        int w = rows == 0 ? 0 : a.length / rows;
        float[] sum = new float[a.length];
        int[] rowSum = new int[rows];
        for (int i = 0; i < a.length; i++) {
            if (a[i] == FAIL) {
                throw new IllegalStateException("the adder does not take " + FAIL);
            }
            if (a[i] == REFUSE) {
                throw new InferenceProtocolException("INPUT0: the adder refuses " + REFUSE);
            }
            sum[i] = a[i] + b[i];
            rowSum[i / w] += Math.round(sum[i]);
        }
        int outRows = wrongRows ? rows - 1 : rows;
        float[] sumOut = java.util.Arrays.copyOf(sum, outRows * w);
        int[] rowSumOut = java.util.Arrays.copyOf(rowSum, outRows);
        return List.of(InferTensor.ofFloats("SUM", new long[] {outRows, w}, sumOut),
                InferTensor.ofInts("ROWSUM", new long[] {outRows, 1}, rowSumOut));
    }

    @Override
    public void close() {
    }
}
