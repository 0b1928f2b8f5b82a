package dev.juggler.inference.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats numbers as C++ {@code std::ostream << float} does with its default settings (printf
 * {@code %g}, 6 significant digits, trailing zeros removed, exponent form below 1e-4 and from 1e6),
 * because that is how OpenPose writes its JSON and output files should match it byte for byte.
 * Stateless and thread-safe.
 */
public final class CNumbers {
    private static final MathContext SIX = new MathContext(6, RoundingMode.HALF_EVEN);

    private CNumbers() {
    }

    /** {@code value} as {@code %g} would print it; {@code value} must be finite. */
    public static String format(float value) {
        if (value == 0) {
            return Float.floatToRawIntBits(value) < 0 ? "-0" : "0";
        }
        double d = value; // ostream promotes float to double before formatting
        if (d == Math.rint(d) && Math.abs(d) < 1e6) {
            return Long.toString((long) d); // fast path: integers up to 6 digits are printed exactly
        }
        // The exact binary value, rounded half-even, is what glibc's printf does.
        BigDecimal rounded = new BigDecimal(d).round(SIX);
        int exponent = rounded.precision() - rounded.scale() - 1;
        BigDecimal stripped = rounded.stripTrailingZeros();
        if (exponent >= -4 && exponent < 6) {
            return stripped.toPlainString();
        }
        String digits = stripped.unscaledValue().abs().toString();
        StringBuilder sb = new StringBuilder(16);
        if (stripped.signum() < 0) {
            sb.append('-');
        }
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        sb.append('e').append(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) {
            sb.append('0');
        }
        return sb.append(abs).toString();
    }
}
