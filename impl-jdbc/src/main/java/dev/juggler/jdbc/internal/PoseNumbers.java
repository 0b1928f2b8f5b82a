package dev.juggler.jdbc.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The numbers of one OpenPose document, person by person and array by array: each number's mantissa and
 * scale (0 for a keypoint not found). In the sequence form (tag 17, {@link CompactPose}) the next frame of a
 * block is predicted from them: each of its people from the person here whose body keypoints lie closest
 * ({@link #closestTo}), each number from that person's same number ({@link #prediction}). Immutable once
 * built by its codec; safe to share after that.
 */
final class PoseNumbers {

    /** No people: the reference of a frame predicted from nothing. */
    static final PoseNumbers NONE = new PoseNumbers();

    private final List<long[][]> mantissas = new ArrayList<>();
    private final List<int[][]> scales = new ArrayList<>();

    int people() {
        return mantissas.size();
    }

    /** Adds the next person's arrays (mantissas and scales, one array per OpenPose field). */
    void add(long[][] personMantissas, int[][] personScales) {
        mantissas.add(personMantissas);
        scales.add(personScales);
    }

    long[] mantissas(int person, int field) {
        return mantissas.get(person)[field];
    }

    int[] scales(int person, int field) {
        return scales.get(person)[field];
    }

    /**
     * The person here whose body keypoints lie closest to the given ones (a body array of {@code count}
     * numbers, groups of 3), by mean distance over the keypoints both have; -1 if none shares a keypoint.
     */
    int closestTo(long[] bodyMantissas, int[] bodyScales, int count) {
        if (people() == 1) {
            return mantissas(0, 0).length == count ? 0 : -1;
        }
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int p = 0; p < people(); p++) {
            long[] other = mantissas(p, 0);
            int[] otherScales = scales(p, 0);
            if (other.length != count) {
                continue;
            }
            double sum = 0;
            int shared = 0;
            for (int i = 0; i + 2 < count; i += 3) {
                if (found(bodyMantissas, i, 3) && found(other, i, 3)) {
                    for (int c = 0; c < 2; c++) {
                        sum += Math.abs(DecimalText.approximate(bodyMantissas[i + c], bodyScales[i + c])
                                - DecimalText.approximate(other[i + c], otherScales[i + c]));
                    }
                    shared++;
                }
            }
            if (shared > 0 && sum / shared < bestDistance) {
                bestDistance = sum / shared;
                best = p;
            }
        }
        return best;
    }

    /** Whether the keypoint of {@code group} numbers from {@code first} was found (not all its numbers 0). */
    static boolean found(long[] mantissas, int first, int group) {
        for (int i = first; i < first + group; i++) {
            if (mantissas[i] != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the sequence form's prediction mode predicts for column {@code c} of group {@code g} at scale
     * {@code q}: the reference's number there, rounded to that scale, or {@code previous} (the column's number
     * before, as the differences mode uses) where the reference did not find that keypoint or its number does
     * not fit. The encoder and the decoder call it alike, so it depends only on the numbers' values.
     */
    static long prediction(long[] referenceMantissas, int[] referenceScales, int g, int group, int c, int q, long previous) {
        int first = g * group;
        if (!found(referenceMantissas, first, group)) {
            return previous;
        }
        long n = referenceMantissas[first + c];
        int shift = referenceScales[first + c] - q;
        if (n == 0 || shift >= 0) {
            try {
                return DecimalText.scaleUp(n, shift);
            } catch (ArithmeticException e) {
                return previous;
            }
        }
        if (shift < -18) {
            return 0;
        }
        long divisor = DecimalText.scaleUp(1, -shift);
        long quotient = n / divisor;
        return Math.abs(n % divisor) * 2 >= divisor ? quotient + Long.signum(n) : quotient;
    }
}
