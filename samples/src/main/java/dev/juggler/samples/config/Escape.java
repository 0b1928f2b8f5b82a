package dev.juggler.samples.config;

/**
 * Shows text that comes from data (file names, CSV cells, config values) safely on a terminal: control
 * characters, bidirectional overrides and other invisible characters are written as escapes, so that a
 * file name cannot move the cursor, forge lines or hide text. Stateless; thread-safe.
 */
public final class Escape {

    private Escape() {
    }

    /** The text with unsafe characters escaped ({@code \n}, {@code \t}, {@code \x1b}, {@code \u202e}). */
    public static String visible(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\x%02x", c));
                    } else if (unsafeFormat(c)) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }

    /**
     * The text as a double-quoted, escaped string when it holds anything but plain path characters
     * (so spaces, quotes and {@code $(...)} are visibly part of one name); otherwise unchanged.
     */
    public static String quoted(String text) {
        if (text != null && text.matches("[A-Za-z0-9_./,:+@%=-]+")) {
            return text;
        }
        return "\"" + visible(text).replace("\"", "\\\"") + "\"";
    }

    /** Like {@link #quoted(String)}, cut to at most {@code max} characters of the original. */
    static String quoted(String text, int max) {
        if (text != null && text.length() > max) {
            return quoted(text.substring(0, max)) + "…";
        }
        return quoted(text);
    }

    private static boolean unsafeFormat(int c) {
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }
}
