package dev.juggler.inference.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Butterworth}: its design, the zero-phase pass, edges, blocks and weights. */
class ButterworthTest {

    /** Set -Djuggler.test.seed=N to replay a failure. */
    private static final long SEED = Long.getLong("juggler.test.seed", System.nanoTime());

    /** Cutoff/sample-rate pairs from the smallest supported-as-stable ratio to near Nyquist. */
    private static final double[][] RATES = {{0.5, 100}, {1, 30}, {6, 25}, {20, 50}};

    @Test
    void constantPassesExactlyIncludingEdges() {
        for (int order = 1; order <= 8; order++) {
            for (double[] r : RATES) {
                Butterworth f = Butterworth.lowPass(order, r[0], r[1]);
                for (int n : new int[] {2, 3, 17, 2000}) {
                    double[] x = filled(n + 4, -3.5);
                    java.util.Arrays.fill(x, 2, n + 2, 123.456);
                    f.filtfilt(x, 2, n + 2);
                    for (int i = 2; i < n + 2; i++) {
                        assertEquals(123.456, x[i], 1e-9, f.order() + "/" + r[0] + "/" + n + " at " + i);
                    }
                    assertEquals(-3.5, x[0]); // outside the range: untouched
                    assertEquals(-3.5, x[n + 3]);
                }
            }
        }
    }

    @Test
    void singlePassHasHalfPowerAtTheCutoffAndUnitGainAtDc() {
        for (int order = 1; order <= 8; order++) {
            for (double[] r : RATES) {
                Butterworth f = Butterworth.lowPass(order, r[0], r[1]);
                String what = "order " + order + ", " + r[0] + " Hz of " + r[1];
                assertEquals(1 / Math.sqrt(2), magnitude(f, 2 * Math.PI * r[0] / r[1]), 1e-9, what);
                assertEquals(1, magnitude(f, 0), 1e-12, what);
                assertEquals((order + 1) / 2, f.sectionCoefficients().length, what);
                // No ripple: the pass band stays above the half-power gain.
                assertTrue(magnitude(f, Math.PI * r[0] / r[1]) > 1 / Math.sqrt(2), what);
            }
        }
    }

    @Test
    void attenuatesAtAndAboveTheCutoffAndPassesWellBelowWithoutPhaseShift() {
        Butterworth f = Butterworth.lowPass(4, 5, 100);
        int margin = f.settleLength() + f.padLength(4000);
        assertEquals(0.5, gainOnSine(f, 5, 100, margin), 0.005, "at the cutoff");
        assertTrue(gainOnSine(f, 15, 100, margin) < 1e-3, "at 3x the cutoff");
        assertEquals(1, gainOnSine(f, 0.5, 100, margin), 0.01, "at a tenth of the cutoff");
    }

    @Test
    void zeroPhaseKeepsSymmetryAndPeaks() {
        Random rnd = new Random(SEED);
        Butterworth f = Butterworth.lowPass(4, 3, 50);
        int n = 801;
        double[] x = new double[n];
        for (int i = 0; i <= n / 2; i++) {
            double v = 10 * Math.exp(-Math.pow((i - 300) / 15.0, 2)) + rnd.nextGaussian();
            x[i] = v;
            x[n - 1 - i] = v;
        }
        f.filtfilt(x, 0, n);
        int settle = f.settleLength();
        for (int i = settle; i < n - settle; i++) {
            assertEquals(x[i], x[n - 1 - i], 1e-9, "seed " + SEED + ", at " + i);
        }
        // Edges feel the order of the passes only briefly and slightly: within a quarter of the noise's standard
        // deviation (1); the worst of 20,000 seeds was 0.14.
        for (int i = 0; i < n; i++) {
            assertEquals(x[i], x[n - 1 - i], 0.25, "seed " + SEED + ", at " + i);
        }

        double[] bump = new double[400];
        for (int i = 0; i < bump.length; i++) {
            bump[i] = Math.exp(-Math.pow((i - 137) / 6.0, 2));
        }
        f.filtfilt(bump, 0, bump.length);
        assertEquals(137, argMax(bump));
    }

