package dev.juggler.accel;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.internal.Listeners;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several accelerators behind one: an {@link Accelerator} that spreads batches over its devices and,
 * when asked to, keeps only one <em>device group</em> of {@code k} devices working at a time and rotates
 * to the next group before the working one overheats.
 *
 * <h2>Without grouping</h2>
 * All devices work; each batch goes to the device with the fewest batches in flight, so throughput
 * grows with the number of devices as long as callers keep that many batches in flight (e.g. one
 * pipeline inference thread per device).
 *
 * <h2>With grouping ({@link Builder#groupSize(int)})</h2>
 * With {@code n} devices in pool order, group {@code g} holds the devices at positions
 * {@code (g·k + j) mod n} for {@code j = 0..k-1}. When {@code k} divides {@code n} the groups are disjoint
 * ({@code n/k} groups); otherwise they wrap around the device list ({@code n/gcd(n,k)} groups), so every
 * group has exactly {@code k} devices and every device works the same share {@code k/n} of the time.
 * Only the active group receives batches (least-loaded within the group). The pool moves to the next
 * group in round-robin order when
 * <ul>
 *   <li>the active group has been active for {@link Builder#cyclePeriod(Duration)} ({@link SwitchReason#CYCLE}),</li>
 *   <li>a device of the active group is at or above {@link Builder#temperatureThreshold(double)}
 *       ({@link SwitchReason#TEMPERATURE}),</li>
 *   <li>a device of the active group reports throttling, with {@link Builder#rotateOnThrottling(boolean)}
 *       ({@link SwitchReason#THROTTLING}),</li>
 *   <li>no device of the active group can take work ({@link SwitchReason#FAILURE}).</li>
 * </ul>
 * On a temperature or throttling switch, groups whose devices are still too hot (or throttling) are
 * skipped; if every group is, the coolest group is chosen. A switch only redirects new batches: batches
 * already running on the old group finish there, and no batch is dropped or run twice. A switch is a
 * few field writes under a lock, taken on the thread of the batch that notices it, so the gap between
 * the old group's last start and the new group's first is far shorter than one inference.
 *
 * <p>Temperatures and throttling come from each device's {@link Accelerator#health()}, read at most every
 * {@link Builder#healthPollInterval(Duration)} by whichever caller notices that a poll is due (or by the
 * host's scheduler, see {@link Builder#scheduler(ScheduledExecutorService)}), and never under the pool's
 * lock. Time comes from the injected {@link Clock} only, so tests drive rotation with a fake clock.
 *
 * <h2>Device health</h2>
 * A device whose {@code infer} throws ({@link Builder#failureThreshold(int)} times in a row) is taken
 * out of service and the batch is retried on another device (at most {@link Builder#maxAttempts(int)}
 * devices per batch). After {@link Builder#probeAfter(Duration)} the device gets one trial batch the next
 * time its group is active; success puts it back, failure takes it out for another period. Devices can
 * be {@linkplain #addDevice added} and {@linkplain #removeDevice removed} while batches run.
 *
 * <p>Thread-safe: {@link #infer} may be called from any number of threads. The pool owns no thread
 * (a host scheduler may be given). {@link #close()} closes the devices only if
 * {@link Builder#closeDevicesOnClose(boolean)} says so.
 *
 * @param <I> the model input per frame
 * @param <O> the model output per frame
 */
public final class AcceleratorPool<I, O> implements Accelerator<I, O> {

    /** Default assumed ambient temperature, °C. */
    public static final double DEFAULT_AMBIENT_CELSIUS = 25.0;
    /** Default interval between two reads of the devices' health. */
    public static final Duration DEFAULT_HEALTH_POLL_INTERVAL = Duration.ofSeconds(1);
    /** Default time a failed device stays out before it gets a trial batch. */
    public static final Duration DEFAULT_PROBE_AFTER = Duration.ofSeconds(30);
    /** Default number of consecutive failures that take a device out. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 1;
    /** Default number of devices one batch is tried on before the failure reaches the caller. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(AcceleratorPool.class);

    private final String name;
    private final int groupSize;
    private final Duration cyclePeriod;
    private final double threshold;
    private final boolean rotateOnThrottling;
    private final Duration healthPollInterval;
    private final Duration probeAfter;
    private final int failureThreshold;
    private final int maxAttempts;
    private final Predicate<RuntimeException> deviceFailure;
    private final Clock clock;
    private final boolean closeDevices;
    private final Listeners<AcceleratorPoolListener> listeners = new Listeners<>();
    private final boolean pollsHealth;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledFuture<?> scheduled;

    // Guarded by lock.
    private final List<Slot> ring = new ArrayList<>();
    private final Map<String, Long> batchesPerDevice = new LinkedHashMap<>();
    private int activeGroup;
    private Instant activeSince;
    private Instant switchedAt;
    private boolean gapOpen;
    private Duration longestGap = Duration.ZERO;
    private long requests;
    private long retries;
    private long failed;
    private long switches;
    private long tieBreak;
    // Written under the lock, read without it to decide whether a poll is due.
    private volatile Instant lastPoll;

    /** One device and what the pool knows about it. Mutable fields are guarded by the pool's lock. */
    private final class Slot {
        final Accelerator<I, O> device;
        final String name;
        int inFlight;
        int consecutiveFailures;
        Instant outUntil;
        boolean probing;
        boolean removed;
        double temperature = Double.NaN;
        boolean throttling;

        Slot(Accelerator<I, O> device) {
            this.device = device;
            this.name = device.name();
        }

        boolean usable(Instant now) {
            if (removed) {
                return false;
            }
            return outUntil == null || (!probing && !now.isBefore(outUntil));
        }
    }

    private AcceleratorPool(Builder<I, O> b) {
        this.name = b.name;
        this.groupSize = b.groupSize;
        this.cyclePeriod = b.cyclePeriod;
        this.threshold = b.threshold;
        this.rotateOnThrottling = b.rotateOnThrottling;
        this.healthPollInterval = b.healthPollInterval;
        this.probeAfter = b.probeAfter;
        this.failureThreshold = b.failureThreshold;
        this.maxAttempts = b.maxAttempts;
        this.deviceFailure = b.deviceFailure;
        this.clock = b.clock;
        this.closeDevices = b.closeDevices;
        this.listeners.addAll(b.listeners);
        this.pollsHealth = !Double.isNaN(threshold) || rotateOnThrottling;
        for (Accelerator<I, O> device : b.devices) {
            ring.add(new Slot(device));
            batchesPerDevice.put(device.name(), 0L);
        }
        this.activeSince = clock.instant();
        if (b.scheduler != null) {
            Duration period = pollsHealth ? healthPollInterval
                    : cyclePeriod != null ? min(cyclePeriod.dividedBy(10), healthPollInterval) : healthPollInterval;
            long nanos = Math.max(1_000_000L, period.toNanos());
            this.scheduled = b.scheduler.scheduleWithFixedDelay(this::pollQuietly, nanos, nanos, TimeUnit.NANOSECONDS);
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

    /** The smallest {@link Accelerator#maxBatchSize()} among the current devices. */
    @Override
    public int maxBatchSize() {
        lock.lock();
        try {
            return ring.stream().mapToInt(s -> s.device.maxBatchSize()).min().orElse(1);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the batch on one device of the active group (the least loaded), retrying on another device if
     * that one fails.
     *
     * @throws UnavailableException if no device can take work (all out of service)
     * @throws JugglerException the device's own exception when it is not a device failure (see
     *     {@link Builder#deviceFailure(Predicate)}), or a transient one after {@code maxAttempts} devices failed
     */
    @Override
    public List<O> infer(List<I> batch) {
        Objects.requireNonNull(batch, "batch");
        if (closed.get()) {
            throw new IllegalStateException("accelerator pool " + name + " is closed");
        }
        maybePoll();
        // Allocated only after a failure: the common path stays allocation-free here.
        Set<Slot> tried = java.util.Collections.emptySet();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Attempt chosen = acquire(tried, last);
            Slot slot = chosen.slot();
            List<O> out;
            try {
                out = slot.device.infer(batch);
                if (out == null || out.size() != batch.size()) {
                    throw new JugglerException("device " + slot.name + " returned "
                            + (out == null ? "null" : out.size() + " outputs") + " for " + batch.size() + " inputs",
                            true, null);
                }
            } catch (RuntimeException e) {
                boolean deviceFault = deviceFailure.test(e);
                release(chosen, e, deviceFault);
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
            release(chosen, null, false);
            return out;
        }
        lock.lock();
        try {
            failed++;
        } finally {
            lock.unlock();
        }
        throw new JugglerException("pool " + name + ": batch of " + batch.size() + " failed on " + tried.size()
                + " devices " + names(tried) + "; last error: " + last, true, last);
    }

    /**
     * The pool's health: the hottest temperature last seen on the active group, and whether any of its
     * devices throttles. Empty when no active device has reported.
     */
    @Override
    public Optional<DeviceHealth> health() {
        lock.lock();
        try {
            double hottest = Double.NaN;
            boolean throttling = false;
            for (Slot slot : activeSlots()) {
                if (!Double.isNaN(slot.temperature) && !(slot.temperature <= hottest)) {
                    hottest = slot.temperature;
                }
                throttling |= slot.throttling;
            }
            if (Double.isNaN(hottest) && !throttling) {
                return Optional.empty();
            }
            return Optional.of(new DeviceHealth(Double.isNaN(hottest) ? OptionalDouble.empty() : OptionalDouble.of(hottest),
                    throttling, lastPoll == null ? clock.instant() : lastPoll));
        } finally {
            lock.unlock();
        }
    }

    /** Names of the devices of the active group, in group order. */
    public List<String> activeDevices() {
        lock.lock();
        try {
            return activeSlots().stream().map(s -> s.name).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Index of the active group in {@link #groups()}. */
    public int activeGroup() {
        lock.lock();
        try {
            return activeGroup;
        } finally {
            lock.unlock();
        }
    }

    /** The device groups by index, as device names; one group of all devices without grouping. */
    public List<List<String>> groups() {
        lock.lock();
        try {
            List<List<String>> all = new ArrayList<>();
            for (int g = 0; g < groupCount(); g++) {
                all.add(group(g).stream().map(s -> s.name).toList());
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the pool's counters. */
    public PoolStats stats() {
        lock.lock();
        try {
            return new PoolStats(requests, retries, failed, switches, longestGap, batchesPerDevice);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads every device's health now and switches groups if a rotation rule says so (also the cycle
     * rule). Callers of {@link #infer} do this themselves when a poll is due; a host calls it to rotate
     * an idle pool, e.g. from its own scheduler. Returns at once if another thread is polling.
     */
    public void poll() {
        if (!polling.compareAndSet(false, true)) {
            return;
        }
        List<Runnable> events = new ArrayList<>();
        try {
            List<Slot> slots;
            lock.lock();
            try {
                slots = List.copyOf(ring);
            } finally {
                lock.unlock();
            }
            // Reading health may be a round trip to a device: never under the lock.
            Map<Slot, DeviceHealth> seen = new LinkedHashMap<>();
            if (pollsHealth) {
                for (Slot slot : slots) {
                    try {
                        slot.device.health().ifPresent(h -> seen.put(slot, h));
                    } catch (RuntimeException e) {
                        LOG.debug("pool {}: health of {} unreadable: {}", name, slot.name, e.toString());
                    }
                }
            }
            Instant now = clock.instant();
            lock.lock();
            try {
                seen.forEach((slot, h) -> {
                    slot.temperature = h.temperatureCelsius().orElse(Double.NaN);
                    slot.throttling = h.throttling();
                });
                lastPoll = now;
                evaluate(now, events, true);
            } finally {
                lock.unlock();
            }
        } finally {
            polling.set(false);
        }
        events.forEach(Runnable::run);
    }

    /**
     * Adds a device while the pool runs. The groups are formed anew over the new device list; the active
     * group keeps its index.
     *
     * @throws InvalidConfigException if a device of that name is already in the pool
     */
    public void addDevice(Accelerator<I, O> device) {
        Objects.requireNonNull(device, "device");
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            for (Slot slot : ring) {
                if (slot.name.equals(device.name())) {
                    throw InvalidConfigException.of("device", device.name(), "names must be unique within pool " + name);
                }
            }
            List<String> before = names(activeSlots());
            int fromGroup = activeGroup;
            ring.add(new Slot(device));
            batchesPerDevice.putIfAbsent(device.name(), 0L);
            regrouped(before, fromGroup, "device " + device.name() + " added", events);
            events.add(() -> listeners.fire(l -> l.onDeviceAdded(device.name())));
        } finally {
            lock.unlock();
        }
        events.forEach(Runnable::run);
    }

    /**
     * Removes a device while the pool runs: it gets no new batch from now on, and this call returns once
     * its batches in flight have finished. The device is not closed; it is handed back.
     *
     * @return the device, or empty if the pool has none of that name
     * @throws IllegalStateException if it is the pool's last device
     */
    public Optional<Accelerator<I, O>> removeDevice(String deviceName) {
        Objects.requireNonNull(deviceName, "deviceName");
        List<Runnable> events = new ArrayList<>();
        Slot removed = null;
        lock.lock();
        try {
            for (Slot slot : ring) {
                if (slot.name.equals(deviceName)) {
                    removed = slot;
                }
            }
            if (removed == null) {
                return Optional.empty();
            }
            if (ring.size() == 1) {
                throw new IllegalStateException("cannot remove " + deviceName + ": it is the last device of pool " + name);
            }
            List<String> before = names(activeSlots());
            int fromGroup = activeGroup;
            removed.removed = true;
            ring.remove(removed);
            regrouped(before, fromGroup, "device " + deviceName + " removed", events);
            boolean interrupted = false;
            while (removed.inFlight > 0) {
                try {
                    drained.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            events.add(() -> listeners.fire(l -> l.onDeviceRemoved(deviceName)));
        } finally {
            lock.unlock();
        }
        events.forEach(Runnable::run);
        return Optional.of(removed.device);
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
        if (closeDevices) {
            List<Slot> slots;
            lock.lock();
            try {
                slots = List.copyOf(ring);
            } finally {
                lock.unlock();
            }
            for (Slot slot : slots) {
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
        return "AcceleratorPool[" + name + ", groups=" + groups() + ", active=" + activeGroup() + "]";
    }

    // ---------------------------------------------------------------------------------------------------

    private void maybePoll() {
        Instant last = lastPoll;
        if (pollsHealth) {
            if (last == null || !clock.instant().isBefore(last.plus(healthPollInterval))) {
                poll();
            }
        }
    }

    private void pollQuietly() {
        try {
            if (!closed.get()) {
                poll();
            }
        } catch (RuntimeException e) {
            LOG.warn("pool {}: scheduled poll failed", name, e);
        }
    }

    /**
     * One batch on one device. {@code probe} marks the single trial batch of a device that is out of
     * service: only its outcome may bring the device back or keep it out, not that of batches that were
     * already running on the device when it was taken out.
     */
    private final class Attempt {
        private final Slot slot;
        private final boolean probe;

        Attempt(Slot slot, boolean probe) {
            this.slot = slot;
            this.probe = probe;
        }

        Slot slot() {
            return slot;
        }

        boolean probe() {
            return probe;
        }
    }

    /** Picks a device for one attempt and counts it in flight. */
    private Attempt acquire(Set<Slot> tried, RuntimeException lastFailure) {
        List<Runnable> events = new ArrayList<>();
        Slot chosen = null;
        boolean probe = false;
        String states;
        lock.lock();
        try {
            Instant now = clock.instant();
            evaluate(now, events, false);
            int groups = groupCount();
            for (int hop = 0; hop <= groups && chosen == null; hop++) {
                chosen = leastLoaded(activeSlots(), tried, now);
                if (chosen == null) {
                    int next = nextGroupWithWork(tried, now);
                    if (next < 0) {
                        break;
                    }
                    switchTo(next, SwitchReason.FAILURE, "no device of group " + activeGroup + " " + names(activeSlots())
                            + " can take work", now, events);
                }
            }
            if (chosen != null) {
                chosen.inFlight++;
                if (chosen.outUntil != null) {
                    chosen.probing = true;
                    probe = true;
                }
                if (gapOpen) {
                    gapOpen = false;
                    Duration gap = Duration.between(switchedAt, now);
                    if (gap.compareTo(longestGap) > 0) {
                        longestGap = gap;
                    }
                }
                if (!tried.isEmpty()) {
                    retries++;
                }
            }
            states = chosen == null ? describeStates(now) : null;
        } finally {
            lock.unlock();
        }
        events.forEach(Runnable::run);
        if (chosen == null) {
            throw new UnavailableException("pool " + name + ": no device can take work; " + states, null, lastFailure);
        }
        return new Attempt(chosen, probe);
    }

    private void release(Attempt attempt, RuntimeException failure, boolean deviceFault) {
        Slot slot = attempt.slot();
        boolean probe = attempt.probe();
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            slot.inFlight--;
            if (failure == null) {
                requests++;
                batchesPerDevice.merge(slot.name, 1L, Long::sum);
                slot.consecutiveFailures = 0;
                if (probe) {
                    slot.outUntil = null;
                    slot.probing = false;
                    LOG.info("pool {}: device {} is back in service", name, slot.name);
                    events.add(() -> listeners.fire(l -> l.onDeviceBack(slot.name)));
                }
            } else if (deviceFault) {
                Instant now = clock.instant();
                slot.consecutiveFailures++;
                if (probe || slot.consecutiveFailures >= failureThreshold) {
                    if (probe) {
                        slot.probing = false;
                    }
                    slot.outUntil = now.plus(probeAfter);
                    Instant probeAt = slot.outUntil;
                    LOG.warn("pool {}: device {} taken out until {} after: {}", name, slot.name, probeAt, failure.toString());
                    events.add(() -> listeners.fire(l -> l.onDeviceOut(slot.name, failure, probeAt)));
                }
            } else if (probe) {
                // The call proved nothing about the device; let another batch probe it.
                slot.probing = false;
            }
            if (slot.removed && slot.inFlight == 0) {
                drained.signalAll();
            }
        } finally {
            lock.unlock();
        }
        events.forEach(Runnable::run);
    }

    /** Applies the rotation rules. Temperature and throttling only right after a poll: readings change only then. */
    private void evaluate(Instant now, List<Runnable> events, boolean afterPoll) {
        if (groupCount() < 2) {
            return;
        }
        if (afterPoll) {
            if (rotateOnThrottling) {
                for (Slot slot : activeSlots()) {
                    if (slot.throttling) {
                        rotate(SwitchReason.THROTTLING, "device " + slot.name + " reports throttling", now, events);
                        return;
                    }
                }
            }
            if (!Double.isNaN(threshold)) {
                for (Slot slot : activeSlots()) {
                    if (slot.temperature >= threshold) {
                        rotate(SwitchReason.TEMPERATURE, String.format(java.util.Locale.ROOT,
                                "device %s at %.1f °C >= threshold %.1f °C", slot.name, slot.temperature, threshold),
                                now, events);
                        return;
                    }
                }
            }
        }
        if (cyclePeriod != null && !now.isBefore(activeSince.plus(cyclePeriod))) {
            rotate(SwitchReason.CYCLE, "group " + activeGroup + " active for " + Duration.between(activeSince, now),
                    now, events);
        }
    }

    private void rotate(SwitchReason reason, String detail, Instant now, List<Runnable> events) {
        int groups = groupCount();
        int fallback = -1;
        int coolest = -1;
        double coolestMax = Double.POSITIVE_INFINITY;
        for (int step = 1; step <= groups; step++) {
            int g = (activeGroup + step) % groups;
            List<Slot> members = group(g);
            if (members.stream().noneMatch(s -> s.usable(now))) {
                continue;
            }
            if (fallback < 0 && step < groups) {
                fallback = g;
            }
            double hottest = members.stream().mapToDouble(s -> Double.isNaN(s.temperature) ? Double.NEGATIVE_INFINITY : s.temperature)
                    .max().orElse(Double.NEGATIVE_INFINITY);
            boolean tooHot = !Double.isNaN(threshold) && hottest >= threshold;
            boolean throttles = rotateOnThrottling && members.stream().anyMatch(s -> s.throttling);
            if (!tooHot && !throttles && step < groups) {
                switchTo(g, reason, detail, now, events);
                return;
            }
            double score = hottest + (throttles ? 1000 : 0);
            if (score < coolestMax) {
                coolestMax = score;
                coolest = g;
            }
        }
        int target = reason == SwitchReason.CYCLE ? fallback : coolest;
        if (target >= 0 && target != activeGroup) {
            switchTo(target, reason, detail, now, events);
        } else if (reason == SwitchReason.CYCLE) {
            // Nowhere to go: start a new period rather than re-checking on every batch.
            activeSince = now;
        }
    }

    private void switchTo(int target, SwitchReason reason, String detail, Instant now, List<Runnable> events) {
        int from = activeGroup;
        List<String> fromDevices = names(activeSlots());
        Duration activeFor = Duration.between(activeSince, now);
        activeGroup = target;
        activeSince = now;
        switchedAt = now;
        gapOpen = true;
        switches++;
        List<String> toDevices = names(activeSlots());
        LOG.debug("pool {}: group {} {} -> {} {} ({}: {})", name, from, fromDevices, target, toDevices, reason, detail);
        if (!listeners.isEmpty()) {
            GroupSwitch event = new GroupSwitch(now, reason, detail, from, fromDevices, target, toDevices,
                    temperatures(), activeFor);
            events.add(() -> listeners.fire(l -> l.onSwitch(event)));
        }
    }

    private void regrouped(List<String> before, int fromGroup, String detail, List<Runnable> events) {
        Instant now = clock.instant();
        activeGroup = activeGroup % groupCount();
        List<String> after = names(activeSlots());
        if (!after.equals(before)) {
            switches++;
            switchedAt = now;
            gapOpen = true;
            if (!listeners.isEmpty()) {
                GroupSwitch event = new GroupSwitch(now, SwitchReason.DEVICES_CHANGED, detail, fromGroup, before,
                        activeGroup, after, temperatures(), Duration.between(activeSince, now));
                events.add(() -> listeners.fire(l -> l.onSwitch(event)));
            }
        }
    }

    private int nextGroupWithWork(Set<Slot> tried, Instant now) {
        int groups = groupCount();
        for (int step = 1; step < groups; step++) {
            int g = (activeGroup + step) % groups;
            if (leastLoaded(group(g), tried, now) != null) {
                return g;
            }
        }
        return -1;
    }

    private Slot leastLoaded(List<Slot> candidates, Set<Slot> tried, Instant now) {
        Slot best = null;
        int size = candidates.size();
        // Start the scan at a moving offset so that equally loaded devices take turns.
        int offset = size == 0 ? 0 : (int) (tieBreak++ % size);
        for (int i = 0; i < size; i++) {
            Slot slot = candidates.get((offset + i) % size);
            if (tried.contains(slot) || !slot.usable(now)) {
                continue;
            }
            if (best == null || slot.inFlight < best.inFlight) {
                best = slot;
            }
        }
        return best;
    }

    private int groupCount() {
        int n = ring.size();
        if (groupSize == 0 || n <= groupSize) {
            return 1;
        }
        return n / gcd(n, groupSize);
    }

    private List<Slot> group(int g) {
        int n = ring.size();
        if (groupSize == 0 || n <= groupSize) {
            return List.copyOf(ring);
        }
        List<Slot> members = new ArrayList<>(groupSize);
        for (int j = 0; j < groupSize; j++) {
            members.add(ring.get((g * groupSize + j) % n));
        }
        return members;
    }

    private List<Slot> activeSlots() {
        return group(activeGroup);
    }

    private Map<String, Double> temperatures() {
        Map<String, Double> temps = new LinkedHashMap<>();
        for (Slot slot : ring) {
            if (!Double.isNaN(slot.temperature)) {
                temps.put(slot.name, slot.temperature);
            }
        }
        return temps;
    }

    private String describeStates(Instant now) {
        StringBuilder sb = new StringBuilder();
        for (Slot slot : ring) {
            sb.append(sb.length() == 0 ? "" : ", ").append(slot.name).append('=')
                    .append(slot.outUntil == null ? "in service" : slot.probing ? "probing" : "out until " + slot.outUntil);
        }
        return "devices: " + sb + "; active group " + activeGroup;
    }

    private List<String> names(java.util.Collection<Slot> slots) {
        return slots.stream().map(s -> s.name).toList();
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Configures an {@link AcceleratorPool}. Each setter checks its value; {@link #build()} checks how the
     * values fit together. Not thread-safe; build on one thread.
     *
     * @param <I> the model input per frame
     * @param <O> the model output per frame
     */
    public static final class Builder<I, O> {
        private final List<Accelerator<I, O>> devices = new ArrayList<>();
        private final List<AcceleratorPoolListener> listeners = new ArrayList<>();
        private String name = "pool";
        private int groupSize;
        private Duration cyclePeriod;
        private double threshold = Double.NaN;
        private double ambient = DEFAULT_AMBIENT_CELSIUS;
        private boolean rotateOnThrottling;
        private Duration healthPollInterval = DEFAULT_HEALTH_POLL_INTERVAL;
        private Duration probeAfter = DEFAULT_PROBE_AFTER;
        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Predicate<RuntimeException> deviceFailure = e -> true;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private boolean closeDevices;

        private Builder() {
        }

        /** The pool's name in logs and events; default {@code pool}. */
        public Builder<I, O> name(String name) {
            if (name == null || name.isBlank()) {
                throw InvalidConfigException.of("name", name, "must not be blank");
            }
            this.name = name;
            return this;
        }

        /** Adds one device; the order of devices defines the groups. */
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
         * Devices per group ({@code k}); only the active group works. Requires {@code 1 <= k <= n/2} for
         * {@code n} devices (checked by {@link #build()}) and at least one rotation rule. Without this,
         * all devices work and nothing rotates.
         */
        public Builder<I, O> groupSize(int k) {
            if (k < 1) {
                throw InvalidConfigException.of("groupSize", k, "must be >= 1 (devices per group)");
            }
            this.groupSize = k;
            return this;
        }

        /** Rotate to the next group after the active one has worked this long. Off by default. */
        public Builder<I, O> cyclePeriod(Duration period) {
            InvalidConfigException.requirePositive("cyclePeriod", period);
            this.cyclePeriod = period;
            return this;
        }

        /**
         * Rotate as soon as a device of the active group reports this temperature (°C) or more; must be
         * above {@link #ambientTemperature(double)}. Off by default. Set it a few degrees below the
         * device's throttling limit (e.g. 65 °C for a stick that throttles at 70 °C).
         */
        public Builder<I, O> temperatureThreshold(double celsius) {
            if (!Double.isFinite(celsius)) {
                throw InvalidConfigException.of("temperatureThreshold", celsius, "must be a finite temperature in °C");
            }
            this.threshold = celsius;
            return this;
        }

        /** The temperature the devices cool towards, °C; default 25. Only used to check the threshold. */
        public Builder<I, O> ambientTemperature(double celsius) {
            if (!Double.isFinite(celsius) || celsius < -50 || celsius > 80) {
                throw InvalidConfigException.of("ambientTemperature", celsius, "must be in -50..80 °C");
            }
            this.ambient = celsius;
            return this;
        }

        /** Rotate as soon as a device of the active group reports throttling. Off by default. */
        public Builder<I, O> rotateOnThrottling(boolean rotate) {
            this.rotateOnThrottling = rotate;
            return this;
        }

        /** How often device health is read for the temperature and throttling rules; default 1 s. */
        public Builder<I, O> healthPollInterval(Duration interval) {
            this.healthPollInterval = InvalidConfigException.requireNonNegative("healthPollInterval", interval);
            return this;
        }

        /** How long a failed device stays out before it gets a trial batch; default 30 s. */
        public Builder<I, O> probeAfter(Duration delay) {
            this.probeAfter = InvalidConfigException.requireNonNegative("probeAfter", delay);
            return this;
        }

        /** Consecutive failures that take a device out; default 1. */
        public Builder<I, O> failureThreshold(int failures) {
            if (failures < 1) {
                throw InvalidConfigException.of("failureThreshold", failures, "must be >= 1");
            }
            this.failureThreshold = failures;
            return this;
        }

        /** Devices one batch is tried on before its failure reaches the caller; default 3. */
        public Builder<I, O> maxAttempts(int attempts) {
            if (attempts < 1) {
                throw InvalidConfigException.of("maxAttempts", attempts, "must be >= 1");
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Decides whether an exception from a device's {@code infer} is the device's fault (take it out,
         * retry elsewhere) or the batch's (report it to the caller at once, e.g. a corrupt frame). Default:
         * every exception is the device's fault.
         */
        public Builder<I, O> deviceFailure(Predicate<RuntimeException> isDeviceFailure) {
            if (isDeviceFailure == null) {
                throw InvalidConfigException.of("deviceFailure", null, "must not be null");
            }
            this.deviceFailure = isDeviceFailure;
            return this;
        }

        /** The clock for cycles, polls and probes; default the system UTC clock. */
        public Builder<I, O> clock(Clock clock) {
            if (clock == null) {
                throw InvalidConfigException.of("clock", null, "must not be null");
            }
            this.clock = clock;
            return this;
        }

        /**
         * A host scheduler on which the pool polls health and checks the cycle even while no batch
         * arrives. Not owned: the pool cancels its task on close but never shuts the scheduler down.
         * Without one, rotation is checked only by callers of {@code infer}.
         */
        public Builder<I, O> scheduler(ScheduledExecutorService scheduler) {
            if (scheduler == null) {
                throw InvalidConfigException.of("scheduler", null, "must not be null");
            }
            this.scheduler = scheduler;
            return this;
        }

        /** Whether {@link AcceleratorPool#close()} closes the devices; default {@code false}. */
        public Builder<I, O> closeDevicesOnClose(boolean close) {
            this.closeDevices = close;
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
            boolean anyRule = cyclePeriod != null || !Double.isNaN(threshold) || rotateOnThrottling;
            if (groupSize > 0) {
                if (groupSize > n / 2) {
                    throw InvalidConfigException.of("groupSize", groupSize, "must be between 1 and n/2 = " + (n / 2)
                            + " for n = " + n + " devices, so that another group can cool while one works");
                }
                if (!anyRule) {
                    throw InvalidConfigException.of("groupSize", groupSize,
                            "needs a rotation rule: set cyclePeriod, temperatureThreshold or rotateOnThrottling");
                }
            } else if (anyRule) {
                throw InvalidConfigException.of("groupSize", "unset",
                        "a rotation rule (cycle, temperature, throttling) needs a group size k with 1 <= k <= n/2");
            }
            if (!Double.isNaN(threshold) && threshold <= ambient) {
                throw InvalidConfigException.of("temperatureThreshold", threshold,
                        "must be above the ambient temperature " + ambient + " °C, or devices could never cool below it");
            }
            return new AcceleratorPool<>(this);
        }
    }
}
