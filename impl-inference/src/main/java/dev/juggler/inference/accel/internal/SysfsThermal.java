package dev.juggler.inference.accel.internal;

import dev.juggler.accel.ThermalReading;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads the kernel's thermal zones from a sysfs directory ({@code /sys/class/thermal} or a copy in
 * tests): each {@code thermal_zoneN} has {@code type} (e.g. {@code x86_pkg_temp}), {@code temp} in
 * millidegrees Celsius, optionally {@code mode} ({@code enabled}/{@code disabled}) and trip points
 * {@code trip_point_M_type}/{@code trip_point_M_temp}. A zone counts as throttling when its temperature
 * is at or above one of its {@code passive} trip points (where the kernel starts to slow the CPU down).
 * Zones that are disabled or whose {@code temp} cannot be read (some drivers fail with ENODATA) are left
 * out. Internal; stateless and thread-safe.
 */
public final class SysfsThermal {

    private SysfsThermal() {
    }

    /**
     * @param root the directory holding the {@code thermal_zoneN} entries
     * @param wanted which zone types to read
     * @param at the instant of the read
     * @throws IOException if the root cannot be listed
     */
    public static List<ThermalReading> read(Path root, Predicate<String> wanted, Instant at) throws IOException {
        List<Path> zones = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, "thermal_zone*")) {
            entries.forEach(zones::add);
        }
        zones.sort((a, b) -> Integer.compare(number(a), number(b)));
        List<ThermalReading> readings = new ArrayList<>();
        for (Path zone : zones) {
            String type = readLine(zone.resolve("type"));
            if (type == null) {
                type = "unknown";
            }
            if (!wanted.test(type) || "disabled".equals(readLine(zone.resolve("mode")))) {
                continue;
            }
            Long milli = readLong(zone.resolve("temp"));
            if (milli == null) {
                continue;
            }
            boolean throttling = false;
            for (int trip = 0; trip < 64; trip++) {
                String tripType = readLine(zone.resolve("trip_point_" + trip + "_type"));
                if (tripType == null) {
                    break;
                }
                Long tripTemp = readLong(zone.resolve("trip_point_" + trip + "_temp"));
                if ("passive".equals(tripType) && tripTemp != null && tripTemp > 0 && milli >= tripTemp) {
                    throttling = true;
                }
            }
            readings.add(new ThermalReading(zone.getFileName() + "/" + type, milli / 1000.0, throttling, at));
        }
        return readings;
    }

    private static int number(Path zone) {
        String name = zone.getFileName().toString().substring("thermal_zone".length());
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static String readLine(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Long readLong(Path file) {
        String text = readLine(file);
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
