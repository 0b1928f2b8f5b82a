package dev.juggler.inference.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link OneEuroFilter}: the causal, speed-adaptive smoother for live tracks. */
class OneEuroFilterTest {

    /** Set -Djuggler.test.seed=N to replay a failure. */
    private static final long SEED = Long.getLong("juggler.test.seed", System.nanoTime());

    @Test
    void aConstantStaysConstantAtIrregularTimes() {
        Random rnd = new Random(SEED);
        OneEuroFilter f = OneEuroFilter.of(1, 0.5, 1);
        double t = 0;
        for (int i = 0; i < 500; i++) {
            t += 0.001 + 0.1 * rnd.nextDouble();
            assertEquals(42.25, f.filter(42.25, t, rnd.nextDouble()), 0, "seed " + SEED + " at " + i);
        }
    }

    @Test
    void theFirstSamplePassesAndAStepConvergesWithoutOvershoot() {
        OneEuroFilter f = OneEuroFilter.of(1, 0.01, 1);
        assertEquals(3, f.filter(3, 0, 1));
        double previous = 3;
        for (int i = 1; i <= 90; i++) {
            double y = f.filter(10, i / 30.0, 1);
            assertTrue(y >= previous && y <= 10, "at " + i + ": " + y);
            previous = y;
        }
        assertEquals(10, previous, 1e-3, "after 3 s");
        assertTrue(OneEuroFilter.of(1, 0, 1).filter(-5, 7, 1) == -5);
    }

    @Test
    void higherBetaLagsLessOnAFastRamp() {
        double lagPlain = rampLag(0);
        double lagAdaptive = rampLag(0.05);
        assertTrue(lagPlain > 5, "beta 0 lags: " + lagPlain);
        assertTrue(lagAdaptive < lagPlain / 3, lagAdaptive + " vs " + lagPlain);
    }

    @Test
    void confidenceZeroHoldsTheStateAndIsAsIfTheSampleWereAbsent() {
        Random rnd = new Random(SEED);
        OneEuroFilter with = OneEuroFilter.of(1.5, 0.1, 1);
        OneEuroFilter without = OneEuroFilter.of(1.5, 0.1, 1);
        double held = 0;
        for (int i = 0; i < 50; i++) {
            double v = Math.sin(i / 7.0) + 0.1 * rnd.nextGaussian();
            double t = i / 25.0;
            held = with.filter(v, t, 1);
            assertEquals(held, without.filter(v, t, 1), 0);
        }
        assertEquals(held, with.filter(1e6, 50 / 25.0, 0), 0, "a wild sample of confidence 0 changes nothing");
        assertEquals(without.filter(0.5, 51 / 25.0, 1), with.filter(0.5, 51 / 25.0, 1), 0, "seed " + SEED);
    }

    @Test
    void lowerConfidenceMovesLess() {
        double full = stepAfterOne(1);
        double half = stepAfterOne(0.5);
        assertTrue(half > 0 && half < full, half + " vs " + full);
        OneEuroFilter f = OneEuroFilter.of(1, 0, 1);
        assertEquals(8, f.filter(8, 0, 0), 0, "before the start a sample passes through");
        assertEquals(2, f.filter(2, 1, 0.3), 0, "the first sample of positive confidence starts it");
    }

    @Test
    void timeMustIncreaseUntilReset() {
        OneEuroFilter f = OneEuroFilter.of(1, 0, 1);
        f.filter(1, 5, 1);
        assertThrows(IllegalArgumentException.class, () -> f.filter(1, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> f.filter(1, 4, 1));
        f.filter(1, 6, 0);
        assertThrows(IllegalArgumentException.class, () -> f.filter(1, 6, 1), "a held sample still counts");
        assertThrows(IllegalArgumentException.class, () -> f.filter(1, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> f.filter(Double.NaN, 7, 1));
        assertThrows(IllegalArgumentException.class, () -> f.filter(1, 7, 1.5));
        f.reset();
        assertEquals(99, f.filter(99, 0, 1), 0, "after reset: a first sample again, at any time");
    }

    @Test
    void validationNamesTheField() {
        ButterworthTest.assertField("smoothing.minCutoffHz", () -> OneEuroFilter.of(0, 0, 1));
        ButterworthTest.assertField("smoothing.minCutoffHz", () -> OneEuroFilter.of(Double.NaN, 0, 1));
        ButterworthTest.assertField("smoothing.beta", () -> OneEuroFilter.of(1, -0.1, 1));
        ButterworthTest.assertField("smoothing.derivativeCutoffHz", () -> OneEuroFilter.of(1, 0, 0));
        OneEuroFilter f = OneEuroFilter.of(1.5, 0, 2);
        assertEquals(1.5, f.minCutoffHz());
        assertEquals(0, f.beta());
        assertEquals(2, f.derivativeCutoffHz());
    }

    /** How far the output trails a 300 units/s ramp after 2 s at 60 Hz. */
    private static double rampLag(double beta) {
        OneEuroFilter f = OneEuroFilter.of(1, beta, 1);
        double y = 0;
        for (int i = 0; i <= 120; i++) {
            y = f.filter(5.0 * i, i / 60.0, 1);
        }
        return 5.0 * 120 - y;
    }

    private static double stepAfterOne(double confidence) {
        OneEuroFilter f = OneEuroFilter.of(1, 0, 1);
        f.filter(0, 0, 1);
        return f.filter(1, 0.04, confidence);
    }
}
