package dev.juggler.samples.console;

import java.time.Duration;
import java.util.Locale;

/** Numbers for people: sizes in decimal units, rough durations, grouped counts. Stateless; thread-safe. */
public final class Human {

    private Human() {
    }

    /** {@code 1.2 GB} (decimal units, as the config's budgets). */
    public static String bytes(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** {@code 3d4h}, {@code 2h5m}, {@code 12m5s}, {@code 40s}. */
    public static String duration(Duration duration) {
        Duration d = Duration.ofSeconds(Math.max(0, duration.getSeconds()));
        if (d.toDays() > 0) {
            return d.toDays() + "d" + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + d.toSecondsPart() + "s" : d.getSeconds() + "s";
    }

    /** {@code 12,345,678}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