    @Test
    void straightLinesPassWithoutEdgeDistortion() {
        for (int order = 1; order <= 8; order++) {
            for (double[] r : RATES) {
                Butterworth f = Butterworth.lowPass(order, r[0], r[1]);
                for (int n : new int[] {2, 5, 40, 3000}) {
                    double[] x = new double[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = 40 - 0.75 * i;
                    }
                    f.filtfilt(x, 0, n);
                    for (int i = 0; i < n; i++) {
                        assertEquals(40 - 0.75 * i, x[i], 1e-9 * (40 + 0.75 * n), order + "/" + r[0] + "/" + n);
                    }
                }
            }
        }
    }

    @Test
    void blocksOverlappingBySettleLengthMatchTheWholeSeries() {
        Random rnd = new Random(SEED);
        for (double[] c : new double[][] {{4, 6, 25}, {1, 3, 25}, {2, 1, 30}, {8, 0.5, 100}}) {
            Butterworth f = Butterworth.lowPass((int) c[0], c[1], c[2]);
            int n = 30_000;
            double[] whole = new double[n];
            for (int i = 1; i < n; i++) {
                whole[i] = whole[i - 1] + rnd.nextGaussian();
            }
            double[] raw = whole.clone();
            f.filtfilt(whole, 0, n);
            double[] blocks = new double[n];
            int settle = f.settleLength();
            int size = 1000;
            for (int a = 0; a < n; a += size) {
                int lo = Math.max(0, a - settle);
                int hi = Math.min(n, a + size + settle);
                double[] part = java.util.Arrays.copyOfRange(raw, lo, hi);
                f.filtfilt(part, 0, part.length);
                System.arraycopy(part, a - lo, blocks, a, Math.min(size, n - a));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(whole[i], blocks[i], 1e-6, "seed " + SEED + ", " + c[0] + "/" + c[1] + " at " + i);
            }
        }
    }

    @Test
    void settleLengthIsWhereTheImpulseResponseHasDied() {
        Butterworth fast = Butterworth.lowPass(4, 6, 25);
        Butterworth slow = Butterworth.lowPass(4, 0.5, 100);
        System.out.println("Butterworth: settleLength order 4, 6 Hz, 25 fps = " + fast.settleLength()
                + "; order 4, 0.5 Hz, 100 fps = " + slow.settleLength());
        assertTrue(fast.settleLength() > 10 && fast.settleLength() < 200, "" + fast.settleLength());
        assertTrue(slow.settleLength() > 10 * fast.settleLength(), "" + slow.settleLength());
        assertTrue(Butterworth.lowPass(8, 6, 25).settleLength() > fast.settleLength());
    }

    @Test
    void equalWeightsAreTheUnweightedFilter() {
        Random rnd = new Random(SEED);
        Butterworth f = Butterworth.lowPass(4, 6, 25);
        for (double weight : new double[] {1, 0.37}) {
            double[] x = randomWalk(rnd, 700);
            double[] plain = x.clone();
            f.filtfilt(plain, 5, 690);
            f.filtfiltWeighted(x, filled(700, weight), 5, 690);
            for (int i = 0; i < 700; i++) {
                assertEquals(plain[i], x[i], 1e-9 * (1 + Math.abs(plain[i])), "seed " + SEED + " at " + i);
            }
        }
        double[] x = randomWalk(rnd, 300);
        double[] plain = x.clone();
        f.filtfilt(plain, 0, 300);
        f.filtfiltWeighted(x, new double[300], 0, 300);
        assertArrayEquals(plain, x, "all weights 0: the unweighted filter");
    }

