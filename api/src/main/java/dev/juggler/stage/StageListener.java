package dev.juggler.stage;

/**
 * Progress of one transfer into the workspace. Called from the transferring thread; implementations
 * must be thread-safe and fast. A listener that throws is logged and ignored.
 */
@FunctionalInterface
public interface StageListener {

    /** Called as bytes arrive; {@code done <= total}. */
    void onProgress(String videoId, long done, long total);

    /** A listener that ignores everything. */
    StageListener NONE = (id, done, total) -> { };
}
