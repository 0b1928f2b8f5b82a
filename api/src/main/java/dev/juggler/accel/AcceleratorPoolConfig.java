package dev.juggler.accel;

import dev.juggler.InvalidConfigException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The settings of an {@link AcceleratorPool} apart from its devices and collaborators (devices, listeners,
 * clock, scheduler): its name, its {@link RotationPolicy}, health polling and the per-device circuit
 * breaker. Build one with {@link #builder()} and hand it to {@link AcceleratorPool.Builder#config}, e.g.
 * to give several pools the same settings; the pool builder's own setters fill the same fields.
 *
 * <p>Immutable and thread-safe (the {@code deviceFailure} predicate must be thread-safe too).
 */
public final class AcceleratorPoolConfig {

    /** Default interval between two reads of the devices' health. */
    public static final Duration DEFAULT_HEALTH_POLL_INTERVAL = Duration.ofSeconds(1);
    /** Default time a failed device stays out before it gets a trial batch. */
    public static final Duration DEFAULT_PROBE_AFTER = Duration.ofSeconds(30);
    /** Default number of consecutive failures that take a device out. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 1;
    /** Default number of devices one batch is tried on before the failure reaches the caller. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** The settings with every default. */
    public static final AcceleratorPoolConfig DEFAULTS = builder().build();

    private final String name;
    private final RotationPolicy rotation;
    private final Duration healthPollInterval;
    private final Duration probeAfter;
    private final int failureThreshold;
    private final int maxAttempts;
    private final Predicate<RuntimeException> deviceFailure;
    private final boolean closeDevicesOnClose;

    private AcceleratorPoolConfig(Builder b) {
        this.name = b.name;
        this.rotation = b.rotation;
        this.healthPollInterval = b.healthPollInterval;
        this.probeAfter = b.probeAfter;
        this.failureThreshold = b.failureThreshold;
        this.maxAttempts = b.maxAttempts;
        this.deviceFailure = b.deviceFailure;
        this.closeDevicesOnClose = b.closeDevicesOnClose;
    }

    /** Starts a builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.rotation = rotation;
        b.healthPollInterval = healthPollInterval;
        b.probeAfter = probeAfter;
        b.failureThreshold = failureThreshold;
        b.maxAttempts = maxAttempts;
        b.deviceFailure = deviceFailure;
        b.closeDevicesOnClose = closeDevicesOnClose;
        return b;
    }

    /** The pool's name in logs and events; default {@code pool}. */
    public String name() {
        return name;
    }

    /** Which devices work when; default {@link RotationPolicy#none()}. */
    public RotationPolicy rotation() {
        return rotation;
    }

    /** How often device health is read when the rotation policy needs it; default 1 s. */
    public Duration healthPollInterval() {
        return healthPollInterval;
    }

    /** How long a failed device stays out before it gets a trial batch; default 30 s. */
    public Duration probeAfter() {
        return probeAfter;
    }

    /** Consecutive failures that take a device out; default 1. */
    public int failureThreshold() {
        return failureThreshold;
    }

    /** Devices one batch is tried on before its failure reaches the caller; default 3. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Whether an exception from a device is the device's fault; default: every exception is. */
    public Predicate<RuntimeException> deviceFailure() {
        return deviceFailure;
    }

    /** Whether closing the pool closes its devices; default {@code false}. */
    public boolean closeDevicesOnClose() {
        return closeDevicesOnClose;
    }

    @Override
    public String toString() {
        return "AcceleratorPoolConfig[name=" + name + ", rotation=" + rotation + ", healthPollInterval="
                + healthPollInterval + ", probeAfter=" + probeAfter + ", failureThreshold=" + failureThreshold
                + ", maxAttempts=" + maxAttempts + ", closeDevicesOnClose=" + closeDevicesOnClose + "]";
    }

    /** Configures an {@link AcceleratorPoolConfig}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private String name = "pool";
        private RotationPolicy rotation = RotationPolicy.none();
        private Duration healthPollInterval = DEFAULT_HEALTH_POLL_INTERVAL;
        private Duration probeAfter = DEFAULT_PROBE_AFTER;
        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Predicate<RuntimeException> deviceFailure = e -> true;
        private boolean closeDevicesOnClose;

        private Builder() {
        }

        /** The pool's name in logs and events; default {@code pool}. */
        public Builder name(String name) {
            if (name == null || name.isBlank()) {
                throw InvalidConfigException.of("name", name, "must not be blank");
            }
            this.name = name;
            return this;
        }

        /** Which devices work when, e.g. {@link FixedGroupRotation} or {@link ThermalBudgetRotation}. */
        public Builder rotation(RotationPolicy policy) {
            if (policy == null) {
                throw InvalidConfigException.of("rotation", null, "must not be null; RotationPolicy.none() lets all devices work");
            }
            this.rotation = policy;
            return this;
        }

        /** How often device health is read for the rotation policy; default 1 s. */
        public Builder healthPollInterval(Duration interval) {
            this.healthPollInterval = InvalidConfigException.requireNonNegative("healthPollInterval", interval);
            return this;
        }

        /** How long a failed device stays out before it gets a trial batch; default 30 s. */
        public Builder probeAfter(Duration delay) {
            this.probeAfter = InvalidConfigException.requireNonNegative("probeAfter", delay);
            return this;
        }

        /** Consecutive failures that take a device out; default 1. */
        public Builder failureThreshold(int failures) {
            if (failures < 1) {
                throw InvalidConfigException.of("failureThreshold", failures, "must be >= 1");
            }
            this.failureThreshold = failures;
            return this;
        }

        /** Devices one batch is tried on before its failure reaches the caller; default 3. */
        public Builder maxAttempts(int attempts) {
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
        public Builder deviceFailure(Predicate<RuntimeException> isDeviceFailure) {
            this.deviceFailure = InvalidConfigException.required(isDeviceFailure, "deviceFailure");
            return this;
        }

        /** Whether closing the pool closes its devices; default {@code false}. */
        public Builder closeDevicesOnClose(boolean close) {
            this.closeDevicesOnClose = close;
            return this;
        }

        /** Builds the settings; every value was checked by its setter. */
        public AcceleratorPoolConfig build() {
            return new AcceleratorPoolConfig(this);
        }
    }
}
