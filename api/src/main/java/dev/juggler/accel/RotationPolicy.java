package dev.juggler.accel;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which devices of an {@link AcceleratorPool} receive new batches, and when that changes: the
 * pool's rotation seam. The pool does the dispatching (least-loaded among the active devices), the device
 * health (failures, trial batches) and the health polling; the policy only says which devices are active.
 *
 * <p>Two policies ship with the SDK:
 * <ul>
 *   <li>{@link FixedGroupRotation}: fixed groups of {@code k} devices take turns, on a cycle, a temperature
 *       threshold or throttling (the field-proven approach; also {@link #none()}, all devices always);</li>
 *   <li>{@link ThermalBudgetRotation}: every device works while it is below a temperature just under the
 *       threshold and rests until it has cooled a little, so all devices duty-cycle near the limit.</li>
 * </ul>
 *
 * <p>A policy is immutable configuration and thread-safe; {@link #start} makes one {@link Schedule} per
 * pool. A schedule is mutable and <em>not</em> thread-safe: the pool calls it only under its own lock.
 * A schedule is pure: time, device names and readings come in as arguments; it reads no clock, does no
 * I/O, owns no thread and never calls back into the pool, so it can be unit-tested with plain values.
 *
 * <p>Devices are named by their <em>position</em> in the pool's device order (0-based), the order in
 * which they were added; positions shift when a device is removed, and the pool then calls
 * {@link Schedule#devicesChanged}.
 */
public interface RotationPolicy {

    /** All devices work all the time; nothing rotates and no health is read. The pool's default. */
    static RotationPolicy none() {
        return FixedGroupRotation.NONE;
    }

    /**
     * Checks that the policy fits a pool of this many devices.
     *
     * @throws dev.juggler.InvalidConfigException naming the setting and the rule it breaks
     */
    void check(int deviceCount);

    /** Whether the pool must read the devices' {@link Accelerator#health()} for this policy. */
    boolean readsHealth();

    /**
     * How often a host scheduler (see {@link AcceleratorPool.Builder#scheduler}) should re-evaluate an
     * idle pool, given the pool's health poll interval. Default: the health poll interval.
     */
    default Duration idleCheckInterval(Duration healthPollInterval) {
        return healthPollInterval;
    }

    /**
     * Starts the schedule of one pool.
     *
     * @param devices the device names in pool order (never empty)
     * @param now the pool's clock at the start
     */
    Schedule start(List<String> devices, Instant now);

    /** Why the pool asks a schedule to re-evaluate. Immutable and thread-safe. */
    enum Trigger {
        /** Fresh health readings of every device have just been taken. */
        READINGS,
        /** A batch arrives or the host scheduler ticks; readings are not newer than at the last call. */
        TICK,
        /**
         * No active device can take the batch at hand (all out of service, or already tried for it):
         * the schedule should activate devices that {@link Devices#canWork can}, or return empty.
         */
        NO_DEVICE
    }

    /**
     * The pool's devices as a schedule sees them during one call, by position. Valid only during that
     * call; not thread-safe.
     */
    interface Devices {
        /** The number of devices. */
        int size();

        /** The device's name. */
        String name(int position);

        /** The last temperature read, °C, or {@code NaN} if the device reported none. */
        double temperature(int position);

        /** Whether the device reported throttling at the last read. */
        boolean throttling(int position);

        /**
         * Whether the device could take a batch now: in service (or due for its trial batch) and, for
         * {@link Trigger#NO_DEVICE}, not yet tried for the batch at hand.
         */
        boolean canWork(int position);
    }

    /**
     * A change of the active devices made by {@link Schedule#evaluate}. Immutable and thread-safe.
     *
     * @param reason why
     * @param detail a human-readable cause, e.g. {@code "device ncs1 at 65.3 °C >= threshold 65.0 °C"}
     * @param fromGroup the group index that was active
     * @param fromDevices the positions of the devices that were active
     * @param toGroup the group index now active
     * @param toDevices the positions of the devices now active
     * @param activeFor how long the previous devices had been active
     */
    record Change(SwitchReason reason, String detail, int fromGroup, List<Integer> fromDevices, int toGroup,
            List<Integer> toDevices, Duration activeFor) {
        public Change {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(activeFor, "activeFor");
            fromDevices = List.copyOf(fromDevices);
            toDevices = List.copyOf(toDevices);
        }
    }

    /**
     * The rotation state of one pool. Mutable, not thread-safe (the pool calls it under its lock), pure
     * (see {@link RotationPolicy}). Calls are cheap on the {@link Trigger#TICK} path: the pool makes one
     * for every batch.
     */
    interface Schedule {

        /** The groups by index, as device positions; one group of all devices if the policy has none. */
        List<List<Integer>> groups();

        /** The index of the active group in {@link #groups()}. */
        int activeGroup();

        /** The positions of the devices that receive new batches, never empty. The same list until a change. */
        List<Integer> active();

        /** When the active devices last changed (or the schedule started). */
        Instant activeSince();

        /**
         * Applies the policy's rules and changes the active devices if they say so.
         *
         * @return the change made, or empty if the active devices stay
         */
        Optional<Change> evaluate(Instant now, Trigger trigger, Devices devices);

        /**
         * The pool's device list changed (a device was added or removed): form the groups anew. Makes no
         * {@link Change}: the pool compares {@link #active()} before and after and reports
         * {@link SwitchReason#DEVICES_CHANGED} itself.
         */
        void devicesChanged(List<String> devices, Instant now);
    }
}
