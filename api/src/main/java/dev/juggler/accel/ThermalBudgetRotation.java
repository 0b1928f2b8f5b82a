package dev.juggler.accel;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Duty-cycles every device just below a temperature threshold instead of rotating fixed groups: each
 * device works as long as it is cooler than {@code threshold − headroom} and, once it reaches that, rests
 * until it has cooled to {@code threshold − headroom − hysteresis} (or reports throttling, and rests until
 * it no longer does and is that cool). All devices spend their whole thermal budget, so a pool of {@code n}
 * sticks works like about {@code n · d} never-throttled sticks, where {@code d} is the share of time a
 * stick can work and stay at that temperature — more than fixed groups of {@code k ≤ n/2}, which leave
 * every device idle for {@code 1 − k/n} of the time whatever its temperature.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Decisions are taken on fresh health readings only ({@link RotationPolicy.Trigger#READINGS}), so the
 *       pool's health poll interval bounds the overshoot: keep it well below the time a busy device needs
 *       to heat by the headroom.</li>
 *   <li>A device that reports no temperature is never rested for heat.</li>
 *   <li>If every device rests, the coolest device that can work keeps working, so the pool never stops;
 *       if no active device can take a batch (all out of service), the coolest device that can is added
 *       ({@link SwitchReason#FAILURE}).</li>
 *   <li>There is one group of all devices ({@code groups()} has one entry, {@code activeGroup()} is 0); a
 *       change of the working devices is reported as a {@link GroupSwitch} from group 0 to group 0 with the
 *       devices before and after, reason {@link SwitchReason#TEMPERATURE} (or
 *       {@link SwitchReason#THROTTLING} if a device reports throttling).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; its {@link RotationPolicy.Schedule} is not (see {@link RotationPolicy}).
 */
public final class ThermalBudgetRotation implements RotationPolicy {

    /** Default distance below the threshold at which a device starts to rest, °C. */
    public static final double DEFAULT_HEADROOM_CELSIUS = 0.5;
    /** Default distance a resting device cools before it works again, °C. */
    public static final double DEFAULT_HYSTERESIS_CELSIUS = 1.0;
    /** Default assumed ambient temperature, °C; only used to check the settings. */
    public static final double DEFAULT_AMBIENT_CELSIUS = 25.0;

    private final double threshold;
    private final double restAt;
    private final double resumeAt;

    private ThermalBudgetRotation(double threshold, double headroom, double hysteresis) {
        this.threshold = threshold;
        this.restAt = threshold - headroom;
        this.resumeAt = threshold - headroom - hysteresis;
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A policy with the default headroom and hysteresis below {@code thresholdCelsius}. */
    public static ThermalBudgetRotation below(double thresholdCelsius) {
        return builder().temperatureThreshold(thresholdCelsius).build();
    }

    /** The temperature that must not be exceeded, °C. */
    public double temperatureThreshold() {
        return threshold;
    }

    /** The temperature at which a device starts to rest, °C. */
    public double restAtCelsius() {
        return restAt;
    }

    /** The temperature a resting device must cool to before it works again, °C. */
    public double resumeAtCelsius() {
        return resumeAt;
    }

    /** Fits any number of devices. */
    @Override
    public void check(int deviceCount) {
        // Every device count works: with one device the policy never rests it (see "every device rests").
    }

    @Override
    public boolean readsHealth() {
        return true;
    }

    @Override
    public RotationPolicy.Schedule start(List<String> devices, Instant now) {
        return new Schedule(devices, now);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ThermalBudgetRotation[threshold=%.1f, restAt=%.1f, resumeAt=%.1f]",
                threshold, restAt, resumeAt);
    }

    /** Which devices rest, by name (positions shift when devices are removed). Not thread-safe. */
    private final class Schedule implements RotationPolicy.Schedule {
        private final Set<String> resting = new HashSet<>();
        private List<String> names;
        private List<Integer> active;
        private Instant activeSince;

        Schedule(List<String> devices, Instant now) {
            this.names = List.copyOf(devices);
            this.active = all(names.size());
            this.activeSince = now;
        }

        @Override
        public List<List<Integer>> groups() {
            return List.of(all(names.size()));
        }

        @Override
        public int activeGroup() {
            return 0;
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
            names = List.copyOf(devices);
            resting.retainAll(new HashSet<>(names));
            List<Integer> working = working();
            active = working.isEmpty() ? all(names.size()) : working;
        }

        @Override
        public Optional<Change> evaluate(Instant now, Trigger trigger, Devices devices) {
            if (trigger == Trigger.TICK) {
                return Optional.empty();
            }
            if (trigger == Trigger.NO_DEVICE) {
                int spare = coolest(devices, active);
                if (spare < 0) {
                    return Optional.empty();
                }
                List<Integer> more = new ArrayList<>(active);
                more.add(spare);
                return Optional.of(change(SwitchReason.FAILURE, "no active device " + names(active, devices)
                        + " can take work; " + devices.name(spare) + " helps out", more, now));
            }
            StringBuilder detail = new StringBuilder();
            boolean throttled = false;
            for (int i = 0; i < devices.size(); i++) {
                String name = devices.name(i);
                double t = devices.temperature(i);
                boolean throttling = devices.throttling(i);
                if (resting.contains(name)) {
                    if (!throttling && (Double.isNaN(t) || t <= resumeAt)) {
                        resting.remove(name);
                        note(detail, String.format(Locale.ROOT, "%s resumes at %.1f °C", name, t));
                    }
                } else if (throttling || t >= restAt) {
                    resting.add(name);
                    throttled |= throttling;
                    note(detail, throttling ? name + " rests: throttling"
                            : String.format(Locale.ROOT, "%s rests at %.1f °C >= %.1f °C", name, t, restAt));
                }
            }
            List<Integer> working = working();
            if (working.isEmpty()) {
                int coolest = coolest(devices, List.of());
                working = List.of(coolest < 0 ? 0 : coolest);
                note(detail, "all devices rest; the coolest, " + devices.name(working.get(0)) + ", keeps working");
            }
            if (working.equals(active)) {
                return Optional.empty();
            }
            return Optional.of(change(throttled ? SwitchReason.THROTTLING : SwitchReason.TEMPERATURE,
                    detail.length() == 0 ? "devices cooled" : detail.toString(), working, now));
        }

        private Change change(SwitchReason reason, String detail, List<Integer> to, Instant now) {
            List<Integer> from = active;
            Duration activeFor = Duration.between(activeSince, now);
            active = List.copyOf(to);
            activeSince = now;
            return new Change(reason, detail, 0, from, 0, active, activeFor);
        }

        private List<Integer> working() {
            List<Integer> working = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                if (!resting.contains(names.get(i))) {
                    working.add(i);
                }
            }
            return List.copyOf(working);
        }

        /** The coolest device that can work and is not in {@code except}; unknown temperatures count as cool. */
        private int coolest(Devices devices, List<Integer> except) {
            int best = -1;
            double bestTemp = Double.POSITIVE_INFINITY;
            for (int i = 0; i < devices.size(); i++) {
                if (except.contains(i) || !devices.canWork(i)) {
                    continue;
                }
                double t = Double.isNaN(devices.temperature(i)) ? Double.NEGATIVE_INFINITY : devices.temperature(i);
                if (best < 0 || t < bestTemp) {
                    best = i;
                    bestTemp = t;
                }
            }
            return best;
        }
    }

    private static void note(StringBuilder detail, String what) {
        detail.append(detail.length() == 0 ? "" : "; ").append(what);
    }

    private static List<Integer> all(int n) {
        List<Integer> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return List.copyOf(all);
    }

    private static List<String> names(List<Integer> positions, RotationPolicy.Devices devices) {
        return positions.stream().map(devices::name).toList();
    }

    /** Configures a {@link ThermalBudgetRotation}. Each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private double threshold = Double.NaN;
        private double headroom = DEFAULT_HEADROOM_CELSIUS;
        private double hysteresis = DEFAULT_HYSTERESIS_CELSIUS;
        private double ambient = DEFAULT_AMBIENT_CELSIUS;

        private Builder() {
        }

        /**
         * The temperature no device should exceed, °C. Required. Set it a few degrees below the device's
         * throttling limit (e.g. 65 °C for a stick that throttles at 70 °C).
         */
        public Builder temperatureThreshold(double celsius) {
            this.threshold = Celsius.finite("temperatureThreshold", celsius);
            return this;
        }

        /** How far below the threshold a device starts to rest, °C; default 0.5. Covers the overshoot between polls. */
        public Builder headroom(double celsius) {
            if (!Double.isFinite(celsius) || celsius < 0) {
                throw InvalidConfigException.of("headroom", celsius, "must be >= 0 °C");
            }
            this.headroom = celsius;
            return this;
        }

        /** How far a resting device cools before it works again, °C; default 1. Larger means fewer, longer rests. */
        public Builder hysteresis(double celsius) {
            if (!Double.isFinite(celsius) || celsius <= 0) {
                throw InvalidConfigException.of("hysteresis", celsius, "must be > 0 °C");
            }
            this.hysteresis = celsius;
            return this;
        }

        /** The temperature the devices cool towards, °C; default 25. Only used to check the settings. */
        public Builder ambientTemperature(double celsius) {
            this.ambient = Celsius.ambient(celsius);
            return this;
        }

        /**
         * Checks the settings and builds the policy.
         *
         * @throws InvalidConfigException without a threshold, or if a resting device would have to cool to
         *     the ambient temperature or below
         */
        public ThermalBudgetRotation build() {
            if (Double.isNaN(threshold)) {
                throw InvalidConfigException.of("temperatureThreshold", "unset", "the thermal budget needs a threshold in °C");
            }
            if (threshold - headroom - hysteresis <= ambient) {
                throw InvalidConfigException.of("temperatureThreshold", threshold, "minus headroom " + headroom
                        + " and hysteresis " + hysteresis + " must stay above the ambient temperature " + ambient
                        + " °C, or a resting device could never cool enough to work again");
            }
            return new ThermalBudgetRotation(threshold, headroom, hysteresis);
        }
    }
}
