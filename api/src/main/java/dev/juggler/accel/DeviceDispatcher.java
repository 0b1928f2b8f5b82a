package dev.juggler.accel;

import dev.juggler.InvalidConfigException;
import dev.juggler.UnavailableException;
import dev.juggler.internal.Listeners;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock-guarded core of an {@link AcceleratorPool}: its devices in pool order, their
 * {@link DeviceCircuit circuits} and last readings, the {@link RotationPolicy.Schedule}, and the counters.
 * It picks the device for each attempt, books outcomes, applies readings and device-list changes, and
 * fires the resulting events after releasing its lock. It never calls a device.
 *
 * <p>Thread-safe: every method takes the lock; listeners are called outside it.
 *
 * @param <I> the model input per frame
 * @param <O> the model output per frame
 */
final class DeviceDispatcher<I, O> {

    private static final Logger LOG = LoggerFactory.getLogger(AcceleratorPool.class);

    /**
     * One batch on one device. {@code probe} marks the single trial batch of a device that is out of
     * service: only its outcome may bring the device back or keep it out, not that of batches that were
     * already running on the device when it was taken out.
     */
    record Attempt<I, O>(PoolSlot<I, O> slot, boolean probe) {
    }

    private final String name;
    private final AcceleratorPoolConfig config;
    private final Clock clock;
    private final Listeners<AcceleratorPoolListener> listeners;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();

    // Guarded by lock.
    private final List<PoolSlot<I, O>> ring = new ArrayList<>();
    private final Map<String, Long> batchesPerDevice = new LinkedHashMap<>();
    private final RotationPolicy.Schedule schedule;
    private final View view = new View();
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

    DeviceDispatcher(AcceleratorPoolConfig config, List<Accelerator<I, O>> devices, Clock clock,
            Listeners<AcceleratorPoolListener> listeners) {
        this.name = config.name();
        this.config = config;
        this.clock = clock;
        this.listeners = listeners;
        for (Accelerator<I, O> device : devices) {
            ring.add(newSlot(device));
            batchesPerDevice.put(device.name(), 0L);
        }
        this.schedule = config.rotation().start(deviceNames(), clock.instant());
    }

    /** When health was last applied, or {@code null}. */
    Instant lastPoll() {
        return lastPoll;
    }

    /** The current devices, in pool order. */
    List<PoolSlot<I, O>> slots() {
        lock.lock();
        try {
            return List.copyOf(ring);
        } finally {
            lock.unlock();
        }
    }

    int maxBatchSize() {
        lock.lock();
        try {
            return ring.stream().mapToInt(s -> s.device.maxBatchSize()).min().orElse(1);
        } finally {
            lock.unlock();
        }
    }

