package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.accel.sim.SimulatedDevice;
import dev.juggler.accel.sim.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The thermal-budget policy through a real pool: five simulated NCS2-like sticks (the settings of
 * {@code bench/thermal.sh}) on virtual time, random start temperatures and caller counts (seed printed;
 * rerun with {@code -Djuggler.seed=<seed>}). Nothing lost or run twice, no resting stick gets a new batch,
 * the temperature stays within the bound, and the sticks together beat one never-throttled group of two.
 */
class ThermalBudgetPoolTest {

    private static final int STICKS = 5;
    private static final double THRESHOLD = 65;
    private static final Duration LENGTH = Duration.ofMinutes(6);

    /** What a stick did with one frame: which stick, and when the pool handed it over (virtual time). */
    private record Run(int frame, String device, Instant start) {
    }

    /** Logs every frame a simulated stick starts. */
    private record Logged(SimulatedDevice<Integer, Integer> inner, VirtualTime time, ConcurrentLinkedQueue<Run> runs)
            implements Accelerator<Integer, Integer> {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int maxBatchSize() {
            return 1;
        }

        @Override
        public List<Integer> infer(List<Integer> batch) {
            runs.add(new Run(batch.get(0), name(), time.now()));
            return inner.infer(batch);
        }

        @Override
        public Optional<DeviceHealth> health() {
            return inner.health();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void dutyCyclesAllSticksBelowTheBoundWithNothingLostOrDuplicated() throws Exception {
        long seed = Long.getLong("juggler.seed", System.nanoTime());
        System.out.println("ThermalBudgetPoolTest seed " + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        VirtualTime time = new VirtualTime(Instant.parse("2024-01-01T00:00:00Z"));
        ConcurrentLinkedQueue<Run> runs = new ConcurrentLinkedQueue<>();
        List<SimulatedDevice<Integer, Integer>> sticks = new ArrayList<>();
        List<Logged> devices = new ArrayList<>();
        for (int i = 0; i < STICKS; i++) {
            SimulatedDevice<Integer, Integer> stick = SimulatedDevice.builder("ncs" + i).virtualTime(time)
                    .initialCelsius(rnd.nextDouble(25, 64)).build(x -> x * 7);
            sticks.add(stick);
            devices.add(new Logged(stick, time, runs));
        }
        int threads = rnd.nextInt(2 * STICKS, 3 * STICKS + 1);
        String at = "seed " + seed + " (" + threads + " callers): ";
        List<GroupSwitch> switches = new CopyOnWriteArrayList<>();
        int capacity = (int) (LENGTH.toMillis() / 30 * STICKS + 1024);
        AtomicIntegerArray completed = new AtomicIntegerArray(capacity);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        long endNanos = LENGTH.toNanos();
        AtomicInteger doneInTime = new AtomicInteger();
        try (AcceleratorPool<Integer, Integer> pool = AcceleratorPool.<Integer, Integer>builder().devices(devices)
                .clock(time.clock()).healthPollInterval(Duration.ofMillis(500))
                .rotation(ThermalBudgetRotation.below(THRESHOLD))
                .listener(new AcceleratorPoolListener() {
                    @Override
                    public void onSwitch(GroupSwitch event) {
                        switches.add(event);
                    }
                }).build()) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                time.join();
                workers.add(new Thread(() -> {
                    try {
                        while (time.elapsed().toNanos() < endNanos) {
                            int frame = next.getAndIncrement();
                            if (pool.infer(List.of(frame)).get(0) != frame * 7) {
                                wrong.incrementAndGet();
                            }
                            completed.incrementAndGet(frame);
                            if (time.elapsed().toNanos() <= endNanos) {
                                doneInTime.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        unexpected.add(e);
                    } finally {
                        time.leave();
                    }
                }, "budget-" + t));
            }
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join(TimeUnit.SECONDS.toMillis(60));
                if (w.isAlive()) {
                    fail(at + "simulation stuck at " + time.now());
                }
            }
        }
        assertTrue(unexpected.isEmpty(), at + unexpected);
        assertEquals(0, wrong.get(), at + "outputs mixed up");
        int submitted = next.get();
        int[] runsPerFrame = new int[submitted];
        for (Run run : runs) {
            runsPerFrame[run.frame]++;
        }
        for (int f = 0; f < submitted; f++) {
            assertEquals(1, completed.get(f), at + "frame " + f + " completed " + completed.get(f) + " times");
            assertEquals(1, runsPerFrame[f], at + "frame " + f + " ran " + runsPerFrame[f] + " times");
        }

        // A stick gets a new batch only while it works: active since the last change before the batch (or
        // on either side of a change at that very instant).
        List<GroupSwitch> ordered = new ArrayList<>(switches);
        ordered.sort((a, b) -> a.at().compareTo(b.at()));
        List<Run> byStart = new ArrayList<>(runs);
        byStart.sort((a, b) -> a.start.compareTo(b.start));
        Set<String> working = new HashSet<>(devices.stream().map(Logged::name).toList());
        int applied = 0;
        for (Run run : byStart) {
            while (applied < ordered.size() && ordered.get(applied).at().isBefore(run.start)) {
                working = new HashSet<>(ordered.get(applied++).toDevices());
            }
            Set<String> allowed = new HashSet<>(working);
            for (int i = applied; i < ordered.size() && ordered.get(i).at().equals(run.start); i++) {
                allowed.addAll(ordered.get(i).fromDevices());
                allowed.addAll(ordered.get(i).toDevices());
            }
            assertTrue(allowed.contains(run.device), at + "frame " + run.frame + " started on resting " + run.device
                    + " at " + run.start + "; working then " + allowed);
        }

        double maxTemp = sticks.stream().mapToDouble(SimulatedDevice::maxTemperatureCelsius).max().orElseThrow();
        long throttled = sticks.stream().mapToLong(SimulatedDevice::throttledFrames).sum();
        double idealPerSecond = 2 / 0.030;
        double vsIdeal = doneInTime.get() / (LENGTH.toNanos() / 1e9) / idealPerSecond;
        System.out.printf("ThermalBudgetPoolTest: %.3f x ideal, max %.2f °C, %d changes%n", vsIdeal, maxTemp, ordered.size());
        assertTrue(maxTemp <= THRESHOLD + 2, at + "max " + maxTemp + " °C");
        assertEquals(0, throttled, at + "no stick may throttle");
        assertTrue(ordered.size() > 10, at + "the sticks never duty-cycled: " + ordered.size() + " changes");
        for (SimulatedDevice<Integer, Integer> stick : sticks) {
            assertTrue(stick.frames() > 0, at + stick.name() + " never worked");
        }
        assertTrue(vsIdeal >= 1.5, at + vsIdeal + " x the ideal of one never-throttled group of 2");
    }
}
