package dev.juggler.pipeline;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Collects per-frame latencies with a fixed memory footprint: exact count, mean and maximum, and
 * percentiles from a uniform reservoir sample, so a stage measured over millions of frames costs the
 * same few kilobytes as one measured over ten. Public so that pipelines other than
 * {@link BoundedFramePipeline} report the same {@link StageStats}.
 *
 * <p>Thread-safe (synchronised; recording is a handful of arithmetic operations, a snapshot copies the
 * sample under the lock and sorts it outside).
 */
public final class LatencyRecorder {
    private static final int RESERVOIR = 4096;

    private final long[] sample = new long[RESERVOIR];
    // A fixed seed keeps reports reproducible for the same sequence of measurements.
    private final SplittableRandom random = new SplittableRandom(0x5eedL);
    private long count;
    private long sumNanos;
    private long maxNanos;

    public synchronized void record(long nanos) {
        long value = Math.max(0, nanos);
        if (count < RESERVOIR) {
            sample[(int) count] = value;
        } else {
            long slot = random.nextLong(count + 1);
            if (slot < RESERVOIR) {
                sample[(int) slot] = value;
            }
        }
        count++;
        sumNanos += value;
        maxNanos = Math.max(maxNanos, value);
    }

    public StageStats snapshot() {
        long n;
        long sum;
        long max;
        long[] sorted;
        synchronized (this) {
            if (count == 0) {
                return StageStats.EMPTY;
            }
            n = count;
            sum = sumNanos;
            max = maxNanos;
            sorted = Arrays.copyOf(sample, (int) Math.min(count, RESERVOIR));
        }
        // Sorted outside the lock: recording threads wait for a 32 KiB copy, not for the sort.
        Arrays.sort(sorted);
        return new StageStats(n, sum / 1e6 / n, percentile(sorted, 0.50), percentile(sorted, 0.95),
                percentile(sorted, 0.99), max / 1e6);
    }

    private static double percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
