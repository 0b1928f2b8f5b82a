package dev.juggler.video;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A source video: its id, where it lives, what it contains, and free-form tags (region, session,
 * camera, ...). Immutable and thread-safe; the tag map is an unmodifiable sorted copy.
 *
 * @param id the caller's stable id, unique within a ledger (any non-blank text)
 * @param location where the original file is: a path or URI the stager understands
 * @param frameCount number of frames (exact, as probed)
 * @param fps frames per second; {@code 0} if unknown
 * @param sizeBytes size of the file in bytes (drives the workspace budget)
 * @param tags free-form metadata used in filters and reports
 */
public record Video(String id, String location, long frameCount, double fps, long sizeBytes, Map<String, String> tags) {

    public Video {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(location, "location");
        if (id.isBlank()) {
            throw new IllegalArgumentException("video id must not be blank");
        }
        if (frameCount < 0) {
            throw new IllegalArgumentException("video " + id + ": frameCount = " + frameCount + " must be >= 0");
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("video " + id + ": sizeBytes = " + sizeBytes + " must be >= 0");
        }
        if (!(fps >= 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("video " + id + ": fps = " + fps + " must be a finite number >= 0");
        }
        tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /** All frames of this video. */
    public FrameRange allFrames() {
        return new FrameRange(0, frameCount);
    }
}
