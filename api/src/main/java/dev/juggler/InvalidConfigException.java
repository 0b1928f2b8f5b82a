package dev.juggler;

import java.time.Duration;

/**
 * A setting was rejected by a builder or factory. The message names the field, the bad value and the
 * rule it broke. Always permanent. Immutable and thread-safe.
 */
public class InvalidConfigException extends JugglerException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message, false, null);
    }

    /**
     * Builds the conventional message {@code "<field> = <value>: <rule>"}.
     *
     * @param field the builder field or option name
     * @param value the rejected value (never a secret)
     * @param rule what a valid value looks like
     */
    public static InvalidConfigException of(String field, Object value, String rule) {
        return new InvalidConfigException(field + " = " + value + ": " + rule);
    }

    /**
     * Checks that a required setting is present: a builder's answer to {@code null}, in place of a bare
     * {@link NullPointerException}.
     *
     * @return {@code value}, for use in assignments
     * @throws InvalidConfigException naming {@code field} if {@code value} is null
     */
    public static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidConfigException(field + " is required (was null)");
        }
        return value;
    }

    /**
     * Checks the most common rule of a builder's time settings: present and longer than zero.
     *
     * @return {@code value}, for use in assignments
     * @throws InvalidConfigException naming {@code field} otherwise
     */
    public static Duration requirePositive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw of(field, value, "must be a positive duration (e.g. PT30S)");
        }
        return value;
    }

    /**
     * Returns {@code value} if it is zero or positive.
     *
     * @return {@code value}
     * @throws InvalidConfigException naming {@code field} if it is null or negative
     */
    public static Duration requireNonNegative(String field, Duration value) {
        if (value == null || value.isNegative()) {
            throw of(field, value, "must be zero or a positive duration (e.g. PT10S)");
        }
        return value;
    }

    /**
     * Checks a builder's whole-number setting against its bounds.
     *
     * @return {@code value}, for use in assignments
     * @throws InvalidConfigException naming {@code field} and the bounds if it is outside {@code [min, max]}
     */
    public static int requireInRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw of(field, value, max == Integer.MAX_VALUE ? "must be >= " + min : "must be in " + min + ".." + max);
        }
        return value;
    }

    /**
     * Checks a builder's score or fraction setting: a number (not NaN) in {@code [min, max]}.
     *
     * @return {@code value}, for use in assignments
     * @throws InvalidConfigException naming {@code field} and the bounds otherwise
     */
    public static float requireInRange(String field, float value, float min, float max) {
        if (!(value >= min && value <= max)) {
            throw of(field, value, "must be in [" + min + ", " + max + "]");
        }
        return value;
    }

    /**
     * Checks a builder's real-valued setting: a number (not NaN) in {@code [min, max]}.
     *
     * @return {@code value}, for use in assignments
     * @throws InvalidConfigException naming {@code field} and the bounds otherwise
     */
    public static double requireInRange(String field, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw of(field, value, "must be in [" + min + ", " + max + "]");
        }
        return value;
    }

    /**
     * Checks a builder's name-like setting.
     *
     * @return {@code value}, for use in assignments
     * @throws InvalidConfigException naming {@code field} if it is null or blank
     */
    public static String requireNotBlank(String field, String value) {
        if (value == null || value.isBlank()) {
            throw of(field, value, "must not be blank");
        }
        return value;
    }
}
