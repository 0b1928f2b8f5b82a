package dev.juggler.samples.doctor;

import dev.juggler.samples.config.Escape;
import java.util.Locale;

/** Message helpers for the doctor: first lines of errors, sizes, URLs without secrets. Stateless. */
public final class Texts {

    private Texts() {
    }

    /**
     * The first line of an error's message, escaped: of the innermost {@link java.sql.SQLException} in the cause
     * chain if there is one (the JDBC driver's own words, under a pool's wrapper), else of the outermost message.
     */
    public static String firstLine(Throwable e) {
        String msg = null;
        String sql = null;
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof java.sql.SQLException && t.getMessage() != null && !t.getMessage().isBlank()) {
                sql = t.getMessage();
            }
            if (msg == null && t.getMessage() != null && !t.getMessage().isBlank()) {
                msg = t.getMessage();
            }
        }
        msg = sql != null ? sql : msg;
        String line = msg == null ? e.getClass().getSimpleName() : msg.lines().findFirst().orElse("").trim();
        return Escape.visible(line);
    }

    /** {@code text} with every occurrence of {@code secret} masked (when a secret is known). */
    public static String mask(String text, String secret) {
        if (secret == null || secret.isEmpty()) {
            return text;
        }
        return text.replace(secret, "***").replace(Escape.visible(secret), "***");
    }

    /** A JDBC URL for display: any {@code password=} parameter masked, escaped. */
    public static String url(String jdbcUrl) {
        return Escape.visible(jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***"));
    }

    /** Bytes in decimal units with the exact number, e.g. {@code 12.3 GB (12345678901 bytes)}. */
    public static String size(long bytes) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s (%d bytes)", v, units[u], bytes);
    }

    /** The first non-blank line of command output, escaped; {@code fallback} if none. */
    public static String firstLine(String output, String fallback) {
        return output.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().map(Escape::visible).orElse(fallback);
    }
}
