package dev.juggler.accel;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The field-proven rotation: fixed groups of {@code k} devices take turns, so that only one group works
 * at a time while the others cool down.
 *
 * <h2>Groups</h2>
 * With {@code n} devices in pool order, group {@code g} holds the devices at positions
 * {@code (g·k + j) mod n} for {@code j = 0..k-1}. When {@code k} divides {@code n} the groups are disjoint
 * ({@code n/k} groups); otherwise they wrap around the device list ({@code n/gcd(n,k)} groups), so every
 * group has exactly {@code k} devices and every device works the same share {@code k/n} of the time. With
 * {@code n <= k} (after removals) there is one group of all devices.
 *
 * <h2>Rotation</h2>
 * The schedule moves to the next group in round-robin order when
 * <ul>
 *   <li>the active group has been active for the {@link Builder#cyclePeriod cycle period} ({@link SwitchReason#CYCLE}),</li>
 *   <li>a device of the active group is at or above the {@link Builder#temperatureThreshold threshold}
 *       ({@link SwitchReason#TEMPERATURE}),</li>
 *   <li>a device of the active group reports throttling, with {@link Builder#rotateOnThrottling}
 *       ({@link SwitchReason#THROTTLING}),</li>
 *   <li>no device of the active group can take work ({@link SwitchReason#FAILURE}).</li>
 * </ul>
 * Groups with no device in service are skipped, and so are groups whose devices are still too hot (or
 * throttling); if every group is, a cycle switch takes the next group in service and a temperature or
 * throttling switch the coolest group. Temperature and throttling are looked at only on fresh readings.
 *
 * <p>Immutable and thread-safe; its {@link RotationPolicy.Schedule} is not (see {@link RotationPolicy}).
 */
public final class FixedGroupRotation implements RotationPolicy {

    /** Default assumed ambient temperature, °C; only used to check the threshold. */
    public static final double DEFAULT_AMBIENT_CELSIUS = 25.0;

    /** No grouping: one group of all devices, nothing rotates. */
    static final FixedGroupRotation NONE = new FixedGroupRotation(0, null, Double.NaN, false);

    private final int groupSize;
    private final Duration cyclePeriod;
    private final double threshold;
    private final boolean rotateOnThrottling;

    private FixedGroupRotation(int groupSize, Duration cyclePeriod, double threshold, boolean rotateOnThrottling) {
        this.groupSize = groupSize;
        this.cyclePeriod = cyclePeriod;
        this.threshold = threshold;
        this.rotateOnThrottling = rotateOnThrottling;
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Devices per group ({@code k}); 0 for no grouping ({@link RotationPolicy#none()}). */
    public int groupSize() {
        return groupSize;
    }

    /** The cycle period, if the cycle rule is on. */
    public Optional<Duration> cyclePeriod() {
        return Optional.ofNullable(cyclePeriod);
    }

    /** The temperature threshold, °C, or {@code NaN} if the temperature rule is off. */
    public double temperatureThreshold() {
        return threshold;
    }

    /** Whether throttling of an active device rotates. */
    public boolean rotateOnThrottling() {
        return rotateOnThrottling;
    }

    /** @throws InvalidConfigException if {@code k > n/2} */
    @Override
    public void check(int deviceCount) {
        checkGroupSize(groupSize, deviceCount);
    }

    static void checkGroupSize(int k, int n) {
        if (k > 0 && k > n / 2) {
            throw InvalidConfigException.of("groupSize", k, "must be between 1 and n/2 = " + (n / 2)
                    + " for n = " + n + " devices, so that another group can cool while one works");
        }
    }

    @Override
    public boolean readsHealth() {
        return !Double.isNaN(threshold) || rotateOnThrottling;
    }

    /** The health poll interval if health is read, else a tenth of the cycle (at most the poll interval). */
    @Override
    public Duration idleCheckInterval(Duration healthPollInterval) {
        if (readsHealth() || cyclePeriod == null) {
            return healthPollInterval;
        }
        Duration tenth = cyclePeriod.dividedBy(10);
        return tenth.compareTo(healthPollInterval) <= 0 ? tenth : healthPollInterval;
    }

    @Override
    public RotationPolicy.Schedule start(List<String> devices, Instant now) {
        return new Schedule(devices.size(), now);
    }

    @Override
    public String toString() {
        return groupSize == 0 ? "FixedGroupRotation[none]" : "FixedGroupRotation[k=" + groupSize + ", cycle=" + cyclePeriod
                + ", threshold=" + threshold + ", rotateOnThrottling=" + rotateOnThrottling + "]";
    }

    /** The groups of {@code n} devices for group size {@code k} (0: one group of all). */
    static List<List<Integer>> groupsOf(int n, int k) {
        List<List<Integer>> all = new ArrayList<>();
        for (int g = 0; g < groupCount(n, k); g++) {
            all.add(group(n, k, g));
        }
        return all;
    }

    private static int groupCount(int n, int k) {
        return k == 0 || n <= k ? 1 : n / gcd(n, k);
    }

    private static List<Integer> group(int n, int k, int g) {
        List<Integer> members = new ArrayList<>();
        if (k == 0 || n <= k) {
            for (int i = 0; i < n; i++) {
                members.add(i);
            }
        } else {
            for (int j = 0; j < k; j++) {
                members.add((g * k + j) % n);
            }
        }
        return List.copyOf(members);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** The round-robin state of one pool. Not thread-safe. */
    private final class Schedule implements RotationPolicy.Schedule {
        private int n;
        private int groups;
        private int activeGroup;
        private List<Integer> active;
        private Instant activeSince;

        Schedule(int n, Instant now) {
            this.n = n;
            this.groups = groupCount(n, groupSize);
            this.active = group(n, groupSize, 0);
            this.activeSince = now;
        }

        @Override
        public List<List<Integer>> groups() {
            return groupsOf(n, groupSize);
        }

        @Override
        public int activeGroup() {
            return activeGroup;
        }

        @Override
        public List<Integer> active() {
            return active;
        }

        @Override
        public Instant activeSince() {
            return activeSince;
        }

        @Override
        public void devicesChanged(List<String> devices, Instant now) {
            n = devices.size();
            groups = groupCount(n, groupSize);
            activeGroup = activeGroup % groups;
            active = group(n, groupSize, activeGroup);
        }

        @Override
        public Optional<Change> evaluate(Instant now, Trigger trigger, Devices devices) {
            if (trigger == Trigger.NO_DEVICE) {
                for (int step = 1; step < groups; step++) {
                    int g = (activeGroup + step) % groups;
                    if (group(n, groupSize, g).stream().anyMatch(devices::canWork)) {
                        return Optional.of(switchTo(g, SwitchReason.FAILURE, "no device of group " + activeGroup + " "
                                + names(active, devices) + " can take work", now));
                    }
                }
                return Optional.empty();
            }
            if (groups < 2) {
                return Optional.empty();
            }
            if (trigger == Trigger.READINGS) {
                if (rotateOnThrottling) {
                    for (int i : active) {
                        if (devices.throttling(i)) {
                            return rotate(SwitchReason.THROTTLING, "device " + devices.name(i) + " reports throttling",
                                    now, devices);
                        }
                    }
                }
                if (!Double.isNaN(threshold)) {
                    for (int i : active) {
                        if (devices.temperature(i) >= threshold) {
                            return rotate(SwitchReason.TEMPERATURE, String.format(Locale.ROOT,
                                    "device %s at %.1f °C >= threshold %.1f °C", devices.name(i), devices.temperature(i),
                                    threshold), now, devices);
                        }
                    }
                }
            }
            if (cyclePeriod != null && !now.isBefore(activeSince.plus(cyclePeriod))) {
                return rotate(SwitchReason.CYCLE, "group " + activeGroup + " active for "
                        + Duration.between(activeSince, now), now, devices);
            }
            return Optional.empty();
        }

        private Optional<Change> rotate(SwitchReason reason, String detail, Instant now, Devices devices) {
            int fallback = -1;
            int coolest = -1;
            double coolestScore = Double.POSITIVE_INFINITY;
            for (int step = 1; step <= groups; step++) {
                int g = (activeGroup + step) % groups;
                List<Integer> members = group(n, groupSize, g);
                if (members.stream().noneMatch(devices::canWork)) {
                    continue;
                }
                if (fallback < 0 && step < groups) {
                    fallback = g;
                }
                double hottest = Double.NEGATIVE_INFINITY;
                boolean throttles = false;
                for (int i : members) {
                    double t = devices.temperature(i);
                    if (!Double.isNaN(t) && t > hottest) {
                        hottest = t;
                    }
                    throttles |= rotateOnThrottling && devices.throttling(i);
                }
                boolean tooHot = !Double.isNaN(threshold) && hottest >= threshold;
                if (!tooHot && !throttles && step < groups) {
                    return Optional.of(switchTo(g, reason, detail, now));
                }
                double score = hottest + (throttles ? 1000 : 0);
                if (score < coolestScore) {
                    coolestScore = score;
                    coolest = g;
                }
            }
            int target = reason == SwitchReason.CYCLE ? fallback : coolest;
            if (target >= 0 && target != activeGroup) {
                return Optional.of(switchTo(target, reason, detail, now));
            }
            if (reason == SwitchReason.CYCLE) {
                // Nowhere to go: start a new period rather than re-checking on every batch.
                activeSince = now;
            }
            return Optional.empty();
        }

        private Change switchTo(int target, SwitchReason reason, String detail, Instant now) {
            int from = activeGroup;
            List<Integer> fromDevices = active;
            Duration activeFor = Duration.between(activeSince, now);
            activeGroup = target;
            active = group(n, groupSize, target);
            activeSince = now;
            return new Change(reason, detail, from, fromDevices, target, active, activeFor);
        }
    }

    private static List<String> names(List<Integer> positions, RotationPolicy.Devices devices) {
        return positions.stream().map(devices::name).toList();
    }

    /**
     * Configures a {@link FixedGroupRotation}. Each setter checks its value; {@link #build()} checks how
     * they fit together (the group size against the device count is checked by the pool). Not
     * thread-safe; build on one thread.
     */
    public static final class Builder {
        private int groupSize;
        private Duration cyclePeriod;
        private double threshold = Double.NaN;
        private double ambient = DEFAULT_AMBIENT_CELSIUS;
        private boolean rotateOnThrottling;

        private Builder() {
        }

        /** Devices per group ({@code k}), {@code 1 <= k <= n/2} for {@code n} devices. Required. */
        public Builder groupSize(int k) {
            if (k < 1) {
                throw InvalidConfigException.of("groupSize", k, "must be >= 1 (devices per group)");
            }
            this.groupSize = k;
            return this;
        }

        /** Rotate to the next group after the active one has worked this long. Off by default. */
        public Builder cyclePeriod(Duration period) {
            InvalidConfigException.requirePositive("cyclePeriod", period);
            this.cyclePeriod = period;
            return this;
        }

        /**
         * Rotate as soon as a device of the active group reports this temperature (°C) or more; must be
         * above the ambient temperature. Off by default. Set it a few degrees below the device's
         * throttling limit (e.g. 65 °C for a stick that throttles at 70 °C).
         */
        public Builder temperatureThreshold(double celsius) {
            this.threshold = Celsius.finite("temperatureThreshold", celsius);
            return this;
        }

        /** The temperature the devices cool towards, °C; default 25. Only used to check the threshold. */
        public Builder ambientTemperature(double celsius) {
            this.ambient = Celsius.ambient(celsius);
            return this;
        }

        /** Rotate as soon as a device of the active group reports throttling. Off by default. */
        public Builder rotateOnThrottling(boolean rotate) {
            this.rotateOnThrottling = rotate;
            return this;
        }

        int groupSizeSoFar() {
            return groupSize;
        }

        /**
         * Checks the settings and builds the policy.
         *
         * @throws InvalidConfigException without a group size, without a rotation rule, or with a threshold
         *     at or below the ambient temperature
         */
        public FixedGroupRotation build() {
            boolean anyRule = cyclePeriod != null || !Double.isNaN(threshold) || rotateOnThrottling;
            if (groupSize > 0 && !anyRule) {
                throw InvalidConfigException.of("groupSize", groupSize,
                        "needs a rotation rule: set cyclePeriod, temperatureThreshold or rotateOnThrottling");
            }
            if (groupSize == 0) {
                throw InvalidConfigException.of("groupSize", "unset",
                        "a rotation rule (cycle, temperature, throttling) needs a group size k with 1 <= k <= n/2");
            }
            if (!Double.isNaN(threshold) && threshold <= ambient) {
                throw InvalidConfigException.of("temperatureThreshold", threshold,
                        "must be above the ambient temperature " + ambient + " °C, or devices could never cool below it");
            }
            return new FixedGroupRotation(groupSize, cyclePeriod, threshold, rotateOnThrottling);
        }
    }
}