    Optional<DeviceHealth> health() {
        lock.lock();
        try {
            double hottest = Double.NaN;
            boolean throttling = false;
            for (int i : schedule.active()) {
                PoolSlot<I, O> slot = ring.get(i);
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

    List<String> activeDevices() {
        lock.lock();
        try {
            return positionsToNames(schedule.active());
        } finally {
            lock.unlock();
        }
    }

    int activeGroup() {
        lock.lock();
        try {
            return schedule.activeGroup();
        } finally {
            lock.unlock();
        }
    }

    List<List<String>> groups() {
        lock.lock();
        try {
            return schedule.groups().stream().map(this::positionsToNames).toList();
        } finally {
            lock.unlock();
        }
    }

    PoolStats stats() {
        lock.lock();
        try {
            return new PoolStats(requests, retries, failed, switches, longestGap, batchesPerDevice);
        } finally {
            lock.unlock();
        }
    }

    /** Counts a batch that failed on every device tried. */
    void countFailed() {
        lock.lock();
        try {
            failed++;
        } finally {
            lock.unlock();
        }
    }

    /** Stores fresh readings (devices absent from {@code seen} keep theirs) and lets the policy act on them. */
    void applyReadings(Map<PoolSlot<I, O>, DeviceHealth> seen, Instant now) {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            seen.forEach((slot, h) -> {
                slot.temperature = h.temperatureCelsius().orElse(Double.NaN);
                slot.throttling = h.throttling();
            });
            lastPoll = now;
            evaluateLocked(now, RotationPolicy.Trigger.READINGS, Set.of(), events);
        } finally {
            lock.unlock();
        }
        events.forEach(Runnable::run);
    }

    /** Picks a device for one attempt and counts it in flight. */
    Attempt<I, O> acquire(Set<PoolSlot<I, O>> tried, RuntimeException lastFailure) {
        List<Runnable> events = new ArrayList<>();
        PoolSlot<I, O> chosen = null;
        boolean probe = false;
        String states;
        lock.lock();
        try {
            Instant now = clock.instant();
            evaluateLocked(now, RotationPolicy.Trigger.TICK, Set.of(), events);
            for (int hop = 0; hop <= ring.size() && chosen == null; hop++) {
                chosen = leastLoadedLocked(schedule.active(), tried, now);
                if (chosen == null && !evaluateLocked(now, RotationPolicy.Trigger.NO_DEVICE, tried, events)) {
                    break;
                }
            }
            if (chosen != null) {
                chosen.inFlight++;
                probe = chosen.circuit.onAcquire();
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
            states = chosen == null ? describeStatesLocked() : null;
        } finally {
            lock.unlock();
        }
        events.forEach(Runnable::run);
        if (chosen == null) {
            throw new UnavailableException("pool " + name + ": no device can take work; " + states, null, lastFailure);
        }
        return new Attempt<>(chosen, probe);
    }

    /** Books the outcome of an attempt: {@code failure} is null on success. */
    void release(Attempt<I, O> attempt, RuntimeException failure, boolean deviceFault) {
        PoolSlot<I, O> slot = attempt.slot();
        boolean probe = attempt.probe();
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            slot.inFlight--;
            if (failure == null) {
                requests++;
                batchesPerDevice.merge(slot.name, 1L, Long::sum);
                if (slot.circuit.onSuccess(probe)) {
                    LOG.info("pool {}: device {} is back in service", name, slot.name);
                    events.add(() -> listeners.fire(l -> l.onDeviceBack(slot.name)));
                }
            } else if (deviceFault) {
                Instant probeAt = slot.circuit.onDeviceFailure(probe, clock.instant());
                if (probeAt != null) {
                    LOG.warn("pool {}: device {} taken out until {} after: {}", name, slot.name, probeAt, failure.toString());
                    events.add(() -> listeners.fire(l -> l.onDeviceOut(slot.name, failure, probeAt)));
                }
            } else {
                slot.circuit.onInconclusive(probe);
            }
            if (slot.removed && slot.inFlight == 0) {
                drained.signalAll();
            }
        } finally {
            lock.unlock();
        }
        events.forEach(Runnable::run);
    }

    /** See {@link AcceleratorPool#addDevice}. */
    void add(Accelerator<I, O> device) {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            for (PoolSlot<I, O> slot : ring) {
                if (slot.name.equals(device.name())) {
                    throw InvalidConfigException.of("device", device.name(), "names must be unique within pool " + name);
                }
            }
            List<String> before = positionsToNames(schedule.active());
            int fromGroup = schedule.activeGroup();
            ring.add(newSlot(device));
            batchesPerDevice.putIfAbsent(device.name(), 0L);
            regroupLocked(before, fromGroup, "device " + device.name() + " added", events);
            events.add(() -> listeners.fire(l -> l.onDeviceAdded(device.name())));
        } finally {
            lock.unlock();
        }
        events.forEach(Runnable::run);
    }

    /** See {@link AcceleratorPool#removeDevice}. */
    Optional<Accelerator<I, O>> remove(String deviceName) {
        List<Runnable> events = new ArrayList<>();
        PoolSlot<I, O> removed = null;
        lock.lock();
        try {
            for (PoolSlot<I, O> slot : ring) {
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
            List<String> before = positionsToNames(schedule.active());
            int fromGroup = schedule.activeGroup();
            removed.removed = true;
            ring.remove(removed);
            regroupLocked(before, fromGroup, "device " + deviceName + " removed", events);
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

    // ---------------------------------------------------------------------------------------------------

    private PoolSlot<I, O> newSlot(Accelerator<I, O> device) {
        return new PoolSlot<>(device, config.failureThreshold(), config.probeAfter());
    }

    /** Lets the policy change the active devices; {@code true} if it did. */
    private boolean evaluateLocked(Instant now, RotationPolicy.Trigger trigger, Set<PoolSlot<I, O>> tried,
            List<Runnable> events) {
        view.now = now;
        view.tried = tried;
        Optional<RotationPolicy.Change> change = schedule.evaluate(now, trigger, view);
        if (change.isEmpty()) {
            return false;
        }
        RotationPolicy.Change c = change.get();
        switchedAt = now;
        gapOpen = true;
        switches++;
        if (LOG.isDebugEnabled()) {
            LOG.debug("pool {}: group {} {} -> {} {} ({}: {})", name, c.fromGroup(), positionsToNames(c.fromDevices()),
                    c.toGroup(), positionsToNames(c.toDevices()), c.reason(), c.detail());
        }
        if (!listeners.isEmpty()) {
            GroupSwitch event = new GroupSwitch(now, c.reason(), c.detail(), c.fromGroup(),
                    positionsToNames(c.fromDevices()), c.toGroup(), positionsToNames(c.toDevices()), temperatures(),
                    c.activeFor());
            events.add(() -> listeners.fire(l -> l.onSwitch(event)));
        }
        return true;
    }

    /**
     * The device list changed: the policy forms its groups anew. {@code before} holds the names of the
     * devices active before (positions no longer match them).
     */
    private void regroupLocked(List<String> before, int fromGroup, String detail, List<Runnable> events) {
        Instant now = clock.instant();
        schedule.devicesChanged(deviceNames(), now);
        List<String> after = positionsToNames(schedule.active());
        if (!after.equals(before)) {
            switches++;
            switchedAt = now;
            gapOpen = true;
            if (!listeners.isEmpty()) {
                GroupSwitch event = new GroupSwitch(now, SwitchReason.DEVICES_CHANGED, detail, fromGroup, before,
                        schedule.activeGroup(), after, temperatures(), Duration.between(schedule.activeSince(), now));
                events.add(() -> listeners.fire(l -> l.onSwitch(event)));
            }
        }
    }

    private PoolSlot<I, O> leastLoadedLocked(List<Integer> candidates, Set<PoolSlot<I, O>> tried, Instant now) {
        PoolSlot<I, O> best = null;
        int size = candidates.size();
        // Start the scan at a moving offset so that equally loaded devices take turns.
        int offset = size == 0 ? 0 : (int) (tieBreak++ % size);
        for (int i = 0; i < size; i++) {
            PoolSlot<I, O> slot = ring.get(candidates.get((offset + i) % size));
            if (tried.contains(slot) || !slot.usable(now)) {
                continue;
            }
            if (best == null || slot.inFlight < best.inFlight) {
                best = slot;
            }
        }
        return best;
    }

    /** The devices as the rotation policy sees them during one call. Guarded by the lock. */
    private final class View implements RotationPolicy.Devices {
        Instant now;
        Set<PoolSlot<I, O>> tried = Set.of();

        @Override
        public int size() {
            return ring.size();
        }

        @Override
        public String name(int position) {
            return ring.get(position).name;
        }

        @Override
        public double temperature(int position) {
            return ring.get(position).temperature;
        }

        @Override
        public boolean throttling(int position) {
            return ring.get(position).throttling;
        }

        @Override
        public boolean canWork(int position) {
            PoolSlot<I, O> slot = ring.get(position);
            return slot.usable(now) && !tried.contains(slot);
        }
    }

    private List<String> deviceNames() {
        return ring.stream().map(s -> s.name).toList();
    }

    private List<String> positionsToNames(List<Integer> positions) {
        return positions.stream().map(i -> ring.get(i).name).toList();
    }

    private Map<String, Double> temperatures() {
        Map<String, Double> temps = new LinkedHashMap<>();
        for (PoolSlot<I, O> slot : ring) {
            if (!Double.isNaN(slot.temperature)) {
                temps.put(slot.name, slot.temperature);
            }
        }
        return temps;
    }

    private String describeStatesLocked() {
        StringBuilder sb = new StringBuilder();
        for (PoolSlot<I, O> slot : ring) {
            sb.append(sb.length() == 0 ? "" : ", ").append(slot.name).append('=').append(slot.circuit.describe());
        }
        return "devices: " + sb + "; active group " + schedule.activeGroup() + " " + positionsToNames(schedule.active());
    }
}
