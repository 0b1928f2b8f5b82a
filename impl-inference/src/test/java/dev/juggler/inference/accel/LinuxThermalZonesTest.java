package dev.juggler.inference.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.accel.ThermalReading;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads a fake {@code /sys/class/thermal} laid out like a laptop's. */
class LinuxThermalZonesTest {

    private static final Instant AT = Instant.parse("2024-01-01T00:00:00Z");

    @TempDir
    Path sys;

    private void zone(int n, String type, String temp, String mode, String... trips) throws IOException {
        Path zone = Files.createDirectories(sys.resolve("thermal_zone" + n));
        Files.writeString(zone.resolve("type"), type + "\n");
        if (temp != null) {
            Files.writeString(zone.resolve("temp"), temp + "\n");
        }
        if (mode != null) {
            Files.writeString(zone.resolve("mode"), mode + "\n");
        }
        for (int i = 0; i < trips.length; i += 2) {
            Files.writeString(zone.resolve("trip_point_" + (i / 2) + "_type"), trips[i] + "\n");
            Files.writeString(zone.resolve("trip_point_" + (i / 2) + "_temp"), trips[i + 1] + "\n");
        }
    }

    private LinuxThermalZones sensor() {
        return LinuxThermalZones.of(sys, t -> true, Clock.fixed(AT, ZoneOffset.UTC));
    }

    @Test
    void readsZonesInNumericOrderWithPassiveTripThrottling() throws IOException {
        zone(10, "iwlwifi_1", "41000", "enabled");
        zone(2, "x86_pkg_temp", "87500", "enabled", "passive", "85000", "critical", "105000");
        zone(0, "acpitz", "27800", null, "critical", "119000");
        zone(1, "INT3400 Thermal", null, "enabled");
        zone(3, "B0D4", "51000", "disabled");
        Files.createDirectories(sys.resolve("cooling_device0"));
        assertEquals(List.of(
                new ThermalReading("thermal_zone0/acpitz", 27.8, false, AT),
                new ThermalReading("thermal_zone2/x86_pkg_temp", 87.5, true, AT),
                new ThermalReading("thermal_zone10/iwlwifi_1", 41.0, false, AT)), sensor().read());
    }

    @Test
    void filtersByTypeAndFeedsAnAcceleratorsHealth() throws IOException {
        zone(0, "acpitz", "30000", null);
        zone(1, "x86_pkg_temp", "66000", null, "passive", "0");
        LinuxThermalZones pkg = LinuxThermalZones.of(sys, "x86_pkg_temp"::equals, Clock.fixed(AT, ZoneOffset.UTC));
        assertEquals(List.of(new ThermalReading("thermal_zone1/x86_pkg_temp", 66.0, false, AT)), pkg.read());
        Accelerator<Integer, Integer> cpu = new Accelerator<>() {
            @Override
            public String name() {
                return "cpu";
            }

            @Override
            public int maxBatchSize() {
                return 8;
            }

            @Override
            public List<Integer> infer(List<Integer> batch) {
                return batch;
            }

            @Override
            public void close() {
            }
        };
        Accelerator<Integer, Integer> measured = SensorAccelerators.withSensor(cpu, pkg, "thermal_zone1/x86_pkg_temp");
        assertEquals(66.0, measured.health().orElseThrow().temperatureCelsius().getAsDouble());
        assertEquals(List.of(1), measured.infer(List.of(1)));
        assertTrue(SensorAccelerators.withSensor(cpu, pkg, "gpu9").health().isEmpty());
    }

    @Test
    void missingDirectoryIsAPermanentError() {
        JugglerException e = assertThrows(JugglerException.class,
                () -> LinuxThermalZones.of(sys.resolve("absent"), t -> true, Clock.systemUTC()).read());
        assertTrue(e.getMessage().contains("cannot list thermal zones"), e.getMessage());
    }

    @Test
    void readsThisMachinesZonesWhenThereAreAny() {
        assumeTrue(Files.isDirectory(LinuxThermalZones.SYSFS_ROOT), "no /sys/class/thermal on this machine");
        for (ThermalReading r : LinuxThermalZones.system().read()) {
            assertTrue(r.temperatureCelsius() > -60 && r.temperatureCelsius() < 150, r.toString());
        }
    }
}
