package dev.juggler.accel;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the health of an {@link AcceleratorPool}'s devices, at most once per health poll interval and on
 * one thread at a time, outside the dispatcher's lock (a read may be a round trip to the device), and hands
 * the readings to the {@link DeviceDispatcher}. Reads nothing when the rotation policy does not use health.
 *
 * <p>Thread-safe: concurrent callers of {@link #poll()} return at once while another thread polls.
 *
 * @param <I> the model input per frame
 * @param <O> the model output per frame
 */
final class HealthPoller<I, O> {

    private static final Logger LOG = LoggerFactory.getLogger(AcceleratorPool.class);

    private final String name;
    private final AcceleratorPoolConfig config;
    private final Clock clock;
    private final DeviceDispatcher<I, O> dispatcher;
    private final boolean readsHealth;
    private final AtomicBoolean polling = new AtomicBoolean();

    HealthPoller(AcceleratorPoolConfig config, Clock clock, DeviceDispatcher<I, O> dispatcher) {
        this.name = config.name();
        this.config = config;
        this.clock = clock;
        this.dispatcher = dispatcher;
        this.readsHealth = config.rotation().readsHealth();
    }

    /** Polls if the policy reads health and the interval has passed since the last poll. */
    void pollIfDue() {
        Instant last = dispatcher.lastPoll();
        if (readsHealth && (last == null || !clock.instant().isBefore(last.plus(config.healthPollInterval())))) {
            poll();
        }
    }

    /** See {@link AcceleratorPool#poll()}. */
    void poll() {
        if (!polling.compareAndSet(false, true)) {
            return;
        }
        try {
            Map<PoolSlot<I, O>, DeviceHealth> seen = new LinkedHashMap<>();
            if (readsHealth) {
                for (PoolSlot<I, O> slot : dispatcher.slots()) {
                    try {
                        slot.device.health().ifPresent(h -> seen.put(slot, h));
                    } catch (RuntimeException e) {
                        LOG.debug("pool {}: health of {} unreadable: {}", name, slot.name, e.toString());
                    }
                }
            }
            dispatcher.applyReadings(seen, clock.instant());
        } finally {
            polling.set(false);
        }
    }

    /** For a host scheduler: polls unless the pool is closed, and logs instead of throwing. */
    void pollQuietly(AtomicBoolean closed) {
        try {
            if (!closed.get()) {
                poll();
            }
        } catch (RuntimeException e) {
            LOG.warn("pool {}: scheduled poll failed", name, e);
        }
    }
}
