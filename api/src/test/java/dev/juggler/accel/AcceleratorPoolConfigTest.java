package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcceleratorPoolConfigTest {

    private static AcceleratorPool.Builder<Integer, Integer> withDevices(int n) {
        List<ScriptedDevice> devices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            devices.add(new ScriptedDevice("d" + i));
        }
        return AcceleratorPool.<Integer, Integer>builder().devices(devices);
    }

    private static String rejected(Runnable build) {
        return assertThrows(InvalidConfigException.class, build::run).getMessage();
    }

    @Test
    void groupLargerThanHalfTheDevicesIsRejectedNamingValueAndRule() {
        String message = rejected(() -> withDevices(5).groupSize(3).cyclePeriod(Duration.ofSeconds(1)).build());
        assertTrue(message.startsWith("groupSize = 3: "), message);
        assertTrue(message.contains("n/2 = 2") && message.contains("n = 5"), message);
    }

    @Test
    void groupSmallerThanOneIsRejected() {
        String message = rejected(() -> withDevices(4).groupSize(0));
        assertTrue(message.startsWith("groupSize = 0: must be >= 1"), message);
    }

    @Test
    void thresholdAtOrBelowAmbientIsRejected() {
        String message = rejected(() -> withDevices(4).groupSize(2).ambientTemperature(30).temperatureThreshold(30).build());
        assertTrue(message.startsWith("temperatureThreshold = 30.0: must be above the ambient temperature 30.0"), message);
        String below = rejected(() -> withDevices(4).groupSize(2).temperatureThreshold(20).build());
        assertTrue(below.contains("25.0"), below);
    }

    @Test
    void groupingWithoutRuleAndRuleWithoutGroupingAreRejected() {
        assertTrue(rejected(() -> withDevices(4).groupSize(2).build()).contains("needs a rotation rule"));
        assertTrue(rejected(() -> withDevices(4).cyclePeriod(Duration.ofSeconds(1)).build()).startsWith("groupSize = unset"));
    }

    @Test
    void otherBadValuesAreRejected() {
        assertTrue(rejected(() -> withDevices(0).build()).startsWith("devices = []"));
        assertTrue(rejected(() -> AcceleratorPool.<Integer, Integer>builder()
                .device(new ScriptedDevice("a")).device(new ScriptedDevice("a")).build()).contains("unique"));
        assertTrue(rejected(() -> withDevices(2).cyclePeriod(Duration.ZERO)).startsWith("cyclePeriod = PT0S"));
        assertTrue(rejected(() -> withDevices(2).temperatureThreshold(Double.NaN)).startsWith("temperatureThreshold = NaN"));
        assertTrue(rejected(() -> withDevices(2).ambientTemperature(200)).startsWith("ambientTemperature = 200.0"));
        assertTrue(rejected(() -> withDevices(2).maxAttempts(0)).startsWith("maxAttempts = 0"));
        assertTrue(rejected(() -> withDevices(2).failureThreshold(0)).startsWith("failureThreshold = 0"));
        assertTrue(rejected(() -> withDevices(2).probeAfter(Duration.ofSeconds(-1))).startsWith("probeAfter = PT-1S"));
    }

    @Test
    void validGroupingBuildsTheDocumentedGroups() {
        try (AcceleratorPool<Integer, Integer> pool = withDevices(5).groupSize(2).cyclePeriod(Duration.ofSeconds(1)).build()) {
            assertEquals(List.of(List.of("d0", "d1"), List.of("d2", "d3"), List.of("d4", "d0"), List.of("d1", "d2"),
                    List.of("d3", "d4")), pool.groups());
        }
        try (AcceleratorPool<Integer, Integer> pool = withDevices(4).groupSize(2).temperatureThreshold(65).build()) {
            assertEquals(List.of(List.of("d0", "d1"), List.of("d2", "d3")), pool.groups());
        }
        try (AcceleratorPool<Integer, Integer> pool = withDevices(3).build()) {
            assertEquals(List.of(List.of("d0", "d1", "d2")), pool.groups());
        }
    }

    @Test
    void aRotationPolicyCannotBeCombinedWithTheFixedGroupShorthand() {
        String message = rejected(() -> withDevices(4).rotation(ThermalBudgetRotation.below(65)).groupSize(2).build());
        assertTrue(message.startsWith("rotation = ThermalBudgetRotation[") && message.contains("FixedGroupRotation"), message);
        assertTrue(rejected(() -> withDevices(4).rotation(null)).startsWith("rotation = null"));
        try (AcceleratorPool<Integer, Integer> pool = withDevices(4).ambientTemperature(20)
                .rotation(FixedGroupRotation.builder().groupSize(2).temperatureThreshold(60).build()).build()) {
            assertEquals(List.of(List.of("d0", "d1"), List.of("d2", "d3")), pool.groups(), "ambient alone is no rule");
        }
        String tooBig = rejected(() -> withDevices(5)
                .rotation(FixedGroupRotation.builder().groupSize(3).temperatureThreshold(60).build()).build());
        assertTrue(tooBig.startsWith("groupSize = 3: must be between 1 and n/2 = 2"), tooBig);
    }

    @Test
    void aConfigObjectCarriesItsSettingsToThePoolAndSettersAfterItChangeSingleValues() {
        ThermalBudgetRotation budget = ThermalBudgetRotation.below(65);
        AcceleratorPoolConfig config = AcceleratorPoolConfig.builder().name("sticks").rotation(budget)
                .healthPollInterval(Duration.ofMillis(250)).maxAttempts(2).closeDevicesOnClose(true).build();
        try (AcceleratorPool<Integer, Integer> pool = withDevices(3).config(config).build()) {
            assertEquals("sticks", pool.name());
            assertSame(budget, pool.config().rotation());
            assertEquals(Duration.ofMillis(250), pool.config().healthPollInterval());
            assertEquals(2, pool.config().maxAttempts());
            assertEquals(List.of(List.of("d0", "d1", "d2")), pool.groups());
        }
        try (AcceleratorPool<Integer, Integer> pool = withDevices(3).config(config).name("other").maxAttempts(4).build()) {
            assertEquals("other", pool.name());
            assertEquals(4, pool.config().maxAttempts());
            assertSame(budget, pool.config().rotation());
            assertTrue(pool.config().closeDevicesOnClose());
        }
        assertSame(RotationPolicy.none(), AcceleratorPoolConfig.DEFAULTS.rotation());
        assertEquals(AcceleratorPool.DEFAULT_MAX_ATTEMPTS, AcceleratorPoolConfig.DEFAULTS.maxAttempts());
        assertEquals("sticks", config.toBuilder().build().name());
        assertTrue(rejected(() -> AcceleratorPoolConfig.builder().rotation(null)).startsWith("rotation = null"));
        assertTrue(rejected(() -> withDevices(2).config(null)).startsWith("config = null"));
    }
}
