package dev.juggler.accel;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.internal.Listeners;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several accelerators behind one: an {@link Accelerator} that spreads batches over its devices and, when
 * asked to, lets only some of them work at a time so that none overheats.
 *
 * <h2>Dispatch</h2>
 * Each batch goes to the <em>active</em> device with the fewest batches in flight, so throughput grows
 * with the number of active devices as long as callers keep that many batches in flight (e.g. one
 * pipeline inference thread per device). Which devices are active is decided by the pool's
 * {@link RotationPolicy}:
 * <ul>
 *   <li>{@link RotationPolicy#none()} (the default): all devices, always;</li>
 *   <li>{@link FixedGroupRotation} ({@link Builder#groupSize(int)} and the rules next to it): one group of
 *       {@code k} devices at a time, rotating on a cycle, a temperature threshold, throttling or failure;</li>
 *   <li>{@link ThermalBudgetRotation} ({@link Builder#rotation(RotationPolicy)}): every device, each resting
 *       whenever it gets just below the threshold;</li>
 *   <li>a host's own {@link RotationPolicy}.</li>
 * </ul>
 * A change of the active devices only redirects new batches: batches already running finish where they
 * run, and no batch is dropped or run twice. A change is a few field writes under a lock, taken on the
 * thread of the batch that notices it, so the gap between the old devices' last start and the new ones'
 * first is far shorter than one inference.
 *
 * <p>Temperatures and throttling come from each device's {@link Accelerator#health()}, read at most every
 * {@link Builder#healthPollInterval(Duration)} (only if the policy needs them) by whichever caller notices
 * that a poll is due (or by the host's scheduler, see {@link Builder#scheduler(ScheduledExecutorService)}),
 * and never under the pool's lock. Time comes from the injected {@link Clock} only, so tests drive
 * rotation with a fake clock.
 *
 * <h2>Device health</h2>
 * Each device has a small circuit breaker (closed, open, half-open). A device whose {@code infer} throws
 * ({@link Builder#failureThreshold(int)} times in a row) is taken out of service and the batch is retried
 * on another device (at most {@link Builder#maxAttempts(int)} devices per batch). After
 * {@link Builder#probeAfter(Duration)} the device gets one trial batch the next time it is active;
 * success puts it back, failure takes it out for another period. Devices can be {@linkplain #addDevice
 * added} and {@linkplain #removeDevice removed} while batches run.
 *
 * <p>Thread-safe: {@link #infer} may be called from any number of threads. The pool owns no thread
 * (a host scheduler may be given). {@link #close()} closes the devices only if
 * {@link Builder#closeDevicesOnClose(boolean)} says so.
 *
 * @param <I> the model input per frame
 * @param <O> the model output per frame
 */
public final class AcceleratorPool<I, O> implements Accelerator<I, O> {

    /** Default assumed ambient temperature, °C ({@link FixedGroupRotation#DEFAULT_AMBIENT_CELSIUS}). */
    public static final double DEFAULT_AMBIENT_CELSIUS = FixedGroupRotation.DEFAULT_AMBIENT_CELSIUS;
    /** Default interval between two reads of the devices' health. */
    public static final Duration DEFAULT_HEALTH_POLL_INTERVAL = AcceleratorPoolConfig.DEFAULT_HEALTH_POLL_INTERVAL;
    /** Default time a failed device stays out before it gets a trial batch. */
    public static final Duration DEFAULT_PROBE_AFTER = AcceleratorPoolConfig.DEFAULT_PROBE_AFTER;
    /** Default number of consecutive failures that take a device out. */
    public static final int DEFAULT_FAILURE_THRESHOLD = AcceleratorPoolConfig.DEFAULT_FAILURE_THRESHOLD;
    /** Default number of devices one batch is tried on before the failure reaches the caller. */
    public static final int DEFAULT_MAX_ATTEMPTS = AcceleratorPoolConfig.DEFAULT_MAX_ATTEMPTS;

    private static final Logger LOG = LoggerFactory.getLogger(AcceleratorPool.class);

    private final AcceleratorPoolConfig config;
    private final String name;
    private final Listeners<AcceleratorPoolListener> listeners = new Listeners<>();
    private final DeviceDispatcher<I, O> dispatcher;
    private final HealthPoller<I, O> poller;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledFuture<?> scheduled;

    private AcceleratorPool(AcceleratorPoolConfig config, List<Accelerator<I, O>> devices, Clock clock,
            List<AcceleratorPoolListener> listeners, ScheduledExecutorService scheduler) {
        this.config = config;
        this.name = config.name();
        this.listeners.addAll(listeners);
        this.dispatcher = new DeviceDispatcher<>(config, devices, clock, this.listeners);
        this.poller = new HealthPoller<>(config, clock, dispatcher);
        if (scheduler != null) {
            Duration period = config.rotation().idleCheckInterval(config.healthPollInterval());
            long nanos = Math.max(1_000_000L, period.toNanos());
            this.scheduled = scheduler.scheduleWithFixedDelay(() -> poller.pollQuietly(closed), nanos, nanos, TimeUnit.NANOSECONDS);
        } else {
            this.scheduled = null;
        }
    }

    /** Starts a builder. */
    public static <I, O> Builder<I, O> builder() {
        return new Builder<>();
    }

    @Override
    public String name() {
        return name;
    }

    /** The pool's settings, including its rotation policy. */
    public AcceleratorPoolConfig config() {
        return config;
    }

    /** The smallest {@link Accelerator#maxBatchSize()} among the current devices. */
    @Override
    public int maxBatchSize() {
        return dispatcher.maxBatchSize();
    }

    /**
     * Runs the batch on one active device (the least loaded), retrying on another device if that one fails.
     *
     * @throws UnavailableException if no device can take work (all out of service)
     * @throws JugglerException the device's own exception when it is not a device failure (see
     *     {@link Builder#deviceFailure}), or a transient one after {@code maxAttempts} devices failed
     */
    @Override
    public List<O> infer(List<I> batch) {
        Objects.requireNonNull(batch, "batch");
        if (closed.get()) {
            throw new IllegalStateException("accelerator pool " + name + " is closed");
        }
        int max = dispatcher.maxBatchSize();
        if (batch.size() > max) { // the caller's mistake: retrying it on other devices cannot help
            throw new IllegalArgumentException("batch of " + batch.size() + " for accelerator pool " + name
                    + ", whose devices take at most " + max);
        }
        poller.pollIfDue();
        // Allocated only after a failure: the common path stays allocation-free here.
        Set<PoolSlot<I, O>> tried = Collections.emptySet();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            DeviceDispatcher.Attempt<I, O> chosen = dispatcher.acquire(tried, last);
            PoolSlot<I, O> slot = chosen.slot();
            List<O> out;
            try {
                out = slot.device.infer(batch);
                if (out == null || out.size() != batch.size()) {
                    throw JugglerException.transientFailure("device " + slot.name + " returned "
                            + (out == null ? "null" : out.size() + " outputs") + " for " + batch.size() + " inputs", null);
                }
            } catch (RuntimeException e) {
                boolean deviceFault = config.deviceFailure().test(e);
                dispatcher.release(chosen, e, deviceFault);
                if (!deviceFault) {
                    throw e;
                }
                if (tried.isEmpty()) {
                    tried = new HashSet<>();
                }
                tried.add(slot);
                last = e;
                continue;
            }
            dispatcher.release(chosen, null, false);
            return out;
        }
        dispatcher.countFailed();
        throw JugglerException.transientFailure("pool " + name + ": batch of " + batch.size() + " failed on " + tried.size()
                + " devices " + names(tried) + "; last error: " + last, last);
    }

    /**
     * The pool's health: the hottest temperature last seen on the active devices, and whether any of them
     * throttles. Empty when no active device has reported.
     */
    @Override
    public Optional<DeviceHealth> health() {
        return dispatcher.health();
    }

    /** Names of the active devices, in the policy's order (for fixed groups: group order). */
    public List<String> activeDevices() {
        return dispatcher.activeDevices();
    }

    /** Index of the active group in {@link #groups()}. */
    public int activeGroup() {
        return dispatcher.activeGroup();
    }

    /** The device groups by index, as device names; one group of all devices without grouping. */
    public List<List<String>> groups() {
        return dispatcher.groups();
    }

    /** A snapshot of the pool's counters. */
    public PoolStats stats() {
        return dispatcher.stats();
    }

    /**
     * Reads every device's health now (if the rotation policy uses it) and lets the policy change the
     * active devices. Callers of {@link #infer} do this themselves when a poll is due; a host calls it to
     * rotate an idle pool, e.g. from its own scheduler. Returns at once if another thread is polling.
     */
    public void poll() {
        poller.poll();
    }

    /**
     * Adds a device while the pool runs. The policy forms its groups anew over the new device list; with
     * fixed groups, the active group keeps its index.
     *
     * @throws InvalidConfigException if a device of that name is already in the pool
     */
    public void addDevice(Accelerator<I, O> device) {
        dispatcher.add(Objects.requireNonNull(device, "device"));
    }

    /**
     * Removes a device while the pool runs: it gets no new batch from now on, and this call returns once
     * its batches in flight have finished. The device is not closed; it is handed back.
     *
     * @return the device, or empty if the pool has none of that name
     * @throws IllegalStateException if it is the pool's last device
     */
    public Optional<Accelerator<I, O>> removeDevice(String deviceName) {
        return dispatcher.remove(Objects.requireNonNull(deviceName, "deviceName"));
    }

    /** Adds a listener; events from now on reach it. */
    public void addListener(AcceleratorPoolListener listener) {
        listeners.add(listener);
    }

    /** Stops the host scheduler task, if any, and closes the devices if configured to. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        if (config.closeDevicesOnClose()) {
            for (PoolSlot<I, O> slot : dispatcher.slots()) {
                try {
                    slot.device.close();
                } catch (RuntimeException e) {
                    LOG.warn("pool {}: closing {} failed", name, slot.name, e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "AcceleratorPool[" + name + ", " + config.rotation() + ", groups=" + groups() + ", active="
                + activeDevices() + "]";
    }

    private static List<String> names(Collection<? extends PoolSlot<?, ?>> slots) {
        return slots.stream().map(s -> s.name).toList();
    }

    /**
     * Configures an {@link AcceleratorPool}: its devices, collaborators (clock, scheduler, listeners) and
     * {@link AcceleratorPoolConfig settings}. Each setter checks its value; {@link #build()} checks how the
     * values fit together. The fixed-group rules ({@link #groupSize}, {@link #cyclePeriod},
     * {@link #temperatureThreshold}, {@link #ambientTemperature}, {@link #rotateOnThrottling}) are a
     * shorthand for a {@link FixedGroupRotation}; any other policy is given with {@link #rotation}. Not
     * thread-safe; build on one thread.
     *
     * @param <I> the model input per frame
     * @param <O> the model output per frame
     */
    public static final class Builder<I, O> {
        private final List<Accelerator<I, O>> devices = new ArrayList<>();
        private final List<AcceleratorPoolListener> listeners = new ArrayList<>();
        private AcceleratorPoolConfig.Builder config = AcceleratorPoolConfig.builder();
        private final FixedGroupRotation.Builder fixed = FixedGroupRotation.builder();
        private boolean fixedRules;
        private RotationPolicy rotation;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;

        private Builder() {
        }

        /**
         * Takes every setting of {@code settings} (name, rotation policy, health polling, circuit breaker,
         * closing), replacing what was set before; setters called later change single values.
         */
        public Builder<I, O> config(AcceleratorPoolConfig settings) {
            if (settings == null) {
                throw InvalidConfigException.of("config", null, "must not be null");
            }
            this.config = settings.toBuilder();
            this.rotation = settings.rotation() == RotationPolicy.none() ? null : settings.rotation();
            return this;
        }

        /** The pool's name in logs and events; default {@code pool}. */
        public Builder<I, O> name(String name) {
            config.name(name);
            return this;
        }

        /** Adds one device; the order of devices is the pool order (which forms fixed groups). */
        public Builder<I, O> device(Accelerator<I, O> device) {
            if (device == null) {
                throw InvalidConfigException.of("device", null, "must not be null");
            }
            devices.add(device);
            return this;
        }

        /** Adds devices in order. */
        public Builder<I, O> devices(List<? extends Accelerator<I, O>> all) {
            if (all == null) {
                throw InvalidConfigException.of("devices", null, "must not be null");
            }
            all.forEach(this::device);
            return this;
        }

        /**
         * Which devices work when, e.g. {@link ThermalBudgetRotation#below(double)}; default all devices,
         * always. Cannot be combined with the fixed-group shorthand setters.
         */
        public Builder<I, O> rotation(RotationPolicy policy) {
            if (policy == null) {
                throw InvalidConfigException.of("rotation", null, "must not be null; RotationPolicy.none() lets all devices work");
            }
            this.rotation = policy;
            return this;
        }

        /**
         * Devices per group ({@code k}), {@code 1 <= k <= n/2}: a {@link FixedGroupRotation}, with at least
         * one of the rules below. Without it, all devices work and nothing rotates.
         */
        public Builder<I, O> groupSize(int k) {
            fixed.groupSize(k);
            fixedRules = true;
            return this;
        }

        /** See {@link FixedGroupRotation.Builder#cyclePeriod}. Off by default. */
        public Builder<I, O> cyclePeriod(Duration period) {
            fixed.cyclePeriod(period);
            fixedRules = true;
            return this;
        }

        /** See {@link FixedGroupRotation.Builder#temperatureThreshold}. Off by default. */
        public Builder<I, O> temperatureThreshold(double celsius) {
            fixed.temperatureThreshold(celsius);
            fixedRules = true;
            return this;
        }

        /** See {@link FixedGroupRotation.Builder#ambientTemperature}; default 25 °C. */
        public Builder<I, O> ambientTemperature(double celsius) {
            fixed.ambientTemperature(celsius);
            return this;
        }

        /** See {@link FixedGroupRotation.Builder#rotateOnThrottling}. Off by default. */
        public Builder<I, O> rotateOnThrottling(boolean rotate) {
            fixed.rotateOnThrottling(rotate);
            fixedRules |= rotate;
            return this;
        }

        /** How often device health is read when the rotation policy uses it; default 1 s. */
        public Builder<I, O> healthPollInterval(Duration interval) {
            config.healthPollInterval(interval);
            return this;
        }

        /** How long a failed device stays out before it gets a trial batch; default 30 s. */
        public Builder<I, O> probeAfter(Duration delay) {
            config.probeAfter(delay);
            return this;
        }

        /** Consecutive failures that take a device out; default 1. */
        public Builder<I, O> failureThreshold(int failures) {
            config.failureThreshold(failures);
            return this;
        }

        /** Devices one batch is tried on before its failure reaches the caller; default 3. */
        public Builder<I, O> maxAttempts(int attempts) {
            config.maxAttempts(attempts);
            return this;
        }

        /** See {@link AcceleratorPoolConfig.Builder#deviceFailure}; default: every exception is the device's fault. */
        public Builder<I, O> deviceFailure(Predicate<RuntimeException> isDeviceFailure) {
            config.deviceFailure(isDeviceFailure);
            return this;
        }

        /** The clock for cycles, polls and probes; default the system UTC clock. */
        public Builder<I, O> clock(Clock clock) {
            this.clock = InvalidConfigException.required(clock, "clock");
            return this;
        }

        /**
         * A host scheduler on which the pool polls health and checks the cycle even while no batch
         * arrives. Not owned: the pool cancels its task on close but never shuts the scheduler down.
         * Without one, rotation is checked only by callers of {@code infer}.
         */
        public Builder<I, O> scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = InvalidConfigException.required(scheduler, "scheduler");
            return this;
        }

        /** Whether {@link AcceleratorPool#close()} closes the devices; default {@code false}. */
        public Builder<I, O> closeDevicesOnClose(boolean close) {
            config.closeDevicesOnClose(close);
            return this;
        }

        /** Adds a listener. */
        public Builder<I, O> listener(AcceleratorPoolListener listener) {
            if (listener == null) {
                throw InvalidConfigException.of("listener", null, "must not be null");
            }
            listeners.add(listener);
            return this;
        }

        /**
         * Checks how the settings fit together and builds the pool.
         *
         * @throws InvalidConfigException naming the value and the rule it breaks
         */
        public AcceleratorPool<I, O> build() {
            int n = devices.size();
            if (n == 0) {
                throw InvalidConfigException.of("devices", "[]", "a pool needs at least one device");
            }
            Set<String> names = new HashSet<>();
            for (Accelerator<I, O> device : devices) {
                if (!names.add(device.name())) {
                    throw InvalidConfigException.of("devices", device.name(), "device names must be unique within a pool");
                }
            }
            RotationPolicy policy = resolveRotation(n);
            policy.check(n);
            return new AcceleratorPool<>(config.rotation(policy).build(), devices, clock, listeners, scheduler);
        }

        private RotationPolicy resolveRotation(int n) {
            if (!fixedRules) {
                return rotation == null ? RotationPolicy.none() : rotation;
            }
            if (rotation != null) {
                throw InvalidConfigException.of("rotation", rotation, "cannot be combined with groupSize, cyclePeriod, "
                        + "temperatureThreshold or rotateOnThrottling: set those on a FixedGroupRotation instead");
            }
            FixedGroupRotation.checkGroupSize(fixed.groupSizeSoFar(), n);
            return fixed.build();
        }
    }
}
