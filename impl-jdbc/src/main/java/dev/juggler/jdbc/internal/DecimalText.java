package dev.juggler.jdbc.internal;

/**
 * Numbers as decimal pairs {@code n × 10^q} ({@code n} without trailing zeros) and their text as C's
 * {@code printf("%g")} writes it with 6 significant digits, the form of OpenPose's JSON numbers. A
 * number is kept exactly as written, never through a float: the text is rebuilt from the pair, and a
 * number is accepted only if the rebuilt text equals it. Not thread-safe: one per encoding (the parsed
 * pair is held in fields to avoid an allocation per number).
 */
final class DecimalText {

    /** The decimal exponents kept; a number outside them makes its document stay text. */
    static final int MIN_SCALE = -64;
    static final int MAX_SCALE = 63;

    private static final int MAX_DIGITS = 18;
    private static final long[] POW10 = new long[MAX_DIGITS + 1];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** The mantissa of the last parsed number. */
    long mantissa;
    /** The decimal exponent of the last parsed number. */
    int scale;

    private final AsciiText rendered = new AsciiText(32);

    /**
     * Parses the number starting at {@code from} and checks that {@link #append} writes it back exactly
     * ({@code "1.50"}, {@code "-0"} and {@code "1e5"} it would not).
     *
     * @return the index after the number, or {@code -1} if there is no number there, it has more
     *     significant digits or a larger exponent than this keeps, or it would not be written back as it is
     */
    int parse(CharSequence text, int from) {
        int i = from;
        int length = text.length();
        boolean negative = i < length && text.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long n = 0;
        int q = 0;
        int significant = 0;
        boolean anyDigit = false;
        boolean fraction = false;
        for (; i < length; i++) {
            char ch = text.charAt(i);
            if (ch >= '0' && ch <= '9') {
                anyDigit = true;
                if (n != 0 || ch != '0') {
                    if (++significant > MAX_DIGITS) {
                        return -1;
                    }
                    n = n * 10 + (ch - '0');
                }
                if (fraction) {
                    q--;
                }
            } else if (ch == '.' && !fraction) {
                fraction = true;
            } else {
                break;
            }
        }
        if (!anyDigit) {
            return -1;
        }
        if (i < length && text.charAt(i) == 'e') {
            i++;
            boolean negativeExponent = i < length && text.charAt(i) == '-';
            if (i < length && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
                i++;
            }
            int exponent = 0;
            int digits = 0;
            while (i < length && text.charAt(i) >= '0' && text.charAt(i) <= '9' && digits < 4) {
                exponent = exponent * 10 + (text.charAt(i++) - '0');
                digits++;
            }
            if (digits == 0) {
                return -1;
            }
            q += negativeExponent ? -exponent : exponent;
        }
        if (n == 0) {
            q = 0;
        } else {
            while (n % 10 == 0) {
                n /= 10;
                q++;
            }
        }
        if (q < MIN_SCALE || q > MAX_SCALE) {
            return -1;
        }
        mantissa = negative ? -n : n;
        scale = q;
        rendered.clear();
        append(rendered, mantissa, scale);
        return rendered.sameAs(text, from, i) ? i : -1;
    }

    /** Appends {@code n × 10^q} as {@code %g} writes it: plain for exponents -4 to 5, else {@code d.ddde±XX}. */
    static void append(AsciiText out, long n, int q) {
        if (n == 0) {
            out.add('0');
            return;
        }
        if (n < 0) {
            out.add('-');
        }
        byte[] digits = out.digits;
        int start = digits.length;
        long rest = n;
        do {
            digits[--start] = (byte) ('0' + Math.abs(rest % 10)); // abs of the remainder: Long.MIN_VALUE has no positive
            rest /= 10;
        } while (rest != 0);
        int count = digits.length - start;
        int exponent = count - 1 + q;
        if (exponent >= -4 && exponent < 6) {
            if (q >= 0) {
                out.add(digits, start, count).zeros(q);
            } else if (exponent >= 0) {
                out.add(digits, start, exponent + 1).add('.').add(digits, start + exponent + 1, count - exponent - 1);
            } else {
                out.add('0').add('.').zeros(-exponent - 1).add(digits, start, count);
            }
            return;
        }
        out.add((char) digits[start]);
        if (count > 1) {
            out.add('.').add(digits, start + 1, count - 1);
        }
        out.add('e').add(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) {
            out.add('0');
        }
        out.add(abs);
    }

    /**
     * {@code n × 10^shift} for {@code shift >= 0}.
     *
     * @throws ArithmeticException if it does not fit a long
     */
    /** {@code n × 10^q} as a double, roughly (for comparing magnitudes, never for writing). */
    static double approximate(long n, int q) {
        return q >= 0 ? n * (q <= MAX_DIGITS ? (double) POW10[q] : Math.pow(10, q))
                : n / (-q <= MAX_DIGITS ? (double) POW10[-q] : Math.pow(10, -q));
    }

    static long scaleUp(long n, int shift) {
        if (n == 0 || shift == 0) {
            return n;
        }
        if (shift > MAX_DIGITS) {
            throw new ArithmeticException("10^" + shift);
        }
        return Math.multiplyExact(n, POW10[shift]);
    }
}
