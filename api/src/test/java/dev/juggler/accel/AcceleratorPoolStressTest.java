package dev.juggler.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Real threads hammering a pool while a chaos thread moves the clock, heats devices, breaks and heals
 * them, and adds and removes devices. Seeded (the seed is in every message; rerun with
 * {@code -Djuggler.seed=<seed>}); the interleaving of real threads is not reproducible, the chaos is.
 */
class AcceleratorPoolStressTest {

    private static final int FRAMES = 20_000;

    @Test
    void everyFrameCompletesExactlyOnceUnderChaos() throws Exception {
        long seed = Long.getLong("juggler.seed", System.nanoTime());
        System.out.println("AcceleratorPoolStressTest seed " + seed);
        String at = "seed " + seed + ": ";
        SplittableRandom rnd = new SplittableRandom(seed);
        MutableClock clock = MutableClock.startingAt2024();
        List<ScriptedDevice> all = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(new ScriptedDevice("d" + i));
        }
        AtomicIntegerArray done = new AtomicIntegerArray(FRAMES);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        try (AcceleratorPool<Integer, Integer> pool = AcceleratorPool.<Integer, Integer>builder().devices(all)
                .groupSize(2).cyclePeriod(Duration.ofMillis(300)).temperatureThreshold(70).rotateOnThrottling(true)
                .healthPollInterval(Duration.ofMillis(50)).probeAfter(Duration.ofMillis(200)).maxAttempts(3)
                .clock(clock).build()) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                workers.add(new Thread(() -> {
                    try {
                        for (int f = next.getAndIncrement(); f < FRAMES; f = next.getAndIncrement()) {
                            while (true) {
                                try {
                                    if (pool.infer(List.of(f)).get(0) != f * 10) {
                                        wrong.incrementAndGet();
                                    }
                                    done.incrementAndGet(f);
                                    break;
                                } catch (JugglerException e) {
                                    Thread.onSpinWait();
                                }
                            }
                        }
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                }));
            }
            Thread chaos = new Thread(() -> {
                int added = 6;
                try {
                    while (!stop.get()) {
                        clock.advance(Duration.ofMillis(rnd.nextInt(1, 60)));
                        List<String> names = pool.groups().stream().flatMap(List::stream).distinct().toList();
                        ScriptedDevice victim = pick(all, names, rnd);
                        switch (rnd.nextInt(6)) {
                            case 0 -> victim.temperature = rnd.nextDouble(40, 80);
                            case 1 -> victim.throttling = rnd.nextInt(4) == 0;
                            case 2 -> victim.failing = rnd.nextInt(3) == 0;
                            case 3 -> {
                                if (names.size() < 8) {
                                    ScriptedDevice d = new ScriptedDevice("d" + added++);
                                    all.add(d);
                                    pool.addDevice(d);
                                }
                            }
                            case 4 -> {
                                if (names.size() > 4) {
                                    pool.removeDevice(victim.name);
                                }
                            }
                            default -> Thread.yield();
                        }
                        for (ScriptedDevice d : all) {
                            if (rnd.nextInt(10) == 0) {
                                d.failing = false;
                            }
                        }
                    }
                } catch (Throwable e) {
                    unexpected.add(e);
                }
            });
            chaos.start();
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join(20_000);
                assertTrue(!w.isAlive(), at + "worker stuck");
            }
            stop.set(true);
            chaos.join(5_000);
            assertTrue(pool.stats().switches() > 0, at + "nothing rotated");
        }
        assertTrue(unexpected.isEmpty(), at + unexpected);
        assertEquals(0, wrong.get(), at + "outputs mixed up");
        int[] runs = new int[FRAMES];
        for (ScriptedDevice d : all) {
            for (int f : d.received) {
                runs[f]++;
            }
        }
        for (int f = 0; f < FRAMES; f++) {
            assertEquals(1, done.get(f), at + "frame " + f + " completed " + done.get(f) + " times");
            assertEquals(1, runs[f], at + "frame " + f + " ran " + runs[f] + " times");
        }
    }

    private static ScriptedDevice pick(List<ScriptedDevice> all, List<String> inPool, SplittableRandom rnd) {
        List<ScriptedDevice> candidates = all.stream().filter(d -> inPool.contains(d.name)).toList();
        return candidates.get(rnd.nextInt(candidates.size()));
    }
}
