package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.JugglerException;
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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Seeded randomized runs of a pool over simulated devices on virtual time: random device counts, rotation
 * policies (fixed groups with random sizes and rules, or the thermal budget), service times, temperatures
 * and failures. Every assertion message carries the
 * seed; rerun one with {@code -Djuggler.seed=<seed>}.
 */
class AcceleratorPoolRandomizedTest {

    private static final int FRAMES = 1500;

    /** What a device did with one frame: which device, when it started and ended (virtual time). */
    private record Run(int frame, String device, Instant start, Instant end) {
    }

    /** Wraps a simulated device: logs each frame and fails at random before doing any work. */
    private static final class Flaky implements Accelerator<Integer, Integer> {
        final SimulatedDevice<Integer, Integer> inner;
        final VirtualTime time;
        final double failureRate;
        final SplittableRandom random;
        final ConcurrentLinkedQueue<Run> runs;

        Flaky(SimulatedDevice<Integer, Integer> inner, VirtualTime time, double failureRate, long seed,
                ConcurrentLinkedQueue<Run> runs) {
            this.inner = inner;
            this.time = time;
            this.failureRate = failureRate;
            this.random = new SplittableRandom(seed);
            this.runs = runs;
        }

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
            Instant start = time.now();
            boolean fails;
            synchronized (random) {
                fails = random.nextDouble() < failureRate;
            }
            if (fails) {
                throw new JugglerException(name() + " lost its USB connection", true, null);
            }
            List<Integer> out = inner.infer(batch);
            runs.add(new Run(batch.get(0), name(), start, time.now()));
            return out;
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

    private static long[] seeds() {
        String fixed = System.getProperty("juggler.seed");
        if (fixed != null) {
            return new long[] {Long.parseLong(fixed)};
        }
        long base = System.nanoTime();
        long[] seeds = new long[6];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = base + i * 0x9E3779B97F4A7C15L;
        }
        System.out.println("AcceleratorPoolRandomizedTest seeds " + java.util.Arrays.toString(seeds));
        return seeds;
    }

    @Test
    void everyFrameCompletesExactlyOnceAndOnlyActiveDevicesWork() throws Exception {
        long inFlightAcrossSwitches = 0;
        long switchesSeen = 0;
        for (long seed : seeds()) {
            Result r = simulate(seed, Mode.ANY);
            inFlightAcrossSwitches += r.acrossSwitch;
            switchesSeen += r.switches;
        }
        assertTrue(switchesSeen > 0, "no switch happened in any seed");
        assertTrue(inFlightAcrossSwitches > 0, "no batch was in flight across a switch in any seed");
    }

    @Test
    void cycleOnlyRotationIsStrictlyRoundRobin() throws Exception {
        for (long seed : seeds()) {
            simulate(seed, Mode.CYCLE_ONLY);
        }
    }

    @Test
    void thermalBudgetWithFailingDevicesCompletesEveryFrameExactlyOnce() throws Exception {
        long switchesSeen = 0;
        for (long seed : seeds()) {
            switchesSeen += simulate(seed, Mode.BUDGET).switches;
        }
        assertTrue(switchesSeen > 0, "no device ever rested or was called in");
    }

    /** Which rotation a run may use: any (drawn from the seed), fixed groups on a cycle only, or the thermal budget. */
    private enum Mode { ANY, CYCLE_ONLY, BUDGET }

    private record Result(long switches, long acrossSwitch) {
    }

