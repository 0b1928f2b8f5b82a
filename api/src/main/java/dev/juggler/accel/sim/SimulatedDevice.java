package dev.juggler.accel.sim;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.accel.DeviceHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * A simulated accelerator with a first-order thermal model. <b>Simulation support for tests and
 * benchmarks, not production API</b> (see the {@linkplain dev.juggler.accel.sim package}).
 *
 * <h2>Model</h2>
 * The device temperature {@code T} follows Newton's law of cooling plus the heat of its work:
 * <pre>
 *   dT/dt = -(T - T_ambient) / tau + q(t)
 *   q(t)  = heatPerInference / serviceTime   while an inference runs, 0 while idle
 * </pre>
 * solved exactly per interval ({@code T(t) = T_eq + (T_0 - T_eq)·e^(-t/tau)} with
 * {@code T_eq = T_ambient + q·tau}), so the result does not depend on a step size. Running without pause at
 * full speed it would settle at {@code T_ambient + heatPerInference·tau/serviceTime}. An inference takes
 * {@link Builder#serviceTime} per frame of the batch; one that starts at or above
 * {@link Builder#throttleLimit} takes {@link Builder#throttleFactor} times longer (the heat per inference is
 * the same, spread over the longer time, as when a stick pauses its cores). Throttling ends when an
 * inference starts below {@code throttleLimit − throttleHysteresis}. The device runs one batch at a time:
 * concurrent calls queue in arrival order.
 *
 * <h2>Defaults (resembling an Intel NCS2 running a mid-size network)</h2>
 * ambient 25 °C, start at ambient, service time 30 ms per frame, throttle at 70 °C (hysteresis 2 °C),
 * 4× slower while throttling, {@code tau} = 90 s, 0.02 °C per inference — so a continuously busy stick
 * would settle at 85 °C and reaches 70 °C after about 2 minutes, like a real stick without a heat sink.
 *
 * <h2>Time</h2>
 * Time is read from a {@link Clock} and waited with a {@link Sleeper}: the real ones, or a
 * {@link VirtualTime} so that an hour of device time takes seconds. Waiting is computed, not simulated
 * step by step: each call books its slot on the device's timeline and sleeps until the slot ends.
 *
 * <p>Thread-safe.
 *
 * @param <I> input per frame
 * @param <O> output per frame
 */
public final class SimulatedDevice<I, O> implements Accelerator<I, O> {

    /** Default ambient temperature, °C. */
    public static final double DEFAULT_AMBIENT_CELSIUS = 25.0;
    /** Default throttling limit, °C (an NCS2 starts throttling at about 70 °C). */
    public static final double DEFAULT_THROTTLE_LIMIT_CELSIUS = 70.0;
    /** Default hysteresis below the limit at which throttling ends, °C. */
    public static final double DEFAULT_THROTTLE_HYSTERESIS_CELSIUS = 2.0;
    /** Default slow-down factor while throttling. */
    public static final double DEFAULT_THROTTLE_FACTOR = 4.0;
    /** Default time per frame at full speed. */
    public static final Duration DEFAULT_SERVICE_TIME = Duration.ofMillis(30);
    /** Default thermal time constant. */
    public static final Duration DEFAULT_TAU = Duration.ofSeconds(90);
    /** Default heat per inference of one frame, °C. */
    public static final double DEFAULT_HEAT_PER_INFERENCE_CELSIUS = 0.02;

    private final String name;
    private final Function<I, O> model;
    private final Clock clock;
    private final Sleeper sleeper;
    private final double ambient;
    private final double limit;
    private final double hysteresis;
    private final double factor;
    private final long serviceNanos;
    private final double tauSeconds;
    private final double heat;
    private final int maxBatch;

    // Guarded by this.
    private long stateNanos;
    private double stateTemp;
    private boolean throttled;
    private boolean closed;
    private final Deque<Slot> booked = new ArrayDeque<>();
    private long busyUntil;
    private double maxTemp;
    private long frames;
    private long throttledFrames;
    private long busyNanos;

    /** One booked inference on the device timeline (nanoseconds of the clock's epoch). */
    private record Slot(long start, long end, double power, boolean throttled) {
    }

    private SimulatedDevice(Builder b, Function<I, O> model) {
        this.name = b.name;
        this.model = model;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.ambient = b.ambient;
        this.limit = b.limit;
        this.hysteresis = b.hysteresis;
        this.factor = b.factor;
        this.serviceNanos = b.serviceTime.toNanos();
        this.tauSeconds = b.tau.toNanos() / 1e9;
        this.heat = b.heat;
        this.maxBatch = b.maxBatch;
        this.stateNanos = nanos(clock.instant());
        this.stateTemp = b.initial;
        this.maxTemp = b.initial;
        this.busyUntil = stateNanos;
    }

    /** Starts a builder for a device of this name with the NCS2-like defaults. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxBatchSize() {
        return maxBatch;
    }

    @Override
    public List<O> infer(List<I> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.size() > maxBatch) {
            throw new JugglerException("device " + name + ": batch of " + batch.size() + " > maxBatchSize " + maxBatch);
        }
        long end;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("simulated device " + name + " is closed");
            }
            if (batch.isEmpty()) {
                return List.of(); // no work: booking a slot of length 0 would heat it by 0/0 = NaN °C
            }
            long now = nanos(clock.instant());
            commit(now);
            long start = Math.max(now, busyUntil);
            double startTemp = temperatureAt(start);
            if (startTemp >= limit) {
                throttled = true;
            } else if (throttled && startTemp < limit - hysteresis) {
                throttled = false;
            }
            long duration = (long) (serviceNanos * batch.size() * (throttled ? factor : 1.0));
            end = start + duration;
            double power = heat * batch.size() / (duration / 1e9);
            booked.addLast(new Slot(start, end, power, throttled));
            busyUntil = end;
            maxTemp = Math.max(maxTemp, Math.max(startTemp, temperatureAt(end)));
            frames += batch.size();
            busyNanos += duration;
            if (throttled) {
                throttledFrames += batch.size();
            }
        }
        try {
            sleeper.sleep(Duration.ofNanos(end - nanos(clock.instant())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JugglerException.transientFailure("device " + name + " interrupted", e);
        }
        List<O> out = new ArrayList<>(batch.size());
        for (I input : batch) {
            out.add(model.apply(input));
        }
        return out;
    }

    /** The temperature now and whether the current (or last) inference runs throttled. */
    @Override
    public synchronized Optional<DeviceHealth> health() {
        Instant at = clock.instant();
        long now = nanos(at);
        commit(now);
        boolean throttling = throttled;
        for (Slot slot : booked) {
            if (slot.start <= now) {
                throttling = slot.throttled;
            }
        }
        return Optional.of(new DeviceHealth(OptionalDouble.of(temperatureAt(now)), throttling, at));
    }

    /** The current temperature, °C. */
    public synchronized double temperatureCelsius() {
        long now = nanos(clock.instant());
        commit(now);
        return temperatureAt(now);
    }

    /** The highest temperature the device has reached or will reach in work already booked, °C. */
    public synchronized double maxTemperatureCelsius() {
        return maxTemp;
    }

    /** Frames inferred (booked) so far. */
    public synchronized long frames() {
        return frames;
    }

    /** Frames that ran throttled. */
    public synchronized long throttledFrames() {
        return throttledFrames;
    }

    /** Total time the device has been busy (booked). */
    public synchronized Duration busyTime() {
        return Duration.ofNanos(busyNanos);
    }

    /** Idempotent; later calls to {@link #infer} fail. */
    @Override
    public synchronized void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "SimulatedDevice[" + name + "]";
    }

    /** Folds booked slots that ended by {@code now} into the committed state. */
    private void commit(long now) {
        while (!booked.isEmpty() && booked.peekFirst().end <= now) {
            Slot slot = booked.pollFirst();
            stateTemp = evolve(evolve(stateTemp, slot.start - stateNanos, 0), slot.end - Math.max(slot.start, stateNanos), slot.power);
            stateNanos = slot.end;
        }
    }

    /** The temperature at {@code t} (not before the committed state), given the booked slots. */
    private double temperatureAt(long t) {
        double temp = stateTemp;
        long time = stateNanos;
        for (Slot slot : booked) {
            if (t <= time) {
                break;
            }
            long idleEnd = Math.min(slot.start, t);
            if (idleEnd > time) {
                temp = evolve(temp, idleEnd - time, 0);
                time = idleEnd;
            }
            long busyEnd = Math.min(slot.end, t);
            if (busyEnd > time) {
                temp = evolve(temp, busyEnd - time, slot.power);
                time = busyEnd;
            }
        }
        if (t > time) {
            temp = evolve(temp, t - time, 0);
        }
        return temp;
    }

    private double evolve(double from, long nanos, double power) {
        if (nanos <= 0) {
            return from;
        }
        double equilibrium = ambient + power * tauSeconds;
        return equilibrium + (from - equilibrium) * Math.exp(-(nanos / 1e9) / tauSeconds);
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Configures a {@link SimulatedDevice}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.REAL;
        private double ambient = DEFAULT_AMBIENT_CELSIUS;
        private double initial = Double.NaN;
        private double limit = DEFAULT_THROTTLE_LIMIT_CELSIUS;
        private double hysteresis = DEFAULT_THROTTLE_HYSTERESIS_CELSIUS;
        private double factor = DEFAULT_THROTTLE_FACTOR;
        private Duration serviceTime = DEFAULT_SERVICE_TIME;
        private Duration tau = DEFAULT_TAU;
        private double heat = DEFAULT_HEAT_PER_INFERENCE_CELSIUS;
        private int maxBatch = 1;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw InvalidConfigException.of("name", name, "must not be blank");
            }
            this.name = name;
        }

        /** Uses a {@link VirtualTime} for both the clock and the sleeper. */
        public Builder virtualTime(VirtualTime time) {
            InvalidConfigException.required(time, "time");
            this.clock = time.clock();
            this.sleeper = time.sleeper();
            return this;
        }

        /** The clock; default the system clock. */
        public Builder clock(Clock clock) {
            this.clock = InvalidConfigException.required(clock, "clock");
            return this;
        }

        /** How the device waits while it works; default {@link Sleeper#REAL}. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = InvalidConfigException.required(sleeper, "sleeper");
            return this;
        }

        /** Ambient temperature, °C; default 25. */
        public Builder ambientCelsius(double celsius) {
            this.ambient = finite("ambientCelsius", celsius);
            return this;
        }

        /** Temperature at the start, °C; default the ambient temperature. */
        public Builder initialCelsius(double celsius) {
            this.initial = finite("initialCelsius", celsius);
            return this;
        }

        /** Temperature at which the device starts to throttle, °C; default 70. */
        public Builder throttleLimitCelsius(double celsius) {
            this.limit = finite("throttleLimitCelsius", celsius);
            return this;
        }

        /** How far below the limit an inference must start to run at full speed again, °C; default 2. */
        public Builder throttleHysteresisCelsius(double celsius) {
            if (!(celsius >= 0) || !Double.isFinite(celsius)) {
                throw InvalidConfigException.of("throttleHysteresisCelsius", celsius, "must be >= 0");
            }
            this.hysteresis = celsius;
            return this;
        }

        /** How many times slower a throttled inference is; default 4. Use 1 for a device that never slows. */
        public Builder throttleFactor(double factor) {
            if (!(factor >= 1) || !Double.isFinite(factor)) {
                throw InvalidConfigException.of("throttleFactor", factor, "must be >= 1");
            }
            this.factor = factor;
            return this;
        }

        /** Time per frame at full speed; default 30 ms. */
        public Builder serviceTime(Duration perFrame) {
            InvalidConfigException.requirePositive("serviceTime", perFrame);
            this.serviceTime = perFrame;
            return this;
        }

        /** Thermal time constant of Newton's law; default 90 s. */
        public Builder thermalTimeConstant(Duration tau) {
            InvalidConfigException.requirePositive("thermalTimeConstant", tau);
            this.tau = tau;
            return this;
        }

        /** Heat of one frame's inference, as the temperature rise it would cause without cooling, °C; default 0.02. */
        public Builder heatPerInferenceCelsius(double celsius) {
            if (!(celsius >= 0) || !Double.isFinite(celsius)) {
                throw InvalidConfigException.of("heatPerInferenceCelsius", celsius, "must be >= 0");
            }
            this.heat = celsius;
            return this;
        }

        /** Largest batch; default 1 (a stick runs one frame at a time). */
        public Builder maxBatchSize(int frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("maxBatchSize", frames, "must be >= 1");
            }
            this.maxBatch = frames;
            return this;
        }

        /** Builds a device whose model is {@code model}, applied to each input. */
        public <I, O> SimulatedDevice<I, O> build(Function<I, O> model) {
            InvalidConfigException.required(model, "model");
            if (Double.isNaN(initial)) {
                initial = ambient;
            }
            if (limit <= ambient) {
                throw InvalidConfigException.of("throttleLimitCelsius", limit, "must be above ambientCelsius " + ambient);
            }
            return new SimulatedDevice<>(this, model);
        }

        private static double finite(String field, double value) {
            if (!Double.isFinite(value)) {
                throw InvalidConfigException.of(field, value, "must be a finite temperature in °C");
            }
            return value;
        }
    }
}
