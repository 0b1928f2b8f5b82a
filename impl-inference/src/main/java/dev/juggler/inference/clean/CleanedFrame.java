package dev.juggler.inference.clean;

import dev.juggler.inference.openpose.OpenPoseDocument;
import java.util.Objects;

/**
 * One frame of a cleaned track: its people carry stable {@code person_id}s and cleaned 2D keypoints.
 * Immutable and thread-safe.
 *
 * @param frame the frame index
 * @param document the cleaned frame
 * @param filled for each person of {@code document}, in order, which of its 2D points (pose, face, left hand,
 *     right hand, in that order, counted in points) were filled by interpolation
 */
public record CleanedFrame(long frame, OpenPoseDocument document, java.util.List<java.util.BitSet> filled) {
    public CleanedFrame {
        Objects.requireNonNull(document, "document");
        filled = java.util.List.copyOf(filled);
    }
}
