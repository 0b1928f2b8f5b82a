package dev.juggler.accel;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Counters of an {@link AcceleratorPool} since it was built. Immutable and thread-safe.
 *
 * @param requests batches completed successfully
 * @param retries batches retried on another device after a device failed
 * @param failed batches that failed on every device tried and were reported to the caller
 * @param switches group switches, all reasons
 * @param longestSwitchGap the longest time from a switch until the first request started on the new
 *     group, among switches followed by a request (the pool's clock); zero if none
 * @param batchesPerDevice completed batches by device name (devices removed since are still listed)
 */
public record PoolStats(long requests, long retries, long failed, long switches, Duration longestSwitchGap,
        Map<String, Long> batchesPerDevice) {
    public PoolStats {
        Objects.requireNonNull(longestSwitchGap, "longestSwitchGap");
        batchesPerDevice = Map.copyOf(batchesPerDevice);
    }
}
