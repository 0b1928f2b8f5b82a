package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The thermal-budget schedule as a pure function of time and readings, without a pool. */
class ThermalBudgetRotationTest {

    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final ThermalBudgetRotation POLICY = ThermalBudgetRotation.below(65);

    private static RotationPolicy.Change readings(RotationPolicy.Schedule s, FakeDevices d, long second) {
        return s.evaluate(T0.plusSeconds(second), RotationPolicy.Trigger.READINGS, d).orElseThrow();
    }

    private static boolean unchanged(RotationPolicy.Schedule s, FakeDevices d, RotationPolicy.Trigger trigger) {
        return s.evaluate(T0, trigger, d).isEmpty();
    }

    @Test
    void defaultsRestHalfADegreeBelowTheThresholdAndResumeOneDegreeLower() {
        assertEquals(64.5, POLICY.restAtCelsius(), 1e-9);
        assertEquals(63.5, POLICY.resumeAtCelsius(), 1e-9);
        assertTrue(POLICY.readsHealth());
    }

    @Test
    void aDeviceRestsAtTheBudgetAndWorksAgainOnlyAfterCoolingByTheHysteresis() {
        FakeDevices d = new FakeDevices(3).temperatures(64.4, 50, 50);
        RotationPolicy.Schedule s = POLICY.start(d.nameList(), T0);
        assertEquals(List.of(List.of(0, 1, 2)), s.groups());
        assertEquals(List.of(0, 1, 2), s.active());
        assertTrue(unchanged(s, d, RotationPolicy.Trigger.READINGS), "64.4 °C is still within the budget");
        d.temperatures(64.5);
        RotationPolicy.Change rest = readings(s, d, 10);
        assertEquals(SwitchReason.TEMPERATURE, rest.reason());
        assertEquals(List.of(0, 1, 2), rest.fromDevices());
        assertEquals(List.of(1, 2), rest.toDevices());
        assertEquals(0, rest.fromGroup());
        assertEquals(0, rest.toGroup());
        assertEquals(Duration.ofSeconds(10), rest.activeFor());
        assertEquals("d0 rests at 64.5 °C >= 64.5 °C", rest.detail());
        d.temperatures(64.0);
        assertTrue(unchanged(s, d, RotationPolicy.Trigger.READINGS), "cooled by less than the hysteresis: still rests");
        d.temperatures(63.5);
        RotationPolicy.Change back = readings(s, d, 13);
        assertEquals(List.of(0, 1, 2), back.toDevices());
        assertEquals("d0 resumes at 63.5 °C", back.detail());
        assertEquals(Duration.ofSeconds(3), back.activeFor());
    }

    @Test
    void ticksNeverChangeAnything() {
        FakeDevices d = new FakeDevices(2).temperatures(90, 90);
        RotationPolicy.Schedule s = POLICY.start(d.nameList(), T0);
        assertTrue(unchanged(s, d, RotationPolicy.Trigger.TICK));
        assertEquals(List.of(0, 1), s.active());
    }

    @Test
    void throttlingRestsEvenWhenCoolAndUntilItStops() {
        FakeDevices d = new FakeDevices(3);
        d.throttling[1] = true;
        RotationPolicy.Schedule s = POLICY.start(d.nameList(), T0);
        RotationPolicy.Change c = readings(s, d, 1);
        assertEquals(SwitchReason.THROTTLING, c.reason());
        assertEquals(List.of(0, 2), c.toDevices());
        assertTrue(unchanged(s, d, RotationPolicy.Trigger.READINGS), "still throttling");
        d.throttling[1] = false;
        assertEquals(List.of(0, 1, 2), readings(s, d, 2).toDevices());
    }

    @Test
    void devicesWithoutATemperatureNeverRestForHeat() {
        FakeDevices d = new FakeDevices(2).temperatures(Double.NaN, 70);
        RotationPolicy.Schedule s = POLICY.start(d.nameList(), T0);
        assertEquals(List.of(0), readings(s, d, 1).toDevices());
    }

    @Test
    void whenEveryDeviceRestsTheCoolestKeepsWorking() {
        FakeDevices d = new FakeDevices(3).temperatures(66, 64.6, 65);
        RotationPolicy.Schedule s = POLICY.start(d.nameList(), T0);
        RotationPolicy.Change c = readings(s, d, 1);
        assertEquals(List.of(1), c.toDevices());
        assertTrue(c.detail().endsWith("all devices rest; the coolest, d1, keeps working"), c.detail());
        d.canWork[1] = false;
        d.temperatures(65.5, 64.0, 64.8);
        assertEquals(List.of(2), readings(s, d, 2).toDevices(), "the coolest device that can work");
        d.temperatures(63.0);
        assertEquals(List.of(0), readings(s, d, 3).toDevices(), "a device that cooled enough works again alone");
    }

