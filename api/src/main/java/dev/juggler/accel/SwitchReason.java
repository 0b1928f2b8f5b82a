package dev.juggler.accel;

/** Why an {@link AcceleratorPool} moved work from one device group to another. Immutable and thread-safe. */
public enum SwitchReason {
    /** The active group had been active for the configured cycle period. */
    CYCLE,
    /**
     * A device of the active group reached the temperature threshold (fixed groups), or devices reached
     * their rest temperature or cooled enough to work again (thermal budget).
     */
    TEMPERATURE,
    /** A device of the active group reported that it throttles (thermal budget: a device rests because it does). */
    THROTTLING,
    /** No device of the active group could take work (all taken out after errors). */
    FAILURE,
    /** Devices were added or removed, so the groups were formed anew. */
    DEVICES_CHANGED
}
