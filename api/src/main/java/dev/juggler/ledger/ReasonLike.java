package dev.juggler.ledger;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The failure-reason filter of the operator views: a case-insensitive substring match in which {@code *}
 * stands for any run of characters and {@code ?} for one character; every other character, SQL and
 * regular-expression metacharacters included, matches only itself. Stateless and thread-safe.
 */
public final class ReasonLike {

    private ReasonLike() {
    }

    /** Checks a pattern: 1..500 characters, no control characters. */
    public static String require(String pattern) {
        if (pattern == null || pattern.isEmpty() || pattern.length() > 500) {
            throw new IllegalArgumentException("reason pattern must be 1..500 characters");
        }
        if (pattern.chars().anyMatch(ch -> ch < 0x20)) {
            throw new IllegalArgumentException("reason pattern must not contain control characters");
        }
        return pattern;
    }

    /** The pattern as a regular expression (unanchored, case-insensitive). */
    public static Pattern toRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
            if (ch == '*' || ch == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(ch == '*' ? ".*" : ".");
            } else {
                literal.append(ch);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    /**
     * The pattern as the argument of {@code LOWER(column) LIKE ? ESCAPE '\'}: lower-cased, wrapped in
     * {@code %}, with {@code %}, {@code _} and {@code \} escaped.
     */
    public static String toSqlLike(String pattern) {
        StringBuilder like = new StringBuilder("%");
        for (char ch : pattern.toLowerCase(Locale.ROOT).toCharArray()) {
            switch (ch) {
                case '%', '_', '\\' -> like.append('\\').append(ch);
                case '*' -> like.append('%');
                case '?' -> like.append('_');
                default -> like.append(ch);
            }
        }
        return like.append('%').toString();
    }
}
