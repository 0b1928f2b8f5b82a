package dev.juggler.inference.accel;

import dev.juggler.accel.Accelerator;
import dev.juggler.accel.DeviceHealth;
import dev.juggler.accel.ThermalReading;
import dev.juggler.accel.ThermalSensor;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Gives an accelerator that cannot measure itself (a GPU behind DJL, a CPU) the health a
 * {@link ThermalSensor} reads, so that an {@link dev.juggler.accel.AcceleratorPool} can rotate on it.
 * Stateless; the returned accelerators are as thread-safe as the device and the sensor.
 */
public final class SensorAccelerators {

    private SensorAccelerators() {
    }

    /**
     * @param device the accelerator; {@code infer}, {@code name}, {@code maxBatchSize} and {@code close} pass through
     * @param sensor where its temperature comes from
     * @param source the reading that belongs to this device, e.g. {@code gpu1} or {@code thermal_zone2/x86_pkg_temp}
     * @return an accelerator whose {@link Accelerator#health()} is that reading (empty if the sensor
     *     fails or has no such source)
     */
    public static <I, O> Accelerator<I, O> withSensor(Accelerator<I, O> device, ThermalSensor sensor, String source) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(sensor, "sensor");
        Objects.requireNonNull(source, "source");
        return new Accelerator<>() {
            @Override
            public String name() {
                return device.name();
            }

            @Override
            public int maxBatchSize() {
                return device.maxBatchSize();
            }

            @Override
            public List<O> infer(List<I> batch) {
                return device.infer(batch);
            }

            @Override
            public Optional<DeviceHealth> health() {
                List<ThermalReading> readings = sensor.read();
                return readings.stream().filter(r -> r.source().equals(source)).findFirst().map(ThermalReading::toHealth);
            }

            @Override
            public void close() {
                device.close();
            }

            @Override
            public String toString() {
                return device.name() + " with " + sensor.name() + ":" + source;
            }
        };
    }
}
