package dev.juggler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimSchedulerTest {

    private static final Instant ORIGIN = Instant.parse("2027-01-04T08:00:00Z");
    private static final Instant FAR = ORIGIN.plus(Duration.ofDays(365));

    @Test
    void actionsRunInTimeOrderAndTiesInTheOrderTheyWereScheduled() {
        try (SimScheduler sim = new SimScheduler(ORIGIN)) {
            List<String> seen = new ArrayList<>();
            sim.after(Duration.ofMinutes(2), () -> seen.add("b@" + sim.now()));
            sim.after(Duration.ofMinutes(1), () -> seen.add("a@" + sim.now()));
            sim.after(Duration.ofMinutes(2), () -> seen.add("c@" + sim.now()));
            SimScheduler.Event skipped = sim.after(Duration.ofMinutes(1), () -> seen.add("cancelled"));
            SimScheduler.cancel(skipped);
            assertFalse(sim.run(() -> false, FAR), "ran out of events, not done");
            assertEquals(List.of("a@2027-01-04T08:01:00Z", "b@2027-01-04T08:02:00Z", "c@2027-01-04T08:02:00Z"), seen);
            assertEquals(ORIGIN.plus(Duration.ofMinutes(2)), sim.clock().instant());
        }
    }

    @Test
    void processesTakeTurnsAndOnlySimulatedTimePasses() {
        try (SimScheduler sim = new SimScheduler(ORIGIN)) {
            List<String> seen = new ArrayList<>();
            for (String name : List.of("x", "y")) {
                long step = name.equals("x") ? 3 : 5;
                sim.spawn(name, () -> {
                    for (int i = 0; i < 3; i++) {
                        assertTrue(sim.sleep(Duration.ofHours(step)));
                        seen.add(name + Duration.between(ORIGIN, sim.now()).toHours());
                    }
                }, () -> seen.add(name + " ended"));
            }
            long wallStart = System.nanoTime();
            sim.run(() -> false, FAR);
            assertTrue(System.nanoTime() - wallStart < Duration.ofSeconds(10).toNanos(), "15 simulated hours must not take real time");
            assertEquals(List.of("x3", "y5", "x6", "x9", "x ended", "y10", "y15", "y ended"), seen);
            assertEquals(2, sim.processes());
        }
    }

    @Test
    void aProcessWokenEarlyLearnsItAndAKilledOneNeverRunsAgain() {
        try (SimScheduler sim = new SimScheduler(ORIGIN)) {
            List<String> seen = new ArrayList<>();
            SimScheduler.Process sleeper = sim.spawn("sleeper", () -> {
                boolean whole = sim.sleep(Duration.ofHours(10));
                seen.add("woke whole=" + whole + " at " + Duration.between(ORIGIN, sim.now()).toHours() + "h");
                sim.sleep(Duration.ofHours(10));
                seen.add("must not run");
            }, () -> seen.add("sleeper ended"));
            sim.after(Duration.ofHours(2), () -> sim.wakeEarly(sleeper));
            sim.after(Duration.ofHours(4), () -> sim.kill(sleeper));
            sim.run(() -> false, FAR);
            assertEquals(List.of("woke whole=false at 2h", "sleeper ended"), seen);
            assertTrue(sleeper.ended());
        }
    }

    @Test
    void runStopsWhenDoneOrAtTheHorizonAndCanGoOn() {
        try (SimScheduler sim = new SimScheduler(ORIGIN)) {
            int[] count = new int[1];
            for (int hour = 1; hour <= 10; hour++) {
                sim.after(Duration.ofHours(hour), () -> count[0]++);
            }
            assertTrue(sim.run(() -> count[0] == 3, FAR));
            assertEquals(3, count[0]);
            assertFalse(sim.run(() -> false, ORIGIN.plus(Duration.ofHours(6).plusMinutes(30))));
            assertEquals(6, count[0], "events past the horizon wait");
            sim.run(() -> false, FAR);
            assertEquals(10, count[0]);
        }
    }

    @Test
    void aFailingProcessStopsTheRunWithItsCause() {
        try (SimScheduler sim = new SimScheduler(ORIGIN)) {
            sim.spawn("broken", () -> {
                sim.sleep(Duration.ofMinutes(1));
                throw new IllegalArgumentException("model bug");
            }, null);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> sim.run(() -> false, FAR));
            assertTrue(e.getMessage().contains("broken") && e.getMessage().contains("model bug"), e.getMessage());
        }
    }

    @Test
    void sleepingOutsideAProcessIsRefused() {
        try (SimScheduler sim = new SimScheduler(ORIGIN)) {
            assertThrows(IllegalStateException.class, () -> sim.sleep(Duration.ofSeconds(1)));
        }
    }

    @Test
    void closeUnwindsLiveProcesses() {
        SimScheduler sim = new SimScheduler(ORIGIN);
        List<String> ended = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "p" + i;
            sim.spawn(name, () -> sim.sleep(Duration.ofDays(100)), () -> ended.add(name));
        }
        sim.run(() -> false, ORIGIN.plus(Duration.ofDays(1)));
        sim.close();
        assertEquals(5, ended.size(), "every started process ran its end");
    }

    @Test
    void manyProcessesWithRandomSleepsInterleaveTheSameWayEveryTime() {
        long seed = 20261205L;
        List<String> first = randomInterleaving(seed);
        List<String> second = randomInterleaving(seed);
        assertEquals(first, second, "seed " + seed);
        assertEquals(20 * 10, first.size(), "seed " + seed);
    }

    private static List<String> randomInterleaving(long seed) {
        Random random = new Random(seed);
        List<String> seen = new ArrayList<>();
        try (SimScheduler sim = new SimScheduler(ORIGIN)) {
            for (int p = 0; p < 20; p++) {
                long[] sleeps = random.longs(10, 0, 1000).toArray();
                String name = "p" + p;
                sim.spawn(name, () -> {
                    for (long s : sleeps) {
                        sim.sleep(Duration.ofSeconds(s));
                        seen.add(name + "@" + sim.nanos());
                    }
                }, null);
            }
            sim.run(() -> false, FAR);
        }
        return seen;
    }
}
