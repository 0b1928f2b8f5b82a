package dev.juggler.inference.clean;

import dev.juggler.InvalidConfigException;
import java.util.Locale;

/**
 * How a pose track is cleaned: identities, outlier rejection, gap filling and smoothing. Build it with
 * {@link #builder()}; every setting has the default documented on its builder method. Immutable and
 * thread-safe.
 *
 * @param maxGap the longest run of missing frames of one keypoint that is filled by interpolation
 * @param keepAliveFrames how many frames an identity survives without being seen (occlusion)
 * @param maxMatchCost the largest matching cost (body heights) at which a person continues an identity
 * @param minConfidence keypoints below this confidence are treated as missing
 * @param maxSpeed the fastest plausible keypoint speed, in body heights per second; faster jumps are outliers
 * @param maxBoneChange the largest plausible factor by which a limb bone's length differs from its running
 *     mean; a larger change is an outlier
 * @param smoothing the smoothing filter
 * @param order the Butterworth filter's order
 * @param cutoffHz the Butterworth filter's cutoff frequency
 * @param minCutoffHz the One Euro filter's minimum cutoff frequency
 * @param beta the One Euro filter's speed coefficient, per body height per second
 * @param weighByConfidence whether the smoothing weighs each point by its confidence
 */
public record CleanSettings(int maxGap, int keepAliveFrames, double maxMatchCost, double minConfidence, double maxSpeed,
        double maxBoneChange, Smoothing smoothing, int order, double cutoffHz, double minCutoffHz, double beta,
        boolean weighByConfidence) {

    /** The smoothing filter applied after gap filling. */
    public enum Smoothing {
        /** Zero-phase Butterworth low-pass over each continuous segment (needs the frames after each frame). */
        BUTTERWORTH,
        /** The causal One Euro filter, for live use: each frame depends only on the frames before it. */
        ONE_EURO,
        /** No smoothing: identities, outliers and gap filling only. */
        NONE;

        /** The name in configs and options: {@code butterworth}, {@code one-euro}, {@code none}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The keys, in declaration order. */
        public static java.util.List<String> keys() {
            return java.util.Arrays.stream(values()).map(Smoothing::key).toList();
        }

        /** The filter with this key (case and surrounding blanks ignored), if any. */
        public static java.util.Optional<Smoothing> ofKey(String key) {
            return java.util.Arrays.stream(values()).filter(s -> s.key().equalsIgnoreCase(key.trim())).findFirst();
        }
    }

    /** The analysis name suffix of a cleaned track: {@code pose} is cleaned into {@code pose+clean}. */
    public static final String SUFFIX = "+clean";

    /** The derived track's analysis name for a source analysis. */
    public static String cleanedName(String analysis) {
        return analysis + SUFFIX;
    }

    /** The settings as one line of {@code key=value} pairs, as they are recorded with the derived track. */
    public String toParameters() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "max-gap=%d keep-alive=%d max-match-cost=%s min-confidence=%s max-speed=%s max-bone-change=%s smoothing=%s",
                maxGap, keepAliveFrames, num(maxMatchCost), num(minConfidence), num(maxSpeed), num(maxBoneChange),
                smoothing.key()));
        switch (smoothing) {
            case BUTTERWORTH -> s.append(" order=").append(order).append(" cutoff-hz=").append(num(cutoffHz));
            case ONE_EURO -> s.append(" min-cutoff-hz=").append(num(minCutoffHz)).append(" beta=").append(num(beta));
            case NONE -> { }
        }
        if (smoothing != Smoothing.NONE) {
            s.append(" weigh-by-confidence=").append(weighByConfidence);
        }
        return s.toString();
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static CleanSettings defaults() {
        return builder().build();
    }

    /** Validates each setting as it is set. Not thread-safe. */
    public static final class Builder {
        private int maxGap = 10;
        private int keepAliveFrames = 25;
        private double maxMatchCost = 1.0;
        private double minConfidence = 0.05;
        private double maxSpeed = 8.0;
        private double maxBoneChange = 1.8;
        private Smoothing smoothing = Smoothing.BUTTERWORTH;
        private int order = 4;
        private double cutoffHz = 6.0;
        private double minCutoffHz = 1.0;
        private double beta = 0.5;
        private boolean weighByConfidence = true;

        private Builder() {
        }

        /** Longest filled gap in frames, 0..1000 (default 10; 0 fills nothing). */
        public Builder maxGap(int frames) {
            maxGap = InvalidConfigException.requireInRange("clean.maxGap", frames, 0, 1000);
            return this;
        }

        /** Frames an unseen identity survives, 0..100000 (default 25). */
        public Builder keepAliveFrames(int frames) {
            keepAliveFrames = InvalidConfigException.requireInRange("clean.keepAlive", frames, 0, 100_000);
            return this;
        }

        /** Largest matching cost, in body heights, 0.05..10 (default 1.0). */
        public Builder maxMatchCost(double cost) {
            maxMatchCost = InvalidConfigException.requireInRange("clean.maxMatchCost", cost, 0.05, 10);
            return this;
        }

        /** Confidence below which a keypoint counts as missing, 0..1 (default 0.05). */
        public Builder minConfidence(double confidence) {
            minConfidence = InvalidConfigException.requireInRange("clean.minConfidence", confidence, 0, 1);
            return this;
        }

        /** Fastest plausible keypoint speed in body heights per second, 0.5..1000 (default 8). */
        public Builder maxSpeed(double bodyHeightsPerSecond) {
            maxSpeed = InvalidConfigException.requireInRange("clean.maxSpeed", bodyHeightsPerSecond, 0.5, 1000);
            return this;
        }

        /** Largest plausible factor of bone length change, 1.1..100 (default 1.8). */
        public Builder maxBoneChange(double factor) {
            maxBoneChange = InvalidConfigException.requireInRange("clean.maxBoneChange", factor, 1.1, 100);
            return this;
        }

        /** The smoothing filter (default BUTTERWORTH). */
        public Builder smoothing(Smoothing filter) {
            if (filter == null) {
                throw InvalidConfigException.of("clean.smoothing", null, "must be " + String.join(", ", Smoothing.keys()));
            }
            smoothing = filter;
            return this;
        }

        /** Butterworth order, 1..8 (default 4). */
        public Builder order(int filterOrder) {
            order = InvalidConfigException.requireInRange("smoothing.order", filterOrder, 1, 8);
            return this;
        }

        /** Butterworth cutoff in Hz, above 0 (default 6); it must also lie below half the video's fps. */
        public Builder cutoffHz(double hz) {
            cutoffHz = InvalidConfigException.requireInRange("smoothing.cutoffHz", hz, 1e-3, 1e4);
            return this;
        }

        /** One Euro minimum cutoff in Hz (default 1.0). */
        public Builder minCutoffHz(double hz) {
            minCutoffHz = InvalidConfigException.requireInRange("smoothing.minCutoffHz", hz, 1e-3, 1e4);
            return this;
        }

        /**
         * One Euro speed coefficient, 0 or more (default 0.5): the cutoff rises by {@code beta} Hz per body height
         * per second of speed, so fast moves lag less.
         */
        public Builder beta(double coefficient) {
            beta = InvalidConfigException.requireInRange("smoothing.beta", coefficient, 0, 1e6);
            return this;
        }

        /** Whether smoothing weighs points by confidence (default true); false treats every kept point alike. */
        public Builder weighByConfidence(boolean weigh) {
            weighByConfidence = weigh;
            return this;
        }

        /** The settings. */
        public CleanSettings build() {
            return new CleanSettings(maxGap, keepAliveFrames, maxMatchCost, minConfidence, maxSpeed, maxBoneChange,
                    smoothing, order, cutoffHz, minCutoffHz, beta, weighByConfidence);
        }
    }
}
