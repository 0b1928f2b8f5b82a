package dev.juggler.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedDeviceTest {

    private final VirtualTime time = new VirtualTime(Instant.parse("2024-01-01T00:00:00Z"));

    @Test
    void coolsTowardAmbientByNewtonsLaw() {
        SimulatedDevice<Integer, Integer> d = SimulatedDevice.builder("ncs").virtualTime(time).initialCelsius(65)
                .thermalTimeConstant(Duration.ofSeconds(60)).build(x -> x);
        time.advance(Duration.ofSeconds(60));
        assertEquals(25 + 40 * Math.exp(-1), d.temperatureCelsius(), 1e-9);
        time.advance(Duration.ofHours(1));
        assertEquals(25, d.temperatureCelsius(), 1e-6);
    }

    @Test
    void heatsWhileWorkingTowardItsEquilibrium() {
        SimulatedDevice<Integer, Integer> d = SimulatedDevice.builder("ncs").virtualTime(time).build(x -> x + 1);
        assertEquals(List.of(2), d.infer(List.of(1)));
        assertEquals(Duration.ofMillis(30), time.elapsed(), "one frame takes the service time");
        double afterOne = d.temperatureCelsius();
        assertTrue(afterOne > 25 && afterOne < 25.03, "heats by about heatPerInference: " + afterOne);
        for (int i = 0; i < 20_000; i++) {
            d.infer(List.of(i));
        }
        // Continuous full speed would settle at 85 °C; throttling above 70 holds it near the limit.
        assertTrue(d.maxTemperatureCelsius() < 71, "max " + d.maxTemperatureCelsius());
        assertTrue(d.maxTemperatureCelsius() > 69.9, "max " + d.maxTemperatureCelsius());
        assertTrue(d.throttledFrames() > 0);
        assertTrue(d.health().orElseThrow().temperatureCelsius().getAsDouble() > 65);
    }

    @Test
    void throttledInferencesAreSlowerByTheFactor() {
        SimulatedDevice<Integer, Integer> d = SimulatedDevice.builder("ncs").virtualTime(time).initialCelsius(75)
                .throttleFactor(5).build(x -> x);
        d.infer(List.of(1));
        assertEquals(Duration.ofMillis(150), time.elapsed());
        assertTrue(d.health().orElseThrow().throttling());
        time.advance(Duration.ofMinutes(10));
        d.infer(List.of(1));
        assertEquals(Duration.ofMillis(150 + 30).plusMinutes(10), time.elapsed());
        assertFalse(d.health().orElseThrow().throttling());
    }

    @Test
    void concurrentCallsQueueOnTheDevice() throws Exception {
        SimulatedDevice<Integer, Integer> d = SimulatedDevice.builder("ncs").virtualTime(time).heatPerInferenceCelsius(0)
                .build(x -> x);
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            time.join();
            threads[i] = new Thread(() -> {
                try {
                    for (int j = 0; j < 25; j++) {
                        d.infer(List.of(j));
                    }
                } finally {
                    time.leave();
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertEquals(Duration.ofMillis(30 * 100), time.elapsed());
        assertEquals(100, d.frames());
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(InvalidConfigException.class, () -> SimulatedDevice.builder(" "));
        assertThrows(InvalidConfigException.class, () -> SimulatedDevice.builder("a").throttleFactor(0.5));
        assertThrows(InvalidConfigException.class, () -> SimulatedDevice.builder("a").serviceTime(Duration.ZERO));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> SimulatedDevice.builder("a").throttleLimitCelsius(20).build(x -> x));
        assertTrue(e.getMessage().startsWith("throttleLimitCelsius = 20.0"), e.getMessage());
    }
}