    @Test
    void aZeroWeightSampleHasNoInfluenceEvenAtTheEdge() {
        Random rnd = new Random(SEED);
        Butterworth f = Butterworth.lowPass(3, 4, 30);
        int n = 500;
        for (int wild : new int[] {250, 0, n - 1, 1}) {
            double[] x = randomWalk(rnd, n);
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                w[i] = 0.2 + 0.8 * rnd.nextDouble();
            }
            w[wild] = 0;
            double[] tame = x.clone();
            tame[wild] = wild == 0 ? tame[1] : wild == n - 1 ? tame[n - 2] : (x[wild - 1] + x[wild + 1]) / 2;
            x[wild] = 1e6;
            f.filtfiltWeighted(x, w, 0, n);
            f.filtfiltWeighted(tame, w, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(tame[i], x[i], 1e-6, "seed " + SEED + ", wild at " + wild + ", at " + i);
            }
        }
    }

    @Test
    void aLongRunOfZeroWeightsFallsBackToTheUnweightedValue() {
        Butterworth f = Butterworth.lowPass(4, 1, 25);
        int n = 2000;
        double[] x = new double[n];
        double[] w = filled(n, 1);
        for (int i = 0; i < n; i++) {
            x[i] = Math.sin(i / 50.0);
        }
        java.util.Arrays.fill(w, 500, 1500, 0);
        double[] plain = x.clone();
        f.filtfilt(plain, 0, n);
        f.filtfiltWeighted(x, w, 0, n);
        assertEquals(plain[1000], x[1000], 0, "deep inside the gap");
        for (double v : x) {
            assertTrue(Double.isFinite(v));
        }
        assertThrows(IllegalArgumentException.class, () -> f.filtfiltWeighted(x, filled(n, 1.5), 0, n));
    }

    @Test
    void shortSeriesAndRanges() {
        Butterworth f = Butterworth.lowPass(2, 5, 25);
        double[] one = {7};
        f.filtfilt(one, 0, 1);
        assertArrayEquals(new double[] {7}, one);
        f.filtfilt(one, 1, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> f.filtfilt(one, 0, 2));
        assertEquals(0, f.padLength(1));
        assertEquals(1, f.padLength(2));
        assertEquals(9, f.padLength(1000)); // 3 * (order + 1)
        assertEquals(100, Butterworth.lowPass(2, 1, 100).padLength(1000)); // one cutoff period
    }

    @Test
    void validationNamesTheField() {
        assertField("smoothing.order", () -> Butterworth.lowPass(0, 5, 25));
        assertField("smoothing.order", () -> Butterworth.lowPass(9, 5, 25));
        assertField("smoothing.cutoffHz", () -> Butterworth.lowPass(4, 0, 25));
        assertField("smoothing.cutoffHz", () -> Butterworth.lowPass(4, 12.5, 25));
        assertField("smoothing.cutoffHz", () -> Butterworth.lowPass(4, Double.NaN, 25));
        assertField("fps", () -> Butterworth.lowPass(4, 5, 0));
        assertField("fps", () -> Butterworth.lowPass(4, 5, Double.POSITIVE_INFINITY));
        Butterworth f = Butterworth.lowPass(4, 12.49, 25);
        assertEquals(4, f.order());
        assertEquals(12.49, f.cutoffHz());
        assertEquals(25, f.sampleRateHz());
    }

    static void assertField(String field, Runnable r) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, r::run);
        assertTrue(e.getMessage().startsWith(field + " = "), e.getMessage());
    }

    /** |H(e^{jw})| of the single pass, from the section coefficients. */
    private static double magnitude(Butterworth f, double w) {
        double mag = 1;
        for (double[] c : f.sectionCoefficients()) {
            // z^-1 = cos w - j sin w; numerator and denominator as complex numbers.
            double nr = c[0] + c[1] * Math.cos(w) + c[2] * Math.cos(2 * w);
            double ni = -c[1] * Math.sin(w) - c[2] * Math.sin(2 * w);
            double dr = 1 + c[3] * Math.cos(w) + c[4] * Math.cos(2 * w);
            double di = -c[3] * Math.sin(w) - c[4] * Math.sin(2 * w);
            mag *= Math.hypot(nr, ni) / Math.hypot(dr, di);
        }
        return mag;
    }

    /** Gain of filtfilt on a sine, fitted away from the edges; fails if the output is not in phase. */
    private static double gainOnSine(Butterworth f, double hz, double fs, int margin) {
        int n = 4000;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.sin(2 * Math.PI * hz * i / fs + 0.3);
        }
        double[] y = x.clone();
        f.filtfilt(y, 0, n);
        double xy = 0;
        double xx = 0;
        for (int i = margin; i < n - margin; i++) {
            xy += x[i] * y[i];
            xx += x[i] * x[i];
        }
        double gain = xy / xx;
        for (int i = margin; i < n - margin; i++) {
            assertEquals(gain * x[i], y[i], 1e-6, "out of phase at " + hz + " Hz, sample " + i);
        }
        return gain;
    }

    private static double[] randomWalk(Random rnd, int n) {
        double[] x = new double[n];
        for (int i = 1; i < n; i++) {
            x[i] = x[i - 1] + rnd.nextGaussian();
        }
        return x;
    }

    private static double[] filled(int n, double v) {
        double[] x = new double[n];
        java.util.Arrays.fill(x, v);
        return x;
    }

    private static int argMax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            best = x[i] > x[best] ? i : best;
        }
        return best;
    }
}
