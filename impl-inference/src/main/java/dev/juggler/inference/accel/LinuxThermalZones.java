package dev.juggler.inference.accel;

import dev.juggler.JugglerException;
import dev.juggler.accel.ThermalReading;
import dev.juggler.accel.ThermalSensor;
import dev.juggler.inference.accel.internal.SysfsThermal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The Linux kernel's thermal zones ({@code /sys/class/thermal/thermal_zoneN}) as a {@link ThermalSensor}.
 * Each reading's source is {@code thermal_zoneN/<type>}, e.g. {@code thermal_zone2/x86_pkg_temp}; its
 * temperature is the zone's {@code temp} (millidegrees in the file); it is throttling when the
 * temperature is at or above one of the zone's {@code passive} trip points. Disabled and unreadable zones
 * are left out.
 *
 * <p>Immutable and thread-safe; every {@link #read()} reads the files afresh (a few small file reads).
 */
public final class LinuxThermalZones implements ThermalSensor {

    /** Where the kernel publishes its thermal zones. */
    public static final Path SYSFS_ROOT = Path.of("/sys/class/thermal");

    private final Path root;
    private final Predicate<String> types;
    private final Clock clock;

    private LinuxThermalZones(Path root, Predicate<String> types, Clock clock) {
        this.root = Objects.requireNonNull(root, "root");
        this.types = Objects.requireNonNull(types, "types");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** All zones of this machine. */
    public static LinuxThermalZones system() {
        return new LinuxThermalZones(SYSFS_ROOT, type -> true, Clock.systemUTC());
    }

    /**
     * The zones under {@code root} (a copy of {@code /sys/class/thermal} in tests) whose type passes
     * {@code types}, e.g. {@code t -> t.equals("x86_pkg_temp")}, stamped with {@code clock}.
     */
    public static LinuxThermalZones of(Path root, Predicate<String> types, Clock clock) {
        return new LinuxThermalZones(root, types, clock);
    }

    @Override
    public String name() {
        return "linux-thermal:" + root;
    }

    /** @throws JugglerException (permanent) if the directory cannot be listed, e.g. not Linux or no sysfs */
    @Override
    public List<ThermalReading> read() {
        try {
            return SysfsThermal.read(root, types, clock.instant());
        } catch (IOException e) {
            throw JugglerException.permanentFailure("cannot list thermal zones in " + root + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "LinuxThermalZones[" + root + "]";
    }
}