    private Result simulate(long seed, Mode mode) throws Exception {
        boolean cycleOnly = mode == Mode.CYCLE_ONLY;
        String at = "seed " + seed + (mode == Mode.ANY ? "" : " (" + mode + ")") + ": ";
        SplittableRandom rnd = new SplittableRandom(seed);
        VirtualTime time = new VirtualTime(Instant.parse("2024-01-01T00:00:00Z"));
        int n = rnd.nextInt(2, 8);
        int k = rnd.nextInt(1, n / 2 + 1);
        boolean cycle = cycleOnly || rnd.nextBoolean();
        boolean temperature = !cycleOnly && (!cycle || rnd.nextBoolean());
        boolean throttling = !cycleOnly && rnd.nextBoolean();
        double failureRate = cycleOnly ? 0 : rnd.nextDouble() * 0.05;
        boolean budget = mode == Mode.BUDGET || !cycleOnly && rnd.nextInt(3) == 0;
        ConcurrentLinkedQueue<Run> runs = new ConcurrentLinkedQueue<>();
        List<Flaky> devices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SimulatedDevice<Integer, Integer> sim = SimulatedDevice.builder("s" + i).virtualTime(time)
                    .serviceTime(Duration.ofMillis(rnd.nextInt(5, 40)))
                    .thermalTimeConstant(Duration.ofSeconds(rnd.nextInt(5, 60)))
                    .heatPerInferenceCelsius(rnd.nextDouble(0.01, 0.3))
                    .initialCelsius(rnd.nextDouble(25, 68))
                    .build(x -> x * 3 + 1);
            devices.add(new Flaky(sim, time, failureRate, rnd.nextLong(), runs));
        }
        List<GroupSwitch> switches = new CopyOnWriteArrayList<>();
        AcceleratorPool.Builder<Integer, Integer> builder = AcceleratorPool.<Integer, Integer>builder()
                .devices(devices).clock(time.clock())
                .healthPollInterval(Duration.ofMillis(rnd.nextInt(20, 500)))
                .probeAfter(Duration.ofMillis(rnd.nextInt(100, 3000)))
                .maxAttempts(n)
                .listener(new AcceleratorPoolListener() {
                    @Override
                    public void onSwitch(GroupSwitch event) {
                        switches.add(event);
                    }
                });
        if (budget) {
            builder.rotation(ThermalBudgetRotation.below(rnd.nextDouble(40, 70)));
        } else {
            builder.groupSize(k);
            if (cycle) {
                builder.cyclePeriod(Duration.ofMillis(rnd.nextInt(100, 3000)));
            }
            if (temperature) {
                builder.temperatureThreshold(rnd.nextDouble(40, 70));
            }
            if (throttling) {
                builder.rotateOnThrottling(true);
            }
        }
        String config = "n=" + n + (budget ? " thermal budget" : " k=" + k + " cycle=" + cycle + " temperature="
                + temperature + " throttling=" + throttling) + " failureRate=" + failureRate + "; ";
        at += config;
        int threads = rnd.nextInt(1, 2 * n + 1);
        AtomicIntegerArray completed = new AtomicIntegerArray(FRAMES);
        AtomicInteger next = new AtomicInteger();
        AtomicLong wrong = new AtomicLong();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        List<List<String>> groups;
        List<String> initiallyActive;
        try (AcceleratorPool<Integer, Integer> pool = builder.build()) {
            groups = pool.groups();
            initiallyActive = pool.activeDevices();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                time.join();
                Thread worker = new Thread(() -> {
                    try {
                        for (int frame = next.getAndIncrement(); frame < FRAMES; frame = next.getAndIncrement()) {
                            while (true) {
                                try {
                                    List<Integer> out = pool.infer(List.of(frame));
                                    if (out.get(0) != frame * 3 + 1) {
                                        wrong.incrementAndGet();
                                    }
                                    completed.incrementAndGet(frame);
                                    break;
                                } catch (JugglerException e) {
                                    // Every device was out or failed: the caller tries again a little later.
                                    time.sleep(Duration.ofMillis(50));
                                }
                            }
                        }
                    } catch (Throwable e) {
                        unexpected.add(e);
                    } finally {
                        time.leave();
                    }
                }, "sim-" + t);
                workers.add(worker);
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(20));
                if (worker.isAlive()) {
                    fail(at + "simulation stuck at " + time.now());
                }
            }
        }
        assertTrue(unexpected.isEmpty(), at + unexpected);
        assertEquals(0, wrong.get(), at + "outputs mixed up");
        for (int f = 0; f < FRAMES; f++) {
            assertEquals(1, completed.get(f), at + "frame " + f + " completed " + completed.get(f) + " times");
        }
        int[] runsPerFrame = new int[FRAMES];
        for (Run run : runs) {
            runsPerFrame[run.frame]++;
        }
        for (int f = 0; f < FRAMES; f++) {
            assertEquals(1, runsPerFrame[f], at + "frame " + f + " ran on devices " + runsPerFrame[f] + " times");
        }

        List<GroupSwitch> ordered = new ArrayList<>(switches);
        ordered.sort((a, b) -> a.at().compareTo(b.at()));
        for (Run run : runs) {
            Set<String> allowed = new HashSet<>();
            List<String> before = initiallyActive;
            for (GroupSwitch s : ordered) {
                if (s.at().isBefore(run.start)) {
                    before = s.toDevices();
                } else if (s.at().equals(run.start)) {
                    allowed.addAll(s.fromDevices());
                    allowed.addAll(s.toDevices());
                }
            }
            allowed.addAll(before);
            assertTrue(allowed.contains(run.device), at + "frame " + run.frame + " started on inactive device "
                    + run.device + " at " + run.start + "; active devices then " + allowed);
        }
        if (!budget) {
            for (GroupSwitch s : ordered) {
                assertEquals(groups.get(s.toGroup()), s.toDevices(), at + "a switch names its group's devices: " + s);
            }
        }
        long acrossSwitch = 0;
        for (Run run : runs) {
            for (GroupSwitch s : ordered) {
                if (s.at().isAfter(run.start) && s.at().isBefore(run.end) && s.fromDevices().contains(run.device)) {
                    acrossSwitch++;
                    break;
                }
            }
        }
        if (cycleOnly) {
            assertTrue(!ordered.isEmpty(), at + "cycle rule never switched");
            for (GroupSwitch s : ordered) {
                assertEquals(SwitchReason.CYCLE, s.reason(), at + s);
                assertEquals((s.fromGroup() + 1) % groups.size(), s.toGroup(), at + "not round-robin: " + s);
            }
        }
        return new Result(ordered.size(), acrossSwitch);
    }

    @Test
    void withoutGroupingThroughputScalesWithDeviceCount() throws Exception {
        for (int n : new int[] {1, 2, 4, 8}) {
            VirtualTime time = new VirtualTime(Instant.parse("2024-01-01T00:00:00Z"));
            List<SimulatedDevice<Integer, Integer>> devices = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                devices.add(SimulatedDevice.builder("s" + i).virtualTime(time).serviceTime(Duration.ofMillis(10))
                        .heatPerInferenceCelsius(0).build(x -> x));
            }
            int frames = 400 * n;
            AtomicInteger next = new AtomicInteger();
            try (AcceleratorPool<Integer, Integer> pool = AcceleratorPool.<Integer, Integer>builder().devices(devices)
                    .clock(time.clock()).build()) {
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < n; t++) {
                    time.join();
                    workers.add(new Thread(() -> {
                        try {
                            while (next.getAndIncrement() < frames) {
                                pool.infer(List.of(1));
                            }
                        } finally {
                            time.leave();
                        }
                    }));
                }
                workers.forEach(Thread::start);
                for (Thread w : workers) {
                    w.join(20_000);
                }
            }
            double seconds = time.elapsed().toNanos() / 1e9;
            double perSecond = frames / seconds;
            assertEquals(100.0 * n, perSecond, 100.0 * n * 0.02, "n=" + n + ": " + perSecond + " frames/s");
            for (SimulatedDevice<Integer, Integer> d : devices) {
                assertEquals(400, d.frames(), "n=" + n + ": uneven share on " + d.name());
            }
        }
    }
}
