package dev.juggler.accel;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a device reports about its condition. Immutable and thread-safe.
 *
 * @param temperatureCelsius the device temperature, when it has a sensor
 * @param throttling {@code true} if the device reports that it is slowing itself down
 * @param at when this was read
 */
public record DeviceHealth(OptionalDouble temperatureCelsius, boolean throttling, Instant at) {
    public DeviceHealth {
        Objects.requireNonNull(temperatureCelsius, "temperatureCelsius");
        Objects.requireNonNull(at, "at");
    }
}
