package dev.juggler.samples.console;

import java.util.Locale;

/**
 * The operator's three table views. The lower-case name is the command ({@code juggler tracks}) and the URL
 * path segment of the web console. Immutable and thread-safe.
 */
public enum TableKind {
    /** One row per track (video × analysis) with its frame counts and derived state. */
    TRACKS,
    /** One row per batch job the juggler recorded. */
    JOBS,
    /** One row per chunk (a frame range of a track) with its lease and failure. */
    CHUNKS;

    /** {@code tracks}, {@code jobs} or {@code chunks}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