    @Test
    void noDeviceAddsTheCoolestWorkingDeviceOutsideTheActiveOnes() {
        FakeDevices d = new FakeDevices(4).temperatures(64.6, 30, 64.7, 64.8);
        RotationPolicy.Schedule s = POLICY.start(d.nameList(), T0);
        assertEquals(List.of(1), readings(s, d, 1).toDevices());
        d.canWork[1] = false;
        RotationPolicy.Change c = s.evaluate(T0, RotationPolicy.Trigger.NO_DEVICE, d).orElseThrow();
        assertEquals(SwitchReason.FAILURE, c.reason());
        assertEquals(List.of(1, 0), c.toDevices());
        d.canWork[0] = false;
        d.canWork[2] = false;
        d.canWork[3] = false;
        assertTrue(unchanged(s, d, RotationPolicy.Trigger.NO_DEVICE), "nobody can work");
    }

    @Test
    void restingIsRememberedByNameAcrossRemovals() {
        FakeDevices d = new FakeDevices(3).temperatures(40, 40, 64.9);
        RotationPolicy.Schedule s = POLICY.start(d.nameList(), T0);
        assertEquals(List.of(0, 1), readings(s, d, 1).toDevices());
        s.devicesChanged(List.of("d1", "d2"), T0.plusSeconds(2));
        assertEquals(List.of(0), s.active(), "d2 (now at position 1) still rests");
        s.devicesChanged(List.of("d1", "d2", "d3"), T0.plusSeconds(3));
        assertEquals(List.of(0, 2), s.active(), "a new device works");
    }

    @Test
    void settingsAreCheckedWithTheirRule() {
        assertTrue(assertThrows(InvalidConfigException.class, () -> ThermalBudgetRotation.builder().build())
                .getMessage().startsWith("temperatureThreshold = unset"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> ThermalBudgetRotation.builder().headroom(-1))
                .getMessage().startsWith("headroom = -1.0"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> ThermalBudgetRotation.builder().hysteresis(0))
                .getMessage().startsWith("hysteresis = 0.0"));
        String tooLow = assertThrows(InvalidConfigException.class,
                () -> ThermalBudgetRotation.builder().temperatureThreshold(26).ambientTemperature(25).build()).getMessage();
        assertTrue(tooLow.startsWith("temperatureThreshold = 26.0") && tooLow.contains("ambient temperature 25.0"), tooLow);
        ThermalBudgetRotation custom = ThermalBudgetRotation.builder().temperatureThreshold(80).headroom(2).hysteresis(3).build();
        assertEquals(78, custom.restAtCelsius(), 1e-9);
        assertEquals(75, custom.resumeAtCelsius(), 1e-9);
    }

    /**
     * Closes the loop without a pool: five devices with the simulated stick's physics (Newton's law, full
     * power while active), readings every 500 ms of virtual time. Random start temperatures (seed printed).
     */
    @Test
    void closedLoopDutyCyclesEveryDeviceJustBelowTheThreshold() {
        long seed = Long.getLong("juggler.seed", System.nanoTime());
        System.out.println("ThermalBudgetRotationTest seed " + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 5;
        double ambient = 25;
        double tau = 90;
        double heatPerSecond = 0.02 / 0.030;
        double dt = 0.5;
        FakeDevices d = new FakeDevices(n);
        for (int i = 0; i < n; i++) {
            d.temperatures[i] = rnd.nextDouble(25, 64);
        }
        RotationPolicy.Schedule s = POLICY.start(d.nameList(), T0);
        double maxTemp = 0;
        double busyAfterWarmUp = 0;
        int steps = (int) (3600 / dt);
        int warmUp = (int) (600 / dt);
        for (int step = 0; step < steps; step++) {
            Instant now = T0.plusMillis((long) (step * dt * 1000));
            s.evaluate(now, RotationPolicy.Trigger.READINGS, d);
            List<Integer> active = s.active();
            for (int i = 0; i < n; i++) {
                double power = active.contains(i) ? heatPerSecond : 0;
                double equilibrium = ambient + power * tau;
                d.temperatures[i] = equilibrium + (d.temperatures[i] - equilibrium) * Math.exp(-dt / tau);
                maxTemp = Math.max(maxTemp, d.temperatures[i]);
            }
            if (step >= warmUp) {
                busyAfterWarmUp += active.size() * dt;
            }
        }
        double sticksWorking = busyAfterWarmUp / ((steps - warmUp) * dt);
        String at = "seed " + seed + ": ";
        // Rests start at 64.5 °C; a stick that keeps working while all others rest may overshoot by about half a degree.
        assertTrue(maxTemp <= 65.5, at + "max " + maxTemp);
        // Physics: at 64 °C a stick can work (64 - 25) / 60 = 65 % of the time; 5 sticks ≈ 3.25 sticks ≈ 1.63 ideal.
        assertTrue(sticksWorking / 2 >= 1.55, at + sticksWorking + " sticks working on average");
        assertTrue(sticksWorking / 2 <= 1.70, at + sticksWorking + " sticks working: more than the physics allow?");
    }
}
