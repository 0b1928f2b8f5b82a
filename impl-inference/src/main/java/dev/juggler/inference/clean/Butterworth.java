package dev.juggler.inference.clean;

import dev.juggler.InvalidConfigException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A zero-phase Butterworth low-pass for whole series: the digital filter comes from the analogue
 * prototype by the bilinear transform with the cutoff pre-warped, so the single pass has exactly
 * {@code 1/sqrt(2)} gain at the cutoff and the forward-backward pass of {@link #filtfilt} exactly
 * {@code 1/2}, with no phase shift. It runs as cascaded second-order sections (one first-order section
 * for odd orders), each with unit gain at DC, which keeps it stable down to cutoffs of a few thousandths
 * of the sample rate.
 *
 * <p><b>Edges.</b> A series of {@code n} samples is extended at each end by {@link #padLength(int)
 * padLength(n)} samples of odd reflection, {@code 2*x[edge] - x[edge+k]} for {@code k = 1..pad}, which
 * continues a straight line. In both passes every section starts in the steady state it would have
 * reached on the straight line through the pass's first input sample and the one {@code pad} samples
 * further on (for a constant: the steady state for the first sample), so constants and straight lines
 * pass through exactly, without a start-up transient.
 *
 * <p><b>Blocks.</b> A long series may be filtered in blocks: filter each block extended by
 * {@link #settleLength()} samples on both sides (or up to the series' ends) and keep the block's own
 * part; the result matches filtering the whole series to about {@code 1e-9} of the signal's scale.
 *
 * <p>Not thread-safe: an instance reuses scratch buffers so that filtering allocates nothing per sample.
 * Use one instance per thread.
 */
public final class Butterworth {

    /** Below this fraction of the sample rate the filter needs absurdly long settling and padding. */
    private static final double MIN_RELATIVE_CUTOFF = 1e-4;
    /** A normalised-convolution denominator below this fraction of the largest weight is not trusted. */
    private static final double MIN_RELATIVE_WEIGHT = 1e-6;

    private final int order;
    private final double cutoffHz;
    private final double sampleRateHz;
    private final int sections;
    /** Per section: b0, b1, b2, a1, a2 (a0 = 1); first-order sections have b2 = a2 = 0. */
    private final double[] coef;
    /** Per section: its group delay at DC in samples, which fixes its steady state on a line. */
    private final double[] delay;
    private final int basePad;
    private final int settleLength;
    private double[] scratchA = new double[0];
    private double[] scratchB = new double[0];
    private double[] scratchC = new double[0];

    private Butterworth(int order, double cutoffHz, double sampleRateHz) {
        this.order = order;
        this.cutoffHz = cutoffHz;
        this.sampleRateHz = sampleRateHz;
        this.sections = (order + 1) / 2;
        // An even number of slots: a spare one stays the identity so that sections always go in pairs.
        this.coef = new double[5 * (sections + sections % 2)];
        this.delay = new double[sections + sections % 2];
        double k = Math.tan(Math.PI * cutoffHz / sampleRateHz); // pre-warped analogue cutoff, per 2*fs
        for (int s = 0; s < order / 2; s++) {
            // Analogue pole pair of the normalised prototype: s^2 + 2 sin(theta) s + 1.
            double damping = 2 * Math.sin(Math.PI * (2 * s + 1) / (2.0 * order));
            double d0 = 1 + damping * k + k * k;
            double a1 = 2 * (k * k - 1) / d0;
            double a2 = (1 - damping * k + k * k) / d0;
            // Numerator (1 + z^-1)^2, scaled so that the gain at z = 1 is exactly one.
            double b0 = (1 + a1 + a2) / 4;
            set(s, b0, 2 * b0, b0, a1, a2);
        }
        if (order % 2 == 1) {
            double a1 = (k - 1) / (k + 1);
            double b0 = (1 + a1) / 2;
            set(sections - 1, b0, b0, 0, a1, 0);
        }
        if (sections % 2 == 1) {
            set(sections, 1, 0, 0, 0, 0);
        }
        this.basePad = Math.max(3 * (order + 1), (int) Math.ceil(sampleRateHz / cutoffHz));
        this.settleLength = computeSettleLength();
    }

    /**
     * Designs a low-pass.
     *
     * @param order the Butterworth order, 1..8 (config field {@code smoothing.order})
     * @param cutoffHz the -3 dB frequency of a single pass, above {@code 1e-4 * sampleRateHz} and below
     *     half of it (config field {@code smoothing.cutoffHz})
     * @param sampleRateHz the sample rate, the video's frames per second (config field {@code fps})
     * @throws InvalidConfigException naming the field that is out of range
     */
    public static Butterworth lowPass(int order, double cutoffHz, double sampleRateHz) {
        InvalidConfigException.requireInRange("smoothing.order", order, 1, 8);
        if (!(sampleRateHz > 0) || Double.isInfinite(sampleRateHz)) {
            throw InvalidConfigException.of("fps", sampleRateHz, "must be a positive frame rate");
        }
        double nyquist = sampleRateHz / 2;
        if (!(cutoffHz >= MIN_RELATIVE_CUTOFF * sampleRateHz && cutoffHz < nyquist)) {
            throw InvalidConfigException.of("smoothing.cutoffHz", cutoffHz, "must be above "
                    + MIN_RELATIVE_CUTOFF * sampleRateHz + " Hz and below half the fps (" + nyquist + " Hz)");
        }
        return new Butterworth(order, cutoffHz, sampleRateHz);
    }

    public int order() {
        return order;
    }

    public double cutoffHz() {
        return cutoffHz;
    }

    public double sampleRateHz() {
        return sampleRateHz;
    }

    /**
     * The samples of odd reflection added at each end of a series of {@code n}: {@code min(max(3 *
     * (order + 1), ceil(sampleRate / cutoff)), n - 1)}, so at least one cutoff period where the series
     * is long enough; 0 when {@code n < 2}.
     */
    public int padLength(int n) {
        return n < 2 ? 0 : Math.min(basePad, n - 1);
    }

    /**
     * The samples after which the single-pass impulse response has fallen, for good, below {@code 1e-9}
     * of its peak: the overlap that block-wise filtering needs on each side of a block.
     */
    public int settleLength() {
        return settleLength;
    }

    /**
     * Filters {@code values[from, to)} in place, forward then backward (zero phase), with the edge rule
     * of the class comment. Fewer than two samples are left unchanged.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code values}
     */
    public void filtfilt(double[] values, int from, int to) {
        Objects.checkFromToIndex(from, to, values.length);
        int n = to - from;
        if (n < 2) {
            return;
        }
        int pad = padLength(n);
        double[] buf = scratchC = grow(scratchC, n + 2 * pad);
        padOdd(values, from, to, values[from], values[to - 1], pad, buf);
        zeroPhase(buf, n + 2 * pad, pad);
        System.arraycopy(buf, pad, values, from, n);
    }

    /**
     * Filters {@code values[from, to)} in place, each sample counting by its weight (normalised
     * convolution): the result is {@code filt(w*x) / filt(w)} with the zero-phase filter of
     * {@link #filtfilt}. A sample of weight 0 has no influence at all. Values are extended by odd
     * reflection about the sample nearest each edge that has a positive weight, weights by even
     * reflection; with all weights equal this is {@link #filtfilt}. Where {@code filt(w)} is not above
     * {@code 1e-6} of the largest weight (far inside a long run of zero weights), and everywhere if all
     * weights are 0, the unweighted {@link #filtfilt} value is used.
     *
     * @param weights per-sample confidence in {@code [0, 1]}, indexed like {@code values}
     * @throws IndexOutOfBoundsException if the range is not within both arrays
     * @throws IllegalArgumentException if a weight in the range is outside {@code [0, 1]}
     */
    public void filtfiltWeighted(double[] values, double[] weights, int from, int to) {
        Objects.checkFromToIndex(from, to, values.length);
        Objects.checkFromToIndex(from, to, weights.length);
        int n = to - from;
        double maxWeight = 0;
        int firstTrusted = -1;
        int lastTrusted = -1;
        for (int i = from; i < to; i++) {
            double w = weights[i];
            if (!(w >= 0 && w <= 1)) {
                throw new IllegalArgumentException("weight " + w + " at index " + i + " is outside [0, 1]");
            }
            if (w > 0) {
                firstTrusted = firstTrusted < 0 ? i : firstTrusted;
                lastTrusted = i;
                maxWeight = Math.max(maxWeight, w);
            }
        }
        if (n < 2) {
            return;
        }
        if (maxWeight == 0) {
            filtfilt(values, from, to);
            return;
        }
        int pad = padLength(n);
        int len = n + 2 * pad;
        double[] wx = scratchA = grow(scratchA, len);
        double[] w = scratchB = grow(scratchB, len);
        padOdd(values, from, to, values[firstTrusted], values[lastTrusted], pad, wx);
        for (int i = 0; i < len; i++) {
            int src = from + reflectEven(i - pad, n);
            double wi = weights[src];
            w[i] = wi;
            // A zero weight must silence the value even if it is wild or not finite.
            wx[i] = wi == 0 ? 0 : wi * wx[i];
        }
        zeroPhase(wx, len, pad);
        zeroPhase(w, len, pad);
        double floor = MIN_RELATIVE_WEIGHT * maxWeight;
        boolean fallback = false;
        for (int i = pad; i < pad + n && !fallback; i++) {
            fallback = !(w[i] > floor);
        }
        double[] plain = null;
        if (fallback) {
            plain = scratchC = grow(scratchC, len);
            padOdd(values, from, to, values[from], values[to - 1], pad, plain);
            zeroPhase(plain, len, pad);
        }
        for (int i = 0; i < n; i++) {
            double den = w[pad + i];
            values[from + i] = den > floor ? wx[pad + i] / den : plain[pad + i];
        }
    }

    /** Copies of the sections' coefficients {b0, b1, b2, a1, a2}, for tests of the design. */
    double[][] sectionCoefficients() {
        double[][] out = new double[sections][];
        for (int s = 0; s < sections; s++) {
            out[s] = Arrays.copyOfRange(coef, 5 * s, 5 * s + 5);
        }
        return out;
    }

    private void set(int s, double b0, double b1, double b2, double a1, double a2) {
        int o = 5 * s;
        coef[o] = b0;
        coef[o + 1] = b1;
        coef[o + 2] = b2;
        coef[o + 3] = a1;
        coef[o + 4] = a2;
        // The DC gains of numerator and denominator are equal, so either serves as the divisor.
        delay[s] = (b1 + 2 * b2 - a1 - 2 * a2) / (1 + a1 + a2);
    }

    /** Index into {@code [0, n)} of padded position {@code i} (may be negative or past the end). */
    private static int reflectEven(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    }

    private static void padOdd(double[] x, int from, int to, double left, double right, int pad, double[] out) {
        int n = to - from;
        System.arraycopy(x, from, out, pad, n);
        for (int k = 1; k <= pad; k++) {
            out[pad - k] = 2 * left - x[from + k];
            out[pad + n - 1 + k] = 2 * right - x[to - 1 - k];
        }
    }

    private static double[] grow(double[] buf, int len) {
        return buf.length >= len ? buf : new double[Math.max(len, buf.length + buf.length / 2)];
    }

    private void zeroPhase(double[] buf, int len, int pad) {
        cascade(buf, 0, len, 1, pad);
        cascade(buf, len - 1, len, -1, pad);
    }

    /**
     * The whole cascade over {@code len} samples from {@code start} moving by {@code step}. Every section
     * starts in its steady state on the line through the first input sample and the one {@code pad}
     * further on; a section turns the line c + d*k into c - d*delay + d*k, which gives the next one's.
     * Two sections per sweep: their recurrences are independent chains the CPU can overlap.
     */
    private void cascade(double[] buf, int start, int len, int step, int pad) {
        double c = buf[start];
        double d = (buf[start + step * pad] - c) / pad;
        for (int s = 0; s < sections; s += 2) {
            pair(buf, start, len, step, c, d, s);
            c -= d * (delay[s] + delay[s + 1]);
        }
    }

    /*
     * Direct form I: the history is the line itself, samples -1 and -2 of the input c + d*k and of the
     * output c + d*(k - delay); and each output waits on the previous one through only a multiply and
     * an add, half the chain of the transposed form.
     */
    private void pair(double[] buf, int start, int len, int step, double c, double d, int s) {
        int o = 5 * s;
        double b0 = coef[o], b1 = coef[o + 1], b2 = coef[o + 2], a1 = coef[o + 3], a2 = coef[o + 4];
        double e0 = coef[o + 5], e1 = coef[o + 6], e2 = coef[o + 7], f1 = coef[o + 8], f2 = coef[o + 9];
        double x1 = c - d;
        double x2 = c - 2 * d;
        double y1 = x1 - d * delay[s];
        double y2 = x2 - d * delay[s];
        double u1 = y1 - d * delay[s + 1];
        double u2 = y2 - d * delay[s + 1];
        for (int i = 0, j = start; i < len; i++, j += step) {
            double x = buf[j];
            double y = (b0 * x + b1 * x1 + b2 * x2 - a2 * y2) - a1 * y1;
            double u = (e0 * y + e1 * y1 + e2 * y2 - f2 * u2) - f1 * u1;
            x2 = x1;
            x1 = x;
            y2 = y1;
            y1 = y;
            u2 = u1;
            u1 = u;
            buf[j] = u;
        }
    }

    private int computeSettleLength() {
        double radius = 0;
        for (int s = 0; s < sections; s++) {
            double a1 = coef[5 * s + 3];
            double a2 = coef[5 * s + 4];
            double disc = a1 * a1 - 4 * a2;
            double r = disc < 0 ? Math.sqrt(a2) : (Math.abs(a1) + Math.sqrt(disc)) / 2;
            radius = Math.max(radius, r);
        }
        // e^-60 leaves a margin of e^39 over 1e-9 for the partial-fraction weights of the poles.
        int limit = (int) Math.min(50_000_000, Math.ceil(60 / -Math.log(radius)) + 64);
        // Twice through the impulse response rather than storing it: first its peak, then the tail.
        double peak = 0;
        double[] z = new double[2 * sections];
        for (int i = 0; i < limit; i++) {
            peak = Math.max(peak, Math.abs(impulseStep(z, i == 0 ? 1 : 0)));
        }
        Arrays.fill(z, 0);
        int lastAbove = 0;
        for (int i = 0; i < limit; i++) {
            if (Math.abs(impulseStep(z, i == 0 ? 1 : 0)) >= 1e-9 * peak) {
                lastAbove = i;
            }
        }
        return lastAbove + 1;
    }

    private double impulseStep(double[] z, double x) {
        for (int s = 0; s < sections; s++) {
            int o = 5 * s;
            double y = coef[o] * x + z[2 * s];
            z[2 * s] = coef[o + 1] * x - coef[o + 3] * y + z[2 * s + 1];
            z[2 * s + 1] = coef[o + 2] * x - coef[o + 4] * y;
            x = y;
        }
        return x;
    }
}
