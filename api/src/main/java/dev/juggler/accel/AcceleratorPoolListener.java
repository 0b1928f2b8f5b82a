package dev.juggler.accel;

import java.time.Instant;

/**
 * Hears what an {@link AcceleratorPool} does with its devices, for dashboards, logs and metrics. Every
 * method has an empty default, so a listener implements only what it wants.
 *
 * <p>Called on the thread that caused the event (usually one calling {@link AcceleratorPool#infer}),
 * after the pool's internal lock is released: keep it short and never call back into the pool's
 * {@code removeDevice} from it. A listener that throws is logged and ignored. Implementations must be
 * thread-safe: events come from any thread.
 */
public interface AcceleratorPoolListener {

    /** The active devices changed: another device group became active, or devices started or stopped resting. */
    default void onSwitch(GroupSwitch event) {
    }

    /**
     * A device failed and was taken out of service; its request was retried elsewhere.
     *
     * @param device the device name
     * @param cause what it threw
     * @param probeAt when it will get a trial request again (once its group is active)
     */
    default void onDeviceOut(String device, RuntimeException cause, Instant probeAt) {
    }

    /** A device taken out earlier completed its trial request and is back in service. */
    default void onDeviceBack(String device) {
    }

    /** A device joined the pool while it was running. */
    default void onDeviceAdded(String device) {
    }

    /** A device left the pool; its requests in flight had finished. */
    default void onDeviceRemoved(String device) {
    }
}
