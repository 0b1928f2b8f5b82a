package dev.juggler.accel.sim;

import dev.juggler.accel.Accelerator;
import dev.juggler.accel.AcceleratorPool;
import dev.juggler.accel.AcceleratorPoolListener;
import dev.juggler.accel.GroupSwitch;
import dev.juggler.accel.SwitchReason;
import dev.juggler.accel.ThermalBudgetRotation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The thermal rotation benchmark behind {@code bench/thermal.sh}: five simulated NCS2-like sticks for one
 * hour of virtual time, in groups of two, against the ideal (two sticks that never throttle) and against
 * all five sticks without rotation; then the same sticks under the {@link ThermalBudgetRotation} (every
 * stick duty-cycled just below the threshold); then the real-time dispatch overhead of the pool. Appends a
 * table to the file given with {@code --out} and prints the {@code RESULT} line last.
 */
public final class ThermalBenchmark {

    private static final int STICKS = 5;
    private static final int GROUP = 2;
    private static final double THRESHOLD = 65.0;
    private static final Duration CYCLE = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final ThermalBudgetRotation BUDGET = ThermalBudgetRotation.below(THRESHOLD);

    private ThermalBenchmark() {
    }

    /** What one simulated run produced. */
    private record Outcome(String name, long frames, double seconds, double maxTemp, long throttled, long lost,
            long duplicated, Duration longestSwitchGap, long longestCompletionGapNanos, long switches,
            Map<SwitchReason, Integer> reasons, double wallSeconds) {
        double perSecond() {
            return frames / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        Duration simulated = Duration.ofHours(1);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--minutes" -> simulated = Duration.ofMinutes(Long.parseLong(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Outcome rotation = simulate("rotation (cycle 20 s + threshold + throttling)", Mode.ALL_RULES, simulated);
        Outcome thresholdOnly = simulate("rotation (threshold + throttling, no cycle)", Mode.THRESHOLD_ONLY, simulated);
        Outcome noRotation = simulate("no rotation (all 5 sticks)", Mode.NONE, simulated);
        Outcome budget = simulate(String.format(Locale.ROOT, "thermal budget (all 5 sticks, each rests at %.1f °C until %.1f °C)",
                BUDGET.restAtCelsius(), BUDGET.resumeAtCelsius()), Mode.BUDGET, simulated);
        double serviceSeconds = SimulatedDevice.DEFAULT_SERVICE_TIME.toNanos() / 1e9;
        double idealPerSecond = GROUP / serviceSeconds;
        double[] overhead = dispatchOverhead();

        // The RESULT line reports the worse of the two rotation setups.
        double rotationVsIdeal = Math.min(rotation.perSecond(), thresholdOnly.perSecond()) / idealPerSecond;
        double noRotationVsIdeal = noRotation.perSecond() / idealPerSecond;
        double maxRotationTemp = Math.max(rotation.maxTemp, thresholdOnly.maxTemp);
        double overThreshold = maxRotationTemp - THRESHOLD;
        double budgetVsIdeal = budget.perSecond() / idealPerSecond;
        double budgetOverThreshold = budget.maxTemp - THRESHOLD;
        StringBuilder table = new StringBuilder();
        table.append("\n## thermal\n\n");
        table.append("Run ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT))
                .append(" on ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(". `bench/thermal.sh`: ").append(STICKS)
                .append(" simulated NCS2-like sticks (SimulatedDevice defaults: 30 ms/frame, throttle at 70 °C to 4× slower, ")
                .append("tau 90 s, 0.02 °C/frame), ").append(simulated.toMinutes()).append(" min of virtual time, groups of ")
                .append(GROUP).append(", threshold ").append(fmt(THRESHOLD)).append(" °C, health polled every ").append(POLL.toMillis())
                .append(" ms. Ideal = ").append(GROUP).append(" sticks that never throttle = ")
                .append(fmt(idealPerSecond)).append(" frames/s.\n\n");
        table.append("| run | frames/s | vs ideal | frames/s per stick owned | max °C | throttled frames | switches | longest switch gap | longest gap between completions | lost | duplicated | wall s |\n");
        table.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        table.append(String.format(Locale.ROOT, "| ideal (%d sticks, never throttled) | %.1f | 1.000 | %.1f | - | 0 | - | - | %.1f ms | - | - | - |%n",
                GROUP, idealPerSecond, idealPerSecond / GROUP, serviceSeconds * 1000 / GROUP));
        for (Outcome o : List.of(rotation, thresholdOnly, noRotation, budget)) {
            table.append(String.format(Locale.ROOT, "| %s | %.1f | %.3f | %.1f | %.2f | %d | %s | %s | %.1f ms | %d | %d | %.1f |%n",
                    o.name, o.perSecond(), o.perSecond() / idealPerSecond, o.perSecond() / STICKS, o.maxTemp, o.throttled,
                    o.switches == 0 ? "0" : o.switches + " " + o.reasons, o.switches == 0 ? "-" : o.longestSwitchGap.toNanos() / 1e6 + " ms",
                    o.longestCompletionGapNanos / 1e6, o.lost, o.duplicated, o.wallSeconds));
        }
        table.append(String.format(Locale.ROOT, "%nMax temperature with rotation: %.2f °C vs threshold %.1f °C (%+.2f °C); "
                + "with the thermal budget (ThermalBudgetRotation with its defaults: every stick works, rests from threshold − 0.5 °C "
                + "until it has cooled by 1 °C; 10 caller threads): %.2f °C (%+.2f °C) at %.3f× the ideal. "
                + "Dispatch overhead (real time, no model, 1 thread, best of 5 × 1M calls): direct call %.1f ns/frame, through the pool "
                + "(5 devices, groups of 2, all rules on) %.1f ns/frame, overhead %.1f ns/frame; in that real-time run the pool switched %d times (cycle 100 ms) and the longest switch gap (switch to the first batch on the new group) was %.1f µs.%n",
                maxRotationTemp, THRESHOLD, overThreshold, budget.maxTemp, budgetOverThreshold, budgetVsIdeal, overhead[0], overhead[1], overhead[1] - overhead[0], (long) overhead[3], overhead[2] / 1000));
        System.out.print(table);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, table.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        System.out.println(String.format(Locale.ROOT,
                "RESULT thermal rotation_vs_ideal=%.3f norotation_vs_ideal=%.3f max_over_threshold_c=%.2f lost=%d duplicated=%d"
                        + " budget_vs_ideal=%.3f budget_max_over_threshold_c=%.2f",
                rotationVsIdeal, noRotationVsIdeal, overThreshold,
                rotation.lost + thresholdOnly.lost + noRotation.lost + budget.lost,
                rotation.duplicated + thresholdOnly.duplicated + noRotation.duplicated + budget.duplicated,
                budgetVsIdeal, budgetOverThreshold));
    }

    /** Which rotation rules a run uses. */
    private enum Mode { ALL_RULES, THRESHOLD_ONLY, NONE, BUDGET }

    private static Outcome simulate(String name, Mode mode, Duration length) throws InterruptedException {
        long wallStart = System.nanoTime();
        VirtualTime time = new VirtualTime(Instant.parse("2024-01-01T00:00:00Z"));
        int capacity = (int) (length.toNanos() / SimulatedDevice.DEFAULT_SERVICE_TIME.toNanos() * STICKS + 1024);
        AtomicIntegerArray runs = new AtomicIntegerArray(capacity);
        AtomicIntegerArray completions = new AtomicIntegerArray(capacity);
        List<SimulatedDevice<Integer, Integer>> sticks = new ArrayList<>();
        for (int i = 0; i < STICKS; i++) {
            sticks.add(SimulatedDevice.builder("ncs" + i).virtualTime(time).build(frame -> {
                runs.incrementAndGet(frame);
                return frame;
            }));
        }
        Map<SwitchReason, Integer> reasons = new EnumMap<>(SwitchReason.class);
        AcceleratorPool.Builder<Integer, Integer> builder = AcceleratorPool.<Integer, Integer>builder().name(name)
                .devices(sticks).clock(time.clock()).healthPollInterval(POLL);
        boolean rotate = mode == Mode.ALL_RULES || mode == Mode.THRESHOLD_ONLY;
        if (mode == Mode.ALL_RULES) {
            builder.cyclePeriod(CYCLE);
        }
        if (rotate) {
            builder.groupSize(GROUP).temperatureThreshold(THRESHOLD).rotateOnThrottling(true);
        } else if (mode == Mode.BUDGET) {
            builder.rotation(BUDGET);
        }
        if (mode != Mode.NONE) {
            builder.listener(new AcceleratorPoolListener() {
                @Override
                public void onSwitch(GroupSwitch event) {
                    synchronized (reasons) {
                        reasons.merge(event.reason(), 1, Integer::sum);
                    }
                }
            });
        }
        // Two callers per device that may work: the active group's, or every stick's.
        int threads = 2 * (rotate ? GROUP : STICKS);
        AtomicInteger next = new AtomicInteger();
        long endNanos = length.toNanos();
        long[][] doneAt = new long[threads][];
        int[] doneCount = new int[threads];
        Duration gap;
        long switches;
        try (AcceleratorPool<Integer, Integer> pool = builder.build()) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                doneAt[t] = new long[capacity / threads + 1024];
                time.join();
                workers.add(new Thread(() -> {
                    try {
                        while (time.elapsed().toNanos() < endNanos) {
                            int frame = next.getAndIncrement();
                            List<Integer> result = pool.infer(List.of(frame));
                            if (result.get(0) == frame) {
                                completions.incrementAndGet(frame);
                            }
                            long at = time.elapsed().toNanos();
                            if (at <= endNanos) {
                                if (doneCount[id] == doneAt[id].length) {
                                    doneAt[id] = Arrays.copyOf(doneAt[id], doneAt[id].length * 2);
                                }
                                doneAt[id][doneCount[id]++] = at;
                            }
                        }
                    } finally {
                        time.leave();
                    }
                }, "bench-" + t));
            }
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join();
            }
            gap = pool.stats().longestSwitchGap();
            switches = pool.stats().switches();
        }
        long frames = 0;
        long[] all = new long[Arrays.stream(doneCount).sum()];
        int pos = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(doneAt[t], 0, all, pos, doneCount[t]);
            pos += doneCount[t];
        }
        frames = all.length;
        Arrays.sort(all);
        long longestGap = 0;
        for (int i = 1; i < all.length; i++) {
            longestGap = Math.max(longestGap, all[i] - all[i - 1]);
        }
        long lost = 0;
        long duplicated = 0;
        int submitted = next.get();
        for (int f = 0; f < submitted; f++) {
            if (completions.get(f) == 0) {
                lost++;
            }
            if (runs.get(f) > 1 || completions.get(f) > 1) {
                duplicated++;
            }
        }
        double maxTemp = sticks.stream().mapToDouble(SimulatedDevice::maxTemperatureCelsius).max().orElse(Double.NaN);
        long throttled = sticks.stream().mapToLong(SimulatedDevice::throttledFrames).sum();
        return new Outcome(name, frames, length.toNanos() / 1e9, maxTemp, throttled, lost, duplicated, gap, longestGap,
                switches, reasons, (System.nanoTime() - wallStart) / 1e9);
    }

    /** Nanoseconds per frame: [0] calling a no-op device directly, [1] through a rotating pool of them. */
    private static double[] dispatchOverhead() {
        List<Accelerator<Integer, Integer>> devices = new ArrayList<>();
        for (int i = 0; i < STICKS; i++) {
            devices.add(new Noop("noop" + i));
        }
        Accelerator<Integer, Integer> direct = devices.get(0);
        List<Integer> batch = List.of(1);
        double directNs = Double.MAX_VALUE;
        double poolNs = Double.MAX_VALUE;
        double gapNs;
        long switches;
        try (AcceleratorPool<Integer, Integer> pool = AcceleratorPool.<Integer, Integer>builder().devices(devices)
                .groupSize(GROUP).cyclePeriod(Duration.ofMillis(100)).temperatureThreshold(THRESHOLD)
                .rotateOnThrottling(true).healthPollInterval(POLL).build()) {
            for (int round = 0; round < 5; round++) {
                directNs = Math.min(directNs, time(direct, batch));
                poolNs = Math.min(poolNs, time(pool, batch));
            }
            gapNs = pool.stats().longestSwitchGap().toNanos();
            switches = pool.stats().switches();
        }
        return new double[] {directNs, poolNs, gapNs, switches};
    }

    private static volatile int sink;

    private static double time(Accelerator<Integer, Integer> accelerator, List<Integer> batch) {
        int calls = 1_000_000;
        long start = System.nanoTime();
        int acc = 0;
        for (int i = 0; i < calls; i++) {
            acc += accelerator.infer(List.of(i)).get(0);
        }
        sink = acc;
        return (System.nanoTime() - start) / (double) calls;
    }

    /** A device without a model: the cost of a call and nothing else. */
    private record Noop(String name) implements Accelerator<Integer, Integer> {
        @Override
        public int maxBatchSize() {
            return 1;
        }

        @Override
        public List<Integer> infer(List<Integer> batch) {
            return List.of(batch.get(0) + 1);
        }

        @Override
        public void close() {
        }
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
