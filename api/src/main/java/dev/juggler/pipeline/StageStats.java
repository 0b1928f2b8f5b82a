package dev.juggler.pipeline;

/**
 * Latency of one pipeline stage per frame, in milliseconds. Immutable and thread-safe.
 *
 * @param frames frames measured
 * @param meanMs mean per frame
 * @param p50Ms median
 * @param p95Ms 95th percentile
 * @param p99Ms 99th percentile
 * @param maxMs maximum
 */
public record StageStats(long frames, double meanMs, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

    /** No frames measured. */
    public static final StageStats EMPTY = new StageStats(0, 0, 0, 0, 0, 0);

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "n=%d mean=%.2fms p50=%.2f p95=%.2f p99=%.2f max=%.2f", frames,
                meanMs, p50Ms, p95Ms, p99Ms, maxMs);
    }
}
