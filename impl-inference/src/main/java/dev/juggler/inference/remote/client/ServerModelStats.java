package dev.juggler.inference.remote.client;

/**
 * A model's running totals from Triton-style statistics ({@code GET /v2/models/{m}/stats}): rows inferred,
 * model executions, and nanoseconds spent waiting in the server's queue and computing. The difference of
 * two readings ({@link #minus}) is what happened between them.
 *
 * <p>Immutable and thread-safe.
 *
 * @param inferenceCount rows (batch elements) inferred
 * @param executionCount model executions (fewer than rows when the server batches)
 * @param queueNs time requests waited before their batch ran
 * @param computeInputNs time spent preparing inputs
 * @param computeInferNs time spent in the model
 * @param computeOutputNs time spent preparing outputs
 */
public record ServerModelStats(long inferenceCount, long executionCount, long queueNs, long computeInputNs,
        long computeInferNs, long computeOutputNs) {

    /** All zero. */
    public static final ServerModelStats ZERO = new ServerModelStats(0, 0, 0, 0, 0, 0);

    /** The change from {@code earlier} to this reading. */
    public ServerModelStats minus(ServerModelStats earlier) {
        return new ServerModelStats(inferenceCount - earlier.inferenceCount, executionCount - earlier.executionCount,
                queueNs - earlier.queueNs, computeInputNs - earlier.computeInputNs, computeInferNs - earlier.computeInferNs,
                computeOutputNs - earlier.computeOutputNs);
    }

    /** The sum of two readings (of different servers). */
    public ServerModelStats plus(ServerModelStats other) {
        return new ServerModelStats(inferenceCount + other.inferenceCount, executionCount + other.executionCount,
                queueNs + other.queueNs, computeInputNs + other.computeInputNs, computeInferNs + other.computeInferNs,
                computeOutputNs + other.computeOutputNs);
    }

    /** Compute time in all three phases. */
    public long computeNs() {
        return computeInputNs + computeInferNs + computeOutputNs;
    }
}
