package dev.juggler.samples.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations as people write them in the config.
 *
 * <p><b>Sizes:</b> a number (decimals allowed) and an optional unit, case-insensitive, space allowed:
 * {@code B}; decimal {@code kB}=10^3, {@code MB}=10^6, {@code GB}=10^9, {@code TB}=10^12, {@code PB}=10^15;
 * binary {@code KiB}=2^10, {@code MiB}=2^20, {@code GiB}=2^30, {@code TiB}=2^40, {@code PiB}=2^50. A bare number is bytes.
 * Fractional bytes are rounded up.
 *
 * <p><b>Durations:</b> one or more number+unit parts, {@code d h m s ms}: {@code 12h}, {@code 90m},
 * {@code 1h30m}, {@code 2.5s}; SLURM's {@code [D-]HH:MM:SS}; or ISO-8601 ({@code PT12H}, {@code P1DT2H}).
 * A bare number is refused (which unit?).
 *
 * <p>Stateless; thread-safe.
 */
public final class Units {

    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z]*)");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ms|d|h|m|s)\\s*");
    private static final Pattern CLOCK = Pattern.compile("(?:([0-9]+)-)?([0-9]{1,3}):([0-9]{2}):([0-9]{2})");
    private static final String[] DECIMAL = {"PB", "TB", "GB", "MB", "kB"};
    private static final String[] BINARY = {"PiB", "TiB", "GiB", "MiB", "KiB"};

    private Units() {
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException with a message saying what is accepted
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("is not a size; write a number of bytes or a number with a unit: "
                    + "500GB, 2.5 GiB, 800MiB (GB = 10^9 bytes, GiB = 2^30)");
        }
        long unit = unit(m.group(2));
        if (unit < 0) {
            throw new IllegalArgumentException("has an unknown size unit '" + m.group(2) + "'; use B, kB, MB, GB, TB, PB "
                    + "(powers of 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.CEILING);
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("is too large");
        }
        return bytes.longValueExact();
    }

    private static long unit(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            case "pb" -> 1_000_000_000_000_000L;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            case "pib" -> 1L << 50;
            default -> -1;
        };
    }

    /** The shortest exact form: {@code 500GB}, {@code 2GiB}, or plain bytes. Parses back to the same value. */
    public static String formatSize(long bytes) {
        if (bytes > 0) {
            for (String u : DECIMAL) {
                long unit = unit(u);
                if (bytes % unit == 0) {
                    return bytes / unit + u;
                }
            }
            for (String u : BINARY) {
                long unit = unit(u);
                if (bytes % unit == 0) {
                    return bytes / unit + u;
                }
            }
        }
        return Long.toString(bytes);
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a message saying what is accepted
     */
    public static Duration parseDuration(String text) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("is not an ISO-8601 duration; write e.g. PT12H or 12h");
            }
        }
        Matcher clock = CLOCK.matcher(t);
        if (clock.matches()) {
            long days = clock.group(1) == null ? 0 : Long.parseLong(clock.group(1));
            return Duration.ofDays(days).plusHours(Long.parseLong(clock.group(2)))
                    .plusMinutes(Long.parseLong(clock.group(3))).plusSeconds(Long.parseLong(clock.group(4)));
        }
        if (t.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException("has no unit; write e.g. " + t + "s, " + t + "m or " + t + "h");
        }
        Matcher m = DURATION_PART.matcher(t);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (end < t.length() && m.find(end) && m.start() == end) {
            BigDecimal perUnit = switch (m.group(2)) {
                case "ms" -> BigDecimal.valueOf(1_000_000L);
                case "s" -> BigDecimal.valueOf(1_000_000_000L);
                case "m" -> BigDecimal.valueOf(60_000_000_000L);
                case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
                default -> BigDecimal.valueOf(86_400_000_000_000L);
            };
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(perUnit));
            end = m.end();
        }
        if (end == 0 || end != t.length()) {
            throw new IllegalArgumentException("is not a duration; write e.g. 12h, 90m, 1h30m, 45s, 500ms, "
                    + "12:00:00 or ISO-8601 PT12H");
        }
        try {
            return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("is too long");
        }
    }

    /** A compact form that {@link #parseDuration} reads back: {@code 12h}, {@code 1h30m}, {@code 2s500ms}. */
    public static String formatDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        StringBuilder out = new StringBuilder();
        long days = d.toDaysPart();
        append(out, days, "d");
        append(out, d.toHoursPart(), "h");
        append(out, d.toMinutesPart(), "m");
        append(out, d.toSecondsPart(), "s");
        append(out, d.toMillisPart(), "ms");
        return out.toString();
    }

    private static void append(StringBuilder out, long value, String unit) {
        if (value != 0) {
            out.append(value).append(unit);
        }
    }
}
