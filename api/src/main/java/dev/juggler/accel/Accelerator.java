package dev.juggler.accel;

import java.util.List;
import java.util.Optional;

/**
 * One device (a GPU, a CPU, an inference stick) with a loaded model that runs batches of inputs. A pool
 * of accelerators is itself an accelerator.
 *
 * <h2>The rules an implementation keeps</h2>
 * {@link AcceleratorPool} and the pipelines rely on these; {@code AcceleratorContract} in the api test-jar
 * checks them against an implementation.
 * <ul>
 *   <li><b>Identity.</b> {@link #name()} is non-blank and does not change; {@link #maxBatchSize()} is at
 *       least 1 (a pool may report a different value after its devices change).</li>
 *   <li><b>One to one, in order.</b> {@link #infer} returns a list of exactly one output per input, the
 *       {@code i}-th output belonging to the {@code i}-th input, whatever other batches run at the same
 *       time. An empty batch gives an empty list. A pool treats any other size as a device failure.</li>
 *   <li><b>Caller errors are not device errors.</b> A {@code null} batch throws
 *       {@link NullPointerException}; a batch larger than {@link #maxBatchSize()} is refused before it runs,
 *       with {@link IllegalArgumentException} or a permanent {@link dev.juggler.JugglerException}, and the
 *       accelerator stays usable.</li>
 *   <li><b>Typed failures.</b> When the device or the model fails, {@link #infer} throws a
 *       {@link dev.juggler.JugglerException}: {@linkplain dev.juggler.JugglerException#isTransient()
 *       transient} if the device may recover (a crashed bridge process, a lost device, an interrupt),
 *       permanent if the same batch will fail again (an input the model cannot take). A batch fails as a
 *       whole, never with part of its outputs, and a permanent failure of one batch leaves the accelerator
 *       usable for the next.</li>
 *   <li><b>Health.</b> {@link #health()} is empty when the device cannot tell. A reading's temperature,
 *       when present, is a finite value in °C; {@code throttling} is {@code true} only when the device
 *       itself reports slowing down; {@code at} is when the value was read. It may be called at any time,
 *       from any thread, also while batches run (then it may return the last reading instead of waiting)
 *       and after {@link #close()} (then it returns the last reading or empty). A sensor that cannot be
 *       read throws a {@link dev.juggler.JugglerException}; a pool takes that as "no reading".</li>
 *   <li><b>Close.</b> {@link #close()} is idempotent. It never frees native memory under a running batch:
 *       a batch running while it is called either completes normally or fails with
 *       {@link IllegalStateException} or a {@link dev.juggler.JugglerException}. Afterwards {@link #infer}
 *       on a non-empty batch throws {@link IllegalStateException}.</li>
 * </ul>
 *
 * <p>Thread-safe: {@link #infer} may be called from several threads at once; an implementation that cannot
 * run batches concurrently serialises them itself. Implementations own native memory and must be closed.
 *
 * @param <I> the model's input per frame (e.g. a preprocessed tensor)
 * @param <O> the model's output per frame (e.g. the people found)
 */
public interface Accelerator<I, O> extends AutoCloseable {

    /** A short, stable name for logs and events, e.g. {@code gpu0} or {@code cpu}. */
    String name();

    /** The largest batch {@link #infer} accepts; at least 1. */
    int maxBatchSize();

    /**
     * Runs the model on a batch and returns one output per input, in order (an empty list for an empty
     * batch).
     *
     * @throws NullPointerException if {@code batch} is {@code null}
     * @throws IllegalArgumentException (or a permanent {@link dev.juggler.JugglerException}) if the batch is
     *     larger than {@link #maxBatchSize()}
     * @throws IllegalStateException if the accelerator is closed
     * @throws dev.juggler.JugglerException if the device or the model fails; transient if the device may recover
     */
    List<O> infer(List<I> batch);

    /**
     * Temperature and throttling, where the device can tell; empty otherwise. Safe at any time, also while
     * batches run and after {@link #close()}.
     *
     * @throws dev.juggler.JugglerException if the device has a sensor but it cannot be read now
     */
    default Optional<DeviceHealth> health() {
        return Optional.empty();
    }

    /**
     * Unloads the model and frees native memory once no batch uses it any more. Idempotent; later
     * {@link #infer} calls throw {@link IllegalStateException}.
     */
    @Override
    void close();
}
