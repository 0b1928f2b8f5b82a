package dev.juggler.samples.console;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The times operators type and read: ISO-8601 instants, dates, and durations back from now ({@code 2h},
 * {@code 7d}); and instants printed as ISO-8601 UTC to the second. Stateless; thread-safe.
 */
final class TimeText {

    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*(s|m|min|h|d|w)");
    private static final List<String> FORMS = List.of("2026-01-31T12:00:00Z", "2026-01-31", "90s", "15m", "2h", "7d", "2w",
            "PT2H");

    private TimeText() {
    }

    /**
     * Parses {@code value} of parameter {@code key}.
     *
     * @throws BadViewParameter if it is none of the accepted forms
     */
    static Instant parse(String key, String value, Clock clock) {
        String v = value.trim();
        Matcher ago = AGO.matcher(v);
        try {
            if (ago.matches()) {
                long n = Long.parseLong(ago.group(1));
                Duration length = switch (ago.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m", "min" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    default -> Duration.ofDays(7 * n);
                };
                return clock.instant().minus(length);
            }
            if (v.startsWith("P") || v.startsWith("p")) {
                return clock.instant().minus(Duration.parse(v));
            }
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (v.endsWith("Z") || v.endsWith("z")) {
                return Instant.parse(v.toUpperCase(java.util.Locale.ROOT));
            }
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeException | ArithmeticException e) {
            throw BadViewParameter.of(key, value, "not a time", FORMS);
        }
    }

    /** {@code 2026-01-31T12:00:00Z}: ISO-8601 UTC to the second. */
    static String format(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
