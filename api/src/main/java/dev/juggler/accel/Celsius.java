package dev.juggler.accel;

import dev.juggler.InvalidConfigException;

/** The temperature checks the rotation policies' builders share. Stateless; thread-safe. */
final class Celsius {

    private Celsius() {
    }

    /** A temperature setting: any finite value. */
    static double finite(String field, double celsius) {
        if (!Double.isFinite(celsius)) {
            throw InvalidConfigException.of(field, celsius, "must be a finite temperature in °C");
        }
        return celsius;
    }

    /** The ambient temperature the devices cool towards: -50..80 °C. */
    static double ambient(double celsius) {
        if (!Double.isFinite(celsius) || celsius < -50 || celsius > 80) {
            throw InvalidConfigException.of("ambientTemperature", celsius, "must be in -50..80 °C");
        }
        return celsius;
    }
}
