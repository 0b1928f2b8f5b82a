package dev.juggler.inference.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.ThermalReading;
import dev.juggler.inference.accel.internal.NvidiaSmiCsv;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nvidia-smi parser against outputs recorded in {@code src/test/resources/nvidia-smi}. */
class NvidiaSmiSensorTest {

    private static final Instant AT = Instant.parse("2024-01-01T00:00:00Z");
    private static final List<String> FIELDS = NvidiaSmiSensor.DEFAULT_FIELDS;

    @TempDir
    Path dir;

    private static String fixture(String name) throws IOException {
        try (InputStream in = NvidiaSmiSensorTest.class.getResourceAsStream("/nvidia-smi/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void idleGpusAreNotThrottling() throws IOException {
        List<ThermalReading> r = NvidiaSmiCsv.parse(FIELDS, fixture("two-gpus-idle.csv"), AT);
        assertEquals(List.of(new ThermalReading("gpu0", 34, false, AT), new ThermalReading("gpu1", 31, false, AT)), r);
    }

    @Test
    void thermalAndPowerReasonsAreThrottlingButAppClocksAreNot() throws IOException {
        List<ThermalReading> r = NvidiaSmiCsv.parse(FIELDS, fixture("four-gpus-hot.csv"), AT);
        assertEquals(4, r.size());
        assertEquals(new ThermalReading("gpu0", 83, true, AT), r.get(0), "SW thermal slowdown 0x20");
        assertEquals(new ThermalReading("gpu1", 76, true, AT), r.get(1), "SW power cap 0x4");
        assertEquals(new ThermalReading("gpu2", 64, false, AT), r.get(2), "applications clocks 0x2");
        assertEquals(new ThermalReading("gpu3", 88, true, AT), r.get(3), "HW slowdown + HW thermal 0x48");
    }

    @Test
    void unsupportedValuesAndExtraFieldsAreHandled() throws IOException {
        List<String> fields = List.of("index", "name", "temperature.gpu", "clocks_event_reasons.active");
        List<ThermalReading> r = NvidiaSmiCsv.parse(fields, fixture("mixed-with-names.csv"), AT);
        assertEquals(List.of(new ThermalReading("gpu0", 45, false, AT), new ThermalReading("gpu2", 71, true, AT)), r,
                "gpu1 has no temperature; gpu0's reasons are not supported");
    }

    @Test
    void malformedOutputIsAPermanentErrorNamingTheLine() {
        JugglerException columns = assertThrows(JugglerException.class, () -> NvidiaSmiCsv.parse(FIELDS, "0, 45\n", AT));
        assertTrue(columns.getMessage().contains("line 1 has 2 values, expected 3"), columns.getMessage());
        JugglerException number = assertThrows(JugglerException.class,
                () -> NvidiaSmiCsv.parse(FIELDS, "0, 45, 0x0\n1, hot, 0x0\n", AT));
        assertTrue(number.getMessage().contains("line 2: temperature 'hot'"), number.getMessage());
        assertFalse(number.isTransient());
    }

    @Test
    void sensorRunsTheCommandAndParsesItsOutput() throws IOException {
        Path recorded = dir.resolve("out.csv");
        Files.writeString(recorded, fixture("four-gpus-hot.csv"));
        NvidiaSmiSensor sensor = NvidiaSmiSensor.replaying(List.of("cat", recorded.toString()), FIELDS,
                Clock.fixed(AT, ZoneOffset.UTC));
        assertEquals(4, sensor.read().size());
    }

    @Test
    void failingNvidiaSmiIsTransientAndMissingOneIsPermanent() throws IOException {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\ncat \"" + fixturePath("driver-not-loaded.txt") + "\"\nexit 9\n");
        script.toFile().setExecutable(true);
        NvidiaSmiSensor failing = NvidiaSmiSensor.of(List.of(script.toString()), FIELDS, Duration.ofSeconds(5), Clock.systemUTC());
        JugglerException e = assertThrows(JugglerException.class, failing::read);
        assertTrue(e.isTransient());
        assertTrue(e.getMessage().contains("exited with 9: NVIDIA-SMI has failed"), e.getMessage());
        assertTrue(failing.command().contains("--format=csv,noheader,nounits"));
        assertTrue(failing.command().contains("--query-gpu=index,temperature.gpu,clocks_throttle_reasons.active"));
        JugglerException absent = assertThrows(JugglerException.class, () -> NvidiaSmiSensor.of(
                List.of(dir.resolve("none").toString()), FIELDS, Duration.ofSeconds(1), Clock.systemUTC()).read());
        assertFalse(absent.isTransient());
        assertThrows(InvalidConfigException.class, () -> NvidiaSmiSensor.of(List.of("x"), List.of("index"),
                Duration.ofSeconds(1), Clock.systemUTC()));
    }

    private Path fixturePath(String name) throws IOException {
        Path copy = dir.resolve(name);
        Files.writeString(copy, fixture(name));
        return copy;
    }
}
