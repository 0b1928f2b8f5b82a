package dev.juggler.inference.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.AcceleratorPool;
import dev.juggler.accel.DeviceHealth;
import dev.juggler.accel.GroupSwitch;
import dev.juggler.accel.AcceleratorPoolListener;
import dev.juggler.accel.SwitchReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BridgeStickTest {

    private static final BridgeStick.LineCodec<String, String> TEXT = new BridgeStick.LineCodec<>() {
        @Override
        public String encode(String input) {
            return input;
        }

        @Override
        public String decode(String line) {
            return line;
        }
    };

    /** Starts the stand-in bridge in a JVM of its own, from this test's class path. */
    static List<String> fakeBridge(String... options) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                FakeBridgeMain.class.getName()));
        command.addAll(List.of(options));
        return command;
    }

    private static BridgeStick<String, String> stick(String name, String... options) {
        return BridgeStick.builder(fakeBridge(options), TEXT).name(name).model("/models/pose.xml")
                .loadTimeout(Duration.ofSeconds(20)).requestTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void loadsInfersReportsTemperatureAndCloses() {
        BridgeStick<String, String> stick = stick("ncs0", "--temp", "41", "--step", "1", "--max-batch", "3");
        try (stick) {
            assertEquals(3, stick.maxBatchSize());
            assertEquals("fake-bridge java", stick.bridgeDescription());
            assertEquals(List.of("cba", "fed"), stick.infer(List.of("abc", "def")));
            DeviceHealth health = stick.health().orElseThrow();
            assertEquals(43.0, health.temperatureCelsius().getAsDouble(), 1e-9);
            assertFalse(health.throttling());
            JugglerException tooBig = assertThrows(JugglerException.class, () -> stick.infer(List.of("a", "b", "c", "d")));
            assertFalse(tooBig.isTransient());
            JugglerException refused = assertThrows(JugglerException.class, () -> stick.infer(List.of("poison")));
            assertFalse(refused.isTransient());
            assertTrue(refused.getMessage().contains("cannot decode input"), refused.getMessage());
            assertEquals(List.of("ko"), stick.infer(List.of("ok")), "a refused batch leaves the bridge usable");
            assertEquals(1, stick.bridgeStarts());
        }
        stick.close();
        assertThrows(IllegalStateException.class, () -> stick.infer(List.of("x")));
    }

    @Test
    void crashedBridgeIsReportedTransientAndRestartedOnTheNextCall() {
        try (BridgeStick<String, String> stick = stick("ncs1", "--crash-after", "2")) {
            assertEquals(List.of("1"), stick.infer(List.of("1")));
            JugglerException e = assertThrows(JugglerException.class, () -> stick.infer(List.of("2")));
            assertTrue(e.isTransient());
            assertTrue(e.getMessage().contains("bridge exited"), e.getMessage());
            assertEquals(List.of("3"), stick.infer(List.of("3")));
            assertEquals(2, stick.bridgeStarts());
        }
    }

    @Test
    void silentBridgeTimesOutAndIsKilled() {
        try (BridgeStick<String, String> stick = BridgeStick.builder(fakeBridge("--hang-after", "1"), TEXT).name("ncs2")
                .model("m.xml").loadTimeout(Duration.ofSeconds(20)).requestTimeout(Duration.ofMillis(300)).build()) {
            JugglerException e = assertThrows(JugglerException.class, () -> stick.infer(List.of("x")));
            assertTrue(e.isTransient());
            assertTrue(e.getMessage().contains("no answer to 'infer' within PT0.3S"), e.getMessage());
        }
    }

    @Test
    void refusedModelAndWrongProtocolFailTheBuild() {
        JugglerException missing = assertThrows(JugglerException.class, () -> BridgeStick.builder(fakeBridge(), TEXT)
                .model("/models/missing.xml").loadTimeout(Duration.ofSeconds(20)).build());
        assertTrue(missing.getMessage().contains("model not found: /models/missing.xml"), missing.getMessage());
        JugglerException version = assertThrows(JugglerException.class, () -> BridgeStick.builder(
                fakeBridge("--greeting", "ready 2 future"), TEXT).model("m.xml").loadTimeout(Duration.ofSeconds(20)).build());
        assertTrue(version.getMessage().contains("protocol version 1"), version.getMessage());
        JugglerException absent = assertThrows(JugglerException.class,
                () -> BridgeStick.builder(List.of("/nonexistent/bridge"), TEXT).model("m.xml").build());
        assertFalse(absent.isTransient());
        assertTrue(assertThrows(InvalidConfigException.class, () -> BridgeStick.builder(List.of("x"), TEXT).build())
                .getMessage().startsWith("model = null"));
        assertThrows(InvalidConfigException.class, () -> BridgeStick.builder(List.of("x"), TEXT).device("MY RIAD"));
    }

    @Test
    void poolOfSticksRotatesOnTheTemperatureTheBridgesReport() {
        List<GroupSwitch> switches = new CopyOnWriteArrayList<>();
        try (BridgeStick<String, String> a = stick("ncs-a", "--temp", "50", "--step", "2");
                BridgeStick<String, String> b = stick("ncs-b", "--temp", "40", "--step", "2");
                AcceleratorPool<String, String> pool = AcceleratorPool.<String, String>builder().device(a).device(b)
                        .groupSize(1).temperatureThreshold(60).healthPollInterval(Duration.ZERO)
                        .listener(new AcceleratorPoolListener() {
                            @Override
                            public void onSwitch(GroupSwitch event) {
                                switches.add(event);
                            }
                        }).build()) {
            for (int i = 0; i < 8; i++) {
                assertEquals(List.of("ba"), pool.infer(List.of("ab")));
            }
            assertFalse(switches.isEmpty());
            GroupSwitch first = switches.get(0);
            assertEquals(SwitchReason.TEMPERATURE, first.reason());
            assertEquals(List.of("ncs-a"), first.fromDevices());
            assertTrue(first.temperatures().get("ncs-a") >= 60, first.toString());
        }
    }
}
