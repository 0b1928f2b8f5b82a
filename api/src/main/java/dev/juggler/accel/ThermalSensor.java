package dev.juggler.accel;

import java.util.List;

/**
 * Something that can tell how hot one or more devices are: the Linux thermal zones, {@code nvidia-smi},
 * an inference stick's own metric. An {@link Accelerator} can use a sensor to answer
 * {@link Accelerator#health()}, and a host can poll one to watch a rack.
 *
 * <p>Implementations must be safe to call from several threads; a read may block briefly (a file read,
 * a short external command) and should not be called on a latency-critical path more often than the
 * temperature can change (about once a second is plenty).
 */
public interface ThermalSensor {

    /** A short name for logs, e.g. {@code linux-thermal} or {@code nvidia-smi}. */
    String name();

    /**
     * Reads every source this sensor knows, in a stable order.
     *
     * @return the readings; empty if the sensor has no source right now
     * @throws dev.juggler.JugglerException if the sensor cannot be read (transient if it may recover)
     */
    List<ThermalReading> read();
}
