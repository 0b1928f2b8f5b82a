package dev.juggler.accel;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link AcceleratorPool} changed its active devices: another device group became active (fixed
 * groups), or some devices started or stopped resting ({@link ThermalBudgetRotation}: group 0 to group 0,
 * the devices differ). Requests already running on the old devices finish there; new requests go to the
 * new ones. Immutable and thread-safe.
 *
 * @param at when the switch happened (the pool's clock)
 * @param reason why
 * @param detail a human-readable cause, e.g. {@code "ncs1 at 65.3 °C >= threshold 65.0 °C"}
 * @param fromGroup index of the group that was active
 * @param fromDevices names of the devices that were active
 * @param toGroup index of the group now active
 * @param toDevices names of the devices now active
 * @param temperatures the last temperature seen for every device that reports one, by device name
 * @param activeFor how long the old devices had been active
 */
public record GroupSwitch(Instant at, SwitchReason reason, String detail, int fromGroup, List<String> fromDevices,
        int toGroup, List<String> toDevices, Map<String, Double> temperatures, Duration activeFor) {
    public GroupSwitch {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(activeFor, "activeFor");
        fromDevices = List.copyOf(fromDevices);
        toDevices = List.copyOf(toDevices);
        temperatures = Map.copyOf(temperatures);
    }
}
