package dev.juggler.accel;

import java.time.Duration;
import java.time.Instant;

/**
 * One device of an {@link AcceleratorPool} and what the pool knows about it: batches in flight, its
 * {@link DeviceCircuit health}, its last readings. Mutable fields are guarded by the pool's lock; not
 * thread-safe on its own.
 *
 * @param <I> the model input per frame
 * @param <O> the model output per frame
 */
final class PoolSlot<I, O> {
    final Accelerator<I, O> device;
    final String name;
    final DeviceCircuit circuit;
    int inFlight;
    boolean removed;
    double temperature = Double.NaN;
    boolean throttling;

    PoolSlot(Accelerator<I, O> device, int failureThreshold, Duration probeAfter) {
        this.device = device;
        this.name = device.name();
        this.circuit = new DeviceCircuit(failureThreshold, probeAfter);
    }

    /** Whether a batch may be handed to the device now. */
    boolean usable(Instant now) {
        return !removed && circuit.canTake(now);
    }

    @Override
    public String toString() {
        return name;
    }
}
