package dev.juggler.inference.clean;

/**
 * Fills short gaps of one keypoint coordinate series. Between two observed samples {@code a < b} with at most
 * {@code maxGap} missing samples between them, the missing samples are interpolated: a cubic through the
 * samples {@code a-1, a, b, b+1} where both outer ones are observed too, else a straight line from {@code a}
 * to {@code b}. A filled sample's confidence is half the lower of the confidences at {@code a} and {@code b}
 * (see {@link #FILLED_CONFIDENCE_FACTOR}), so that a filled point never looks surer than a measured one. A
 * longer gap, and a gap at either end of the series, stays empty: nothing is extrapolated.
 *
 * <p>Before filling, a keypoint seen in at most {@value #MAX_FLICKER} frames with missing frames on both sides (a
 * flicker) is removed: such points are more often a left/right mix-up or a false detection than a measurement, and they must not anchor
 * an interpolation across what is really one long gap. Stateless and thread-safe.
 */
final class GapFiller {
    /** A filled point's confidence is this times the lower confidence of the measured points around the gap. */
    static final double FILLED_CONFIDENCE_FACTOR = 0.5;
    /** The longest run of frames, with missing frames on both sides, that counts as a flicker and is removed. */
    static final int MAX_FLICKER = 2;

    private GapFiller() {
    }

    /**
     * Fills gaps in {@code [from, to)} of the series; a sample is observed where {@code c[i] > 0}. Filled
     * samples get their x, y and confidence, and {@code filled[i] = true}. Returns how many were filled.
     */
    static int fill(double[] x, double[] y, double[] c, boolean[] filled, int from, int to, int maxGap) {
        for (int i = from + 1; i < to; i++) {
            if (c[i] > 0 && c[i - 1] <= 0) {
                int end = i;
                while (end < to && c[end] > 0) {
                    end++;
                }
                if (end < to && end - i <= MAX_FLICKER) {
                    for (int k = i; k < end; k++) {
                        c[k] = 0;
                    }
                }
                i = end;
            }
        }
        int count = 0;
        int a = -1;
        for (int i = from; i < to; i++) {
            if (c[i] <= 0) {
                continue;
            }
            if (a >= 0 && i - a > 1 && i - a - 1 <= maxGap) {
                boolean cubic = a - 1 >= from && c[a - 1] > 0 && !filled[a - 1] && i + 1 < to && c[i + 1] > 0;
                double confidence = FILLED_CONFIDENCE_FACTOR * Math.min(c[a], c[i]);
                for (int g = a + 1; g < i; g++) {
                    x[g] = cubic ? cubic(x, a, i, g) : linear(x, a, i, g);
                    y[g] = cubic ? cubic(y, a, i, g) : linear(y, a, i, g);
                    c[g] = confidence;
                    filled[g] = true;
                    count++;
                }
            }
            a = i;
        }
        return count;
    }

    private static double linear(double[] v, int a, int b, int at) {
        double t = (double) (at - a) / (b - a);
        return v[a] + t * (v[b] - v[a]);
    }

    // Lagrange cubic through (a-1, a, b, b+1), evaluated at `at`.
    private static double cubic(double[] v, int a, int b, int at) {
        double[] xs = {a - 1, a, b, b + 1};
        double[] ys = {v[a - 1], v[a], v[b], v[b + 1]};
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            double term = ys[i];
            for (int j = 0; j < 4; j++) {
                if (j != i) {
                    term *= (at - xs[j]) / (xs[i] - xs[j]);
                }
            }
            sum += term;
        }
        return sum;
    }
}
