package dev.juggler.ledger;

import java.util.Objects;

/**
 * The analysis output for one frame of one track, stored idempotently by (track, frame): storing the
 * same frame twice keeps one row. The payload is the analysis' own serialised form (OpenPose JSON for
 * pose). Immutable and thread-safe.
 *
 * @param trackId the track
 * @param frame the 0-based frame index in the video
 * @param payload the serialised result
 */
public record FrameResult(long trackId, long frame, String payload) {
    public FrameResult {
        Objects.requireNonNull(payload, "payload");
        if (frame < 0) {
            throw new IllegalArgumentException("frame = " + frame + ": must be >= 0");
        }
    }
}
