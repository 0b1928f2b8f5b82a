package dev.juggler.accel;

import java.util.List;
import java.util.Optional;

/**
 * One device (a GPU, a CPU, an inference stick) with a loaded model that runs batches of inputs. A pool
 * of accelerators is itself an accelerator.
 *
 * <p>{@link #infer} may be called from several threads at once; an implementation that cannot run
 * batches concurrently serialises them itself. Implementations own native memory and must be closed.
 *
 * @param <I> the model's input per frame (e.g. a preprocessed tensor)
 * @param <O> the model's output per frame (e.g. the people found)
 */
public interface Accelerator<I, O> extends AutoCloseable {

    /** A short name for logs and events, e.g. {@code gpu0} or {@code cpu}. */
    String name();

    /** The largest batch {@link #infer} accepts. */
    int maxBatchSize();

    /**
     * Runs the model on a batch and returns one output per input, in order.
     *
     * @throws dev.juggler.JugglerException if the device or the model fails; transient if the device may recover
     */
    List<O> infer(List<I> batch);

    /** Temperature and throttling, where the device can tell. */
    default Optional<DeviceHealth> health() {
        return Optional.empty();
    }

    /** Unloads the model and frees native memory. Idempotent. */
    @Override
    void close();
}
