package dev.juggler.samples.config;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.clean.CleanSettings;
import java.util.Objects;
import java.util.function.DoubleFunction;
import java.util.function.IntFunction;

/**
 * The {@code clean:} section: whether {@code juggler run} cleans each pose track when it finishes (into its derived
 * track {@code <analysis>+clean}, see {@code juggler clean}), and with which settings. Immutable and thread-safe.
 *
 * @param afterTrack clean each track of the run's analysis when all its frames are done or failed
 * @param settings the cleaning settings
 */
public record CleanConfig(boolean afterTrack, CleanSettings settings) {

    public CleanConfig {
        Objects.requireNonNull(settings, "settings");
    }

    static CleanConfig read(Section s) {
        boolean afterTrack = s.bool("afterTrack", s.present());
        CleanSettings.Builder b = CleanSettings.builder();
        whole(s, "maxGap", b::maxGap);
        whole(s, "keepAlive", b::keepAliveFrames);
        real(s, "maxMatchCost", b::maxMatchCost);
        real(s, "minConfidence", b::minConfidence);
        real(s, "maxSpeed", b::maxSpeed);
        real(s, "maxBoneChange", b::maxBoneChange);
        String smoothing = s.choice("smoothing", CleanSettings.Smoothing.keys(), CleanSettings.Smoothing.BUTTERWORTH.key());
        b.smoothing(CleanSettings.Smoothing.ofKey(smoothing).orElseThrow());
        whole(s, "order", b::order);
        real(s, "cutoffHz", b::cutoffHz);
        real(s, "minCutoffHz", b::minCutoffHz);
        real(s, "beta", b::beta);
        b.weighByConfidence(s.bool("weighByConfidence", true));
        s.finish();
        return new CleanConfig(afterTrack, b.build());
    }

    private static void whole(Section s, String key, IntFunction<CleanSettings.Builder> setter) {
        Long v = s.convert(key, null, Long::parseLong);
        if (v != null) {
            apply(s, key, () -> setter.apply((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v))));
        }
    }

    private static void real(Section s, String key, DoubleFunction<CleanSettings.Builder> setter) {
        Double v = s.convert(key, null, Double::parseDouble);
        if (v != null) {
            apply(s, key, () -> setter.apply(v));
        }
    }

    private static void apply(Section s, String key, Runnable set) {
        try {
            set.run();
        } catch (InvalidConfigException e) {
            s.error(key, e.getMessage());
        }
    }
}
