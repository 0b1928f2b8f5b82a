package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The fixed-group schedule as a pure function of time and readings, without a pool. */
class FixedGroupRotationTest {

    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

    private static FixedGroupRotation.Builder k(int k) {
        return FixedGroupRotation.builder().groupSize(k);
    }

    @Test
    void groupsWrapAroundSoEveryGroupIsFull() {
        FakeDevices five = new FakeDevices(5);
        RotationPolicy.Schedule s = k(2).cyclePeriod(Duration.ofSeconds(1)).build().start(five.nameList(), T0);
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4, 0), List.of(1, 2), List.of(3, 4)), s.groups());
        assertEquals(List.of(0, 1), s.active());
        RotationPolicy.Schedule none = RotationPolicy.none().start(five.nameList(), T0);
        assertEquals(List.of(List.of(0, 1, 2, 3, 4)), none.groups());
        assertEquals(List.of(0, 1, 2, 3, 4), none.active());
        assertEquals(Optional.empty(), none.evaluate(T0.plusSeconds(3600), RotationPolicy.Trigger.READINGS,
                five.temperatures(99, 99, 99, 99, 99)));
        assertFalse(RotationPolicy.none().readsHealth());
    }

    @Test
    void cycleRotatesRoundRobinWhenThePeriodIsOver() {
        FakeDevices d = new FakeDevices(6);
        RotationPolicy.Schedule s = k(2).cyclePeriod(Duration.ofSeconds(10)).build().start(d.nameList(), T0);
        assertTrue(s.evaluate(T0.plusSeconds(9), RotationPolicy.Trigger.TICK, d).isEmpty());
        RotationPolicy.Change c = s.evaluate(T0.plusSeconds(10), RotationPolicy.Trigger.TICK, d).orElseThrow();
        assertEquals(SwitchReason.CYCLE, c.reason());
        assertEquals(0, c.fromGroup());
        assertEquals(1, c.toGroup());
        assertEquals(List.of(0, 1), c.fromDevices());
        assertEquals(List.of(2, 3), c.toDevices());
        assertEquals(Duration.ofSeconds(10), c.activeFor());
        assertEquals(T0.plusSeconds(10), s.activeSince());
        assertEquals(2, s.evaluate(T0.plusSeconds(20), RotationPolicy.Trigger.TICK, d).orElseThrow().toGroup());
        assertEquals(0, s.evaluate(T0.plusSeconds(30), RotationPolicy.Trigger.TICK, d).orElseThrow().toGroup());
    }

    @Test
    void temperatureIsSeenOnFreshReadingsOnlyAndHotGroupsAreSkipped() {
        FakeDevices d = new FakeDevices(6).temperatures(30, 65.5, 66, 30, 30, 30);
        RotationPolicy.Schedule s = k(2).temperatureThreshold(65).build().start(d.nameList(), T0);
        assertTrue(s.evaluate(T0, RotationPolicy.Trigger.TICK, d).isEmpty(), "a tick does not look at readings");
        RotationPolicy.Change c = s.evaluate(T0, RotationPolicy.Trigger.READINGS, d).orElseThrow();
        assertEquals(SwitchReason.TEMPERATURE, c.reason());
        assertEquals(2, c.toGroup(), "group 1 holds a hot device");
        assertEquals("device d1 at 65.5 °C >= threshold 65.0 °C", c.detail());
    }

    @Test
    void everyGroupHotChoosesTheCoolestAndStaysIfThatIsTheActiveOne() {
        FakeDevices d = new FakeDevices(6).temperatures(70, 66, 68, 69, 67, 66);
        RotationPolicy.Schedule s = k(2).temperatureThreshold(65).build().start(d.nameList(), T0);
        assertEquals(2, s.evaluate(T0, RotationPolicy.Trigger.READINGS, d).orElseThrow().toGroup());
        assertTrue(s.evaluate(T0, RotationPolicy.Trigger.READINGS, d).isEmpty(), "already on the coolest group");
    }

    @Test
    void throttlingRotatesAndThrottlingGroupsAreSkipped() {
        FakeDevices d = new FakeDevices(6);
        d.throttling[0] = true;
        d.throttling[3] = true;
        RotationPolicy.Schedule s = k(2).rotateOnThrottling(true).build().start(d.nameList(), T0);
        RotationPolicy.Change c = s.evaluate(T0, RotationPolicy.Trigger.READINGS, d).orElseThrow();
        assertEquals(SwitchReason.THROTTLING, c.reason());
        assertEquals(2, c.toGroup());
    }

    @Test
    void groupsWithoutAWorkingDeviceAreSkippedAndNoDeviceMovesOn() {
        FakeDevices d = new FakeDevices(6);
        d.canWork[2] = false;
        d.canWork[3] = false;
        RotationPolicy.Schedule s = k(2).cyclePeriod(Duration.ofSeconds(10)).build().start(d.nameList(), T0);
        assertEquals(2, s.evaluate(T0.plusSeconds(10), RotationPolicy.Trigger.TICK, d).orElseThrow().toGroup());
        d.canWork[4] = false;
        d.canWork[5] = false;
        RotationPolicy.Change c = s.evaluate(T0.plusSeconds(11), RotationPolicy.Trigger.NO_DEVICE, d).orElseThrow();
        assertEquals(SwitchReason.FAILURE, c.reason());
        assertEquals(0, c.toGroup());
        assertEquals("no device of group 2 [d4, d5] can take work", c.detail());
        d.canWork[0] = false;
        d.canWork[1] = false;
        assertTrue(s.evaluate(T0.plusSeconds(12), RotationPolicy.Trigger.NO_DEVICE, d).isEmpty(), "nowhere to go");
    }

    @Test
    void cycleWithNowhereToGoStartsANewPeriod() {
        FakeDevices d = new FakeDevices(4);
        d.canWork[2] = false;
        d.canWork[3] = false;
        RotationPolicy.Schedule s = k(2).cyclePeriod(Duration.ofSeconds(10)).build().start(d.nameList(), T0);
        assertTrue(s.evaluate(T0.plusSeconds(10), RotationPolicy.Trigger.TICK, d).isEmpty());
        assertEquals(T0.plusSeconds(10), s.activeSince());
    }

    @Test
    void devicesChangedKeepsTheGroupIndexWherePossible() {
        FakeDevices d = new FakeDevices(6);
        RotationPolicy.Schedule s = k(2).cyclePeriod(Duration.ofSeconds(1)).build().start(d.nameList(), T0);
        s.evaluate(T0.plusSeconds(1), RotationPolicy.Trigger.TICK, d);
        s.evaluate(T0.plusSeconds(2), RotationPolicy.Trigger.TICK, d);
        assertEquals(2, s.activeGroup());
        s.devicesChanged(List.of("d0", "d1", "d2", "d3"), T0.plusSeconds(3));
        assertEquals(0, s.activeGroup(), "2 mod 2 groups");
        assertEquals(List.of(List.of(0, 1), List.of(2, 3)), s.groups());
        s.devicesChanged(List.of("d0", "d1"), T0.plusSeconds(3));
        assertEquals(List.of(List.of(0, 1)), s.groups(), "n <= k: one group of all");
    }

    @Test
    void settingsAreCheckedWithTheirRule() {
        assertTrue(assertThrows(InvalidConfigException.class, () -> k(2).build()).getMessage().contains("needs a rotation rule"));
        assertTrue(assertThrows(InvalidConfigException.class,
                () -> FixedGroupRotation.builder().cyclePeriod(Duration.ofSeconds(1)).build()).getMessage()
                .startsWith("groupSize = unset"));
        FixedGroupRotation policy = k(3).cyclePeriod(Duration.ofSeconds(1)).build();
        assertTrue(assertThrows(InvalidConfigException.class, () -> policy.check(5)).getMessage()
                .startsWith("groupSize = 3: must be between 1 and n/2 = 2"));
        policy.check(6);
        assertEquals(Duration.ofMillis(100), policy.idleCheckInterval(Duration.ofSeconds(1)), "a tenth of the cycle");
        assertEquals(Duration.ofSeconds(1), k(3).temperatureThreshold(60).build().idleCheckInterval(Duration.ofSeconds(1)));
    }
}
