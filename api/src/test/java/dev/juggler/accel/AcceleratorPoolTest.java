package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AcceleratorPoolTest {

    private final MutableClock clock = MutableClock.startingAt2024();
    private final List<GroupSwitch> switches = new CopyOnWriteArrayList<>();
    private final List<String> outs = new CopyOnWriteArrayList<>();
    private final List<String> backs = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    private final AcceleratorPoolListener recorder = new AcceleratorPoolListener() {
        @Override
        public void onSwitch(GroupSwitch event) {
            switches.add(event);
        }

        @Override
        public void onDeviceOut(String device, RuntimeException cause, Instant probeAt) {
            outs.add(device);
        }

        @Override
        public void onDeviceBack(String device) {
            backs.add(device);
        }
    };

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static List<ScriptedDevice> devices(int n) {
        List<ScriptedDevice> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(new ScriptedDevice("d" + i));
        }
        return all;
    }

    private AcceleratorPool.Builder<Integer, Integer> pool(List<ScriptedDevice> devices) {
        return AcceleratorPool.<Integer, Integer>builder().devices(devices).clock(clock).listener(recorder)
                .healthPollInterval(Duration.ofSeconds(1));
    }

    @Test
    void withoutGroupingEveryDeviceWorksAndOutputsKeepOrder() {
        List<ScriptedDevice> devices = devices(3);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).build()) {
            for (int i = 0; i < 30; i++) {
                assertEquals(List.of(i * 10, i * 10 + 10), pool.infer(List.of(i, i + 1)));
            }
            for (ScriptedDevice d : devices) {
                assertEquals(20, d.received.size(), d.name + " got an unfair share");
            }
            assertEquals(30, pool.stats().requests());
            assertEquals(4, pool.maxBatchSize());
        }
    }

    @Test
    void leastLoadedDeviceOfTheGroupGetsTheNextBatch() throws Exception {
        List<ScriptedDevice> devices = devices(2);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(1);
            devices.get(0).gate = gate;
            devices.get(0).entered = entered;
            devices.get(1).gate = gate;
            devices.get(1).entered = entered;
            Future<List<Integer>> held = threads.submit(() -> pool.infer(List.of(1)));
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            ScriptedDevice busy = devices.get(0).running.get() == 1 ? devices.get(0) : devices.get(1);
            ScriptedDevice idle = busy == devices.get(0) ? devices.get(1) : devices.get(0);
            busy.gate = null;
            idle.gate = null;
            for (int i = 0; i < 5; i++) {
                pool.infer(List.of(100 + i));
            }
            assertEquals(5, idle.received.size(), "all batches must go to the idle device while the other is busy");
            gate.countDown();
            assertEquals(List.of(10), held.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void cycleRotatesRoundRobinAndInactiveDevicesGetNothing() {
        List<ScriptedDevice> devices = devices(6);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).cyclePeriod(Duration.ofSeconds(10)).build()) {
            List<Integer> order = new ArrayList<>();
            for (int round = 0; round < 7; round++) {
                pool.poll();
                order.add(pool.activeGroup());
                List<String> active = pool.activeDevices();
                devices.forEach(d -> d.received.clear());
                for (int i = 0; i < 8; i++) {
                    pool.infer(List.of(i));
                }
                for (ScriptedDevice d : devices) {
                    assertEquals(active.contains(d.name) ? 4 : 0, d.received.size(), d.name + " in round " + round);
                }
                clock.advance(Duration.ofSeconds(10));
            }
            assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), order);
            assertEquals(6, switches.size());
            for (GroupSwitch s : switches) {
                assertEquals(SwitchReason.CYCLE, s.reason());
                assertEquals((s.fromGroup() + 1) % 3, s.toGroup());
                assertEquals(Duration.ofSeconds(10), s.activeFor());
            }
        }
    }

    @Test
    void temperatureThresholdSwitchesAtOnceAndSkipsHotGroups() {
        List<ScriptedDevice> devices = devices(6);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).temperatureThreshold(65).build()) {
            pool.infer(List.of(1));
            assertEquals(0, pool.activeGroup());
            devices.get(1).temperature = 65.5;
            devices.get(2).temperature = 66;
            pool.infer(List.of(2));
            assertEquals(0, pool.activeGroup(), "no poll is due yet: the reading is not seen");
            clock.advance(Duration.ofSeconds(1));
            pool.infer(List.of(3));
            assertEquals(2, pool.activeGroup(), "group 1 holds a hot device and is skipped");
            assertTrue(devices.get(4).received.contains(3) || devices.get(5).received.contains(3));
            GroupSwitch s = switches.get(0);
            assertEquals(SwitchReason.TEMPERATURE, s.reason());
            assertEquals(65.5, s.temperatures().get("d1"));
            assertEquals(66.0, s.temperatures().get("d2"));
            assertTrue(s.detail().contains("d1"), s.detail());
        }
    }

    @Test
    void everyGroupHotChoosesTheCoolest() {
        List<ScriptedDevice> devices = devices(6);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).temperatureThreshold(65).build()) {
            double[] temps = {70, 66, 68, 69, 67, 66};
            for (int i = 0; i < 6; i++) {
                devices.get(i).temperature = temps[i];
            }
            pool.infer(List.of(1));
            assertEquals(2, pool.activeGroup());
            pool.infer(List.of(2));
            assertEquals(1, switches.size(), "no further switch until the next poll");
        }
    }

    @Test
    void reportedThrottlingSwitches() {
        List<ScriptedDevice> devices = devices(4);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).rotateOnThrottling(true)
                .cyclePeriod(Duration.ofHours(1)).build()) {
            pool.infer(List.of(1));
            devices.get(0).throttling = true;
            clock.advance(Duration.ofSeconds(2));
            pool.infer(List.of(2));
            assertEquals(1, pool.activeGroup());
            assertEquals(SwitchReason.THROTTLING, switches.get(0).reason());
            assertEquals(List.of("d0", "d1"), switches.get(0).fromDevices());
            assertEquals(List.of("d2", "d3"), switches.get(0).toDevices());
        }
    }

    @Test
    void unreadableHealthDoesNotStopWork() {
        List<ScriptedDevice> devices = devices(4);
        devices.forEach(d -> d.healthFails = true);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).temperatureThreshold(60).build()) {
            assertEquals(List.of(10), pool.infer(List.of(1)));
            assertTrue(pool.health().isEmpty());
        }
    }

    @Test
    void inFlightBatchesFinishOnTheOldGroupAcrossASwitch() throws Exception {
        List<ScriptedDevice> devices = devices(4);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).cyclePeriod(Duration.ofSeconds(5)).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(2);
            for (ScriptedDevice d : devices.subList(0, 2)) {
                d.gate = gate;
                d.entered = entered;
            }
            Future<List<Integer>> a = threads.submit(() -> pool.infer(List.of(1)));
            Future<List<Integer>> b = threads.submit(() -> pool.infer(List.of(2)));
            assertTrue(entered.await(5, TimeUnit.SECONDS), "both batches must run on group 0");
            clock.advance(Duration.ofSeconds(5));
            assertEquals(List.of(30), pool.infer(List.of(3)), "new work must not wait for the old group");
            assertEquals(1, pool.activeGroup());
            assertTrue(devices.get(2).received.contains(3) || devices.get(3).received.contains(3));
            assertFalse(a.isDone() || b.isDone());
            gate.countDown();
            assertEquals(List.of(10), a.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(20), b.get(5, TimeUnit.SECONDS));
            assertEquals(Duration.ZERO, pool.stats().longestSwitchGap());
        }
    }

    @Test
    void failingDeviceIsTakenOutRetriedElsewhereAndProbedBack() {
        List<ScriptedDevice> devices = devices(4);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).cyclePeriod(Duration.ofHours(1))
                .probeAfter(Duration.ofSeconds(30)).build()) {
            devices.get(0).failing = true;
            for (int i = 0; i < 6; i++) {
                assertEquals(List.of(i * 10), pool.infer(List.of(i)));
            }
            assertEquals(List.of("d0"), outs);
            assertEquals(6, devices.get(1).received.size(), "the healthy device of the group takes all");
            assertEquals(0, pool.activeGroup(), "the group still has a working device");
            assertTrue(pool.stats().retries() >= 1);
            devices.get(0).failing = false;
            clock.advance(Duration.ofSeconds(31));
            for (int i = 0; i < 4; i++) {
                pool.infer(List.of(i));
            }
            assertEquals(List.of("d0"), backs);
            assertFalse(devices.get(0).received.isEmpty());
        }
    }

    @Test
    void aBatchAlreadyRunningWhenItsDeviceIsTakenOutDoesNotBringItBack() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        // Input 1 blocks until the gate opens, then succeeds; input 2 fails as a device fault.
        Accelerator<Integer, Integer> device = new Accelerator<>() {
            @Override
            public String name() {
                return "d0";
            }

            @Override
            public int maxBatchSize() {
                return 4;
            }

            @Override
            public List<Integer> infer(List<Integer> batch) {
                if (batch.get(0) == 1) {
                    entered.countDown();
                    try {
                        assertTrue(gate.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                } else if (batch.get(0) == 2) {
                    throw new JugglerException("d0 broke", true, null);
                }
                return batch.stream().map(x -> x * 10).toList();
            }

            @Override
            public void close() {
            }
        };
        try (AcceleratorPool<Integer, Integer> pool = AcceleratorPool.<Integer, Integer>builder().device(device).clock(clock)
                .listener(recorder).probeAfter(Duration.ofSeconds(30)).build()) {
            Future<List<Integer>> straggler = threads.submit(() -> pool.infer(List.of(1)));
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            assertThrows(UnavailableException.class, () -> pool.infer(List.of(2)), "the failure takes the device out");
            assertEquals(List.of("d0"), outs);
            gate.countDown();
            assertEquals(List.of(10), straggler.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(), backs, "only the probe after probeAfter may bring the device back");
            assertThrows(UnavailableException.class, () -> pool.infer(List.of(3)), "still out before probeAfter");
            clock.advance(Duration.ofSeconds(31));
            assertEquals(List.of(40), pool.infer(List.of(4)));
            assertEquals(List.of("d0"), backs);
        }
    }

    @Test
    void wholeGroupFailingSwitchesWithReasonFailure() {
        List<ScriptedDevice> devices = devices(4);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).cyclePeriod(Duration.ofHours(1)).build()) {
            devices.get(0).failing = true;
            devices.get(1).failing = true;
            assertEquals(List.of(70), pool.infer(List.of(7)));
            assertEquals(1, pool.activeGroup());
            assertEquals(SwitchReason.FAILURE, switches.get(switches.size() - 1).reason());
        }
    }

    @Test
    void allDevicesFailingReportsTheLastError() {
        List<ScriptedDevice> devices = devices(2);
        devices.forEach(d -> d.failing = true);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).maxAttempts(5).build()) {
            UnavailableException e = assertThrows(UnavailableException.class, () -> pool.infer(List.of(1)));
            assertTrue(e.getMessage().contains("d0=out until") && e.getMessage().contains("d1=out until"), e.getMessage());
            assertTrue(e.getCause().getMessage().contains("broke"));
        }
        try (AcceleratorPool<Integer, Integer> pool = pool(devices(1)).build()) {
            ScriptedDevice only = new ScriptedDevice("x");
            pool.addDevice(only);
            pool.removeDevice("d0");
            only.failing = true;
            assertThrows(UnavailableException.class, () -> pool.infer(List.of(1)));
        }
    }

    @Test
    void batchFaultIsReportedWithoutTakingTheDeviceOut() {
        List<ScriptedDevice> devices = devices(2);
        devices.get(0).failing = true;
        devices.get(1).failing = true;
        try (AcceleratorPool<Integer, Integer> pool = pool(devices)
                .deviceFailure(e -> !(e instanceof JugglerException je) || je.isTransient() && false).build()) {
            assertThrows(JugglerException.class, () -> pool.infer(List.of(1)));
            assertTrue(outs.isEmpty());
            devices.forEach(d -> d.failing = false);
            assertEquals(List.of(10), pool.infer(List.of(1)));
        }
    }

    @Test
    void devicesCanBeAddedAndRemovedWhileRunning() throws Exception {
        List<ScriptedDevice> devices = devices(4);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).cyclePeriod(Duration.ofSeconds(5)).build()) {
            ScriptedDevice added = new ScriptedDevice("d4");
            pool.addDevice(added);
            assertEquals(5, pool.groups().size());
            assertThrows(dev.juggler.InvalidConfigException.class, () -> pool.addDevice(new ScriptedDevice("d4")));

            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(2);
            devices.get(0).gate = gate;
            devices.get(0).entered = entered;
            devices.get(1).gate = gate;
            devices.get(1).entered = entered;
            Future<List<Integer>> running = threads.submit(() -> pool.infer(List.of(5)));
            Future<List<Integer>> other = threads.submit(() -> pool.infer(List.of(6)));
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            Future<?> removal = threads.submit(() -> pool.removeDevice("d0"));
            Thread.sleep(50);
            assertFalse(removal.isDone(), "removal waits for the batch in flight");
            gate.countDown();
            assertTrue(removal.get(5, TimeUnit.SECONDS) instanceof java.util.Optional<?> o && o.isPresent());
            assertEquals(List.of(50), running.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(60), other.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(List.of("d1", "d2"), List.of("d3", "d4")), pool.groups());
            devices.get(0).received.clear();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 4; i++) {
                    pool.infer(List.of(i));
                }
                clock.advance(Duration.ofSeconds(5));
            }
            assertTrue(devices.get(0).received.isEmpty(), "a removed device gets no work");
            assertFalse(added.received.isEmpty(), "an added device gets work when its group is active");
            assertTrue(switches.stream().anyMatch(s -> s.reason() == SwitchReason.DEVICES_CHANGED));
            assertTrue(pool.removeDevice("nope").isEmpty());
            assertTrue(pool.stats().batchesPerDevice().containsKey("d0"));
        }
    }

    @Test
    void closeClosesDevicesOnlyWhenAskedAndRefusesWork() {
        List<ScriptedDevice> devices = devices(2);
        AcceleratorPool<Integer, Integer> pool = pool(devices).build();
        pool.close();
        pool.close();
        assertFalse(devices.get(0).closed);
        assertThrows(IllegalStateException.class, () -> pool.infer(List.of(1)));
        AcceleratorPool<Integer, Integer> owning = pool(devices).closeDevicesOnClose(true).build();
        owning.close();
        assertTrue(devices.get(0).closed && devices.get(1).closed);
    }

    @Test
    void hostSchedulerRotatesAnIdlePool() throws Exception {
        List<ScriptedDevice> devices = devices(4);
        java.util.concurrent.ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).temperatureThreshold(60)
                .healthPollInterval(Duration.ofMillis(1)).scheduler(scheduler).build()) {
            devices.get(0).temperature = 61;
            clock.advance(Duration.ofSeconds(1));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            // The switch event is delivered after the pool's lock is released, so it may trail the group.
            while ((pool.activeGroup() == 0 || switches.isEmpty()) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, pool.activeGroup());
            assertEquals(1, switches.size(), switches.toString());
            assertEquals(SwitchReason.TEMPERATURE, switches.get(0).reason());
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void healthReportsTheHottestActiveDevice() {
        List<ScriptedDevice> devices = devices(4);
        devices.get(1).temperature = 50;
        devices.get(3).temperature = 59;
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).groupSize(2).temperatureThreshold(60).build()) {
            pool.poll();
            assertEquals(50.0, pool.health().orElseThrow().temperatureCelsius().getAsDouble());
            Map<String, Long> perDevice = pool.stats().batchesPerDevice();
            assertEquals(4, perDevice.size());
        }
    }

    @Test
    void thermalBudgetRestsAHotDeviceWhileTheOthersTakeTheWork() {
        List<ScriptedDevice> devices = devices(3);
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).rotation(ThermalBudgetRotation.below(65)).build()) {
            pool.infer(List.of(1));
            assertEquals(List.of("d0", "d1", "d2"), pool.activeDevices());
            devices.get(1).temperature = 64.6;
            clock.advance(Duration.ofSeconds(1));
            devices.forEach(d -> d.received.clear());
            for (int i = 0; i < 6; i++) {
                pool.infer(List.of(i));
            }
            assertEquals(List.of("d0", "d2"), pool.activeDevices());
            assertTrue(devices.get(1).received.isEmpty(), "a resting device gets no batch");
            assertEquals(3, devices.get(0).received.size());
            assertEquals(3, devices.get(2).received.size());
            assertEquals(List.of(List.of("d0", "d1", "d2")), pool.groups());
            GroupSwitch rest = switches.get(0);
            assertEquals(SwitchReason.TEMPERATURE, rest.reason());
            assertEquals(0, rest.fromGroup());
            assertEquals(0, rest.toGroup());
            assertEquals(List.of("d0", "d1", "d2"), rest.fromDevices());
            assertEquals(List.of("d0", "d2"), rest.toDevices());
            assertEquals(64.6, rest.temperatures().get("d1"));
            devices.get(1).temperature = 63;
            clock.advance(Duration.ofSeconds(1));
            pool.infer(List.of(7));
            assertEquals(List.of("d0", "d1", "d2"), pool.activeDevices());
            assertEquals(2, pool.stats().switches());
        }
    }

    @Test
    void thermalBudgetCallsARestingDeviceInWhenNoWorkingOneCanTakeTheBatch() {
        List<ScriptedDevice> devices = devices(2);
        devices.get(0).temperature = 64.6;
        devices.get(1).failing = true;
        try (AcceleratorPool<Integer, Integer> pool = pool(devices).rotation(ThermalBudgetRotation.below(65)).build()) {
            assertEquals(List.of(30), pool.infer(List.of(3)));
            assertEquals(List.of("d1"), outs);
            assertEquals(List.of(3), List.copyOf(devices.get(0).received));
            assertEquals(SwitchReason.FAILURE, switches.get(switches.size() - 1).reason());
            assertEquals(List.of("d1", "d0"), pool.activeDevices());
        }
    }
}
