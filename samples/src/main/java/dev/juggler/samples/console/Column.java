package dev.juggler.samples.console;

import java.util.Objects;

/**
 * One column of a table view: the key used in {@code columns=}/{@code sort=} parameters and JSON objects, and the
 * title shown above it. A tag column has the key {@code tag:KEY}. Immutable and thread-safe.
 *
 * @param key the parameter name of the column, e.g. {@code frames} or {@code tag:camera}
 * @param title the heading for people
 */
public record Column(String key, String title) {

    /** The key prefix that makes a video tag a column. */
    public static final String TAG_PREFIX = "tag:";

    public Column {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(title, "title");
    }

    /** The column that shows the video tag {@code tagKey}. */
    public static Column tag(String tagKey) {
        return new Column(TAG_PREFIX + tagKey, tagKey);
    }

    /** Whether this column shows a video tag. */
    public boolean isTag() {
        return key.startsWith(TAG_PREFIX);
    }

    /** The tag key of a tag column. */
    public String tagKey() {
        if (!isTag()) {
            throw new IllegalStateException(key + " is not a tag column");
        }
        return key.substring(TAG_PREFIX.length());
    }
}
