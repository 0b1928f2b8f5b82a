package dev.juggler.inference.clean;

import dev.juggler.InvalidConfigException;

/**
 * The One Euro filter (Casiez, Roussel and Vogel, CHI 2012): a causal exponential smoother whose cutoff
 * rises with the signal's speed, so a still point jitters little and a moving one lags little. Meant
 * for live tracks, where {@link Butterworth}'s look-ahead is not available.
 *
 * <p>Each sample carries a confidence in {@code [0, 1]} that scales both smoothing factors (of the
 * value and of its speed): at 1 it is the plain filter, at 0 the sample is ignored and the previous
 * state is kept, including the time of the last update, so the next speed estimate spans the whole gap.
 *
 * <p>Not thread-safe: it holds the state of one series. Use one instance per series.
 */
public final class OneEuroFilter {

    private final double minCutoffHz;
    private final double beta;
    private final double derivativeCutoffHz;
    private boolean started;
    private double value;
    private double speed;
    /** The time of the last update of {@link #value}. */
    private double stateTime;
    /** The time of the last sample seen, updated or not: times must rise past it. */
    private double lastTime = Double.NEGATIVE_INFINITY;

    private OneEuroFilter(double minCutoffHz, double beta, double derivativeCutoffHz) {
        this.minCutoffHz = minCutoffHz;
        this.beta = beta;
        this.derivativeCutoffHz = derivativeCutoffHz;
    }

    /**
     * Creates a filter.
     *
     * @param minCutoffHz the cutoff at rest, {@code > 0} (config field {@code smoothing.minCutoffHz})
     * @param beta how much the cutoff rises per unit of speed, {@code >= 0} (config field
     *     {@code smoothing.beta}); 0 makes it a plain first-order low-pass
     * @param derivativeCutoffHz the cutoff for the speed estimate, {@code > 0} (config field
     *     {@code smoothing.derivativeCutoffHz}); 1 Hz is the usual choice
     * @throws InvalidConfigException naming the field that is out of range
     */
    public static OneEuroFilter of(double minCutoffHz, double beta, double derivativeCutoffHz) {
        if (!(minCutoffHz > 0) || Double.isInfinite(minCutoffHz)) {
            throw InvalidConfigException.of("smoothing.minCutoffHz", minCutoffHz, "must be a positive frequency");
        }
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw InvalidConfigException.of("smoothing.beta", beta, "must be zero or positive");
        }
        if (!(derivativeCutoffHz > 0) || Double.isInfinite(derivativeCutoffHz)) {
            throw InvalidConfigException.of("smoothing.derivativeCutoffHz", derivativeCutoffHz,
                    "must be a positive frequency");
        }
        return new OneEuroFilter(minCutoffHz, beta, derivativeCutoffHz);
    }

    public double minCutoffHz() {
        return minCutoffHz;
    }

    public double beta() {
        return beta;
    }

    public double derivativeCutoffHz() {
        return derivativeCutoffHz;
    }

    /**
     * Takes the next sample and returns the filtered value. The first sample with a positive confidence
     * passes through unchanged and starts the filter; before that, samples pass through and leave no
     * state.
     *
     * @param value the raw value, finite
     * @param timeSeconds the sample's time; must be later than every earlier sample's since the last
     *     {@link #reset()}
     * @param confidence in {@code [0, 1]}
     * @throws IllegalArgumentException if the value is not finite, the confidence is outside
     *     {@code [0, 1]} or the time does not increase
     */
    public double filter(double value, double timeSeconds, double confidence) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value must be finite, was " + value);
        }
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], was " + confidence);
        }
        if (!(timeSeconds > lastTime) || Double.isInfinite(timeSeconds)) {
            throw new IllegalArgumentException("time must increase: " + timeSeconds + " after " + lastTime);
        }
        lastTime = timeSeconds;
        if (confidence == 0) {
            return started ? this.value : value;
        }
        if (!started) {
            started = true;
            this.value = value;
            this.speed = 0;
            this.stateTime = timeSeconds;
            return value;
        }
        double dt = timeSeconds - stateTime;
        double rawSpeed = (value - this.value) / dt;
        speed += confidence * alpha(derivativeCutoffHz, dt) * (rawSpeed - speed);
        double cutoff = minCutoffHz + beta * Math.abs(speed);
        this.value += confidence * alpha(cutoff, dt) * (value - this.value);
        stateTime = timeSeconds;
        return this.value;
    }

    /** Forgets all state: the next sample passes through as a first one, at any time. */
    public void reset() {
        started = false;
        lastTime = Double.NEGATIVE_INFINITY;
    }

    /** The smoothing factor of an exponential smoother with this cutoff at this sample interval. */
    private static double alpha(double cutoffHz, double dt) {
        double tau = 1 / (2 * Math.PI * cutoffHz);
        return 1 / (1 + tau / dt);
    }
}
