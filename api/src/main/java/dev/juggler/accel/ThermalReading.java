package dev.juggler.accel;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One temperature read from one sensor (a thermal zone, a GPU, a stick). Immutable and thread-safe.
 *
 * @param source what was measured, e.g. {@code thermal_zone0/x86_pkg_temp} or {@code gpu1}
 * @param temperatureCelsius the temperature in degrees Celsius
 * @param throttling {@code true} if the source reports that it is slowing down because of heat or power
 * @param at when the value was read
 */
public record ThermalReading(String source, double temperatureCelsius, boolean throttling, Instant at) {
    public ThermalReading {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
        if (!Double.isFinite(temperatureCelsius)) {
            throw new IllegalArgumentException("temperatureCelsius = " + temperatureCelsius + ": must be finite");
        }
    }

    /** The same information in the form an {@link Accelerator} reports it. */
    public DeviceHealth toHealth() {
        return new DeviceHealth(OptionalDouble.of(temperatureCelsius), throttling, at);
    }
}
