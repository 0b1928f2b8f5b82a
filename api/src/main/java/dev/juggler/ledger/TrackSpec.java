package dev.juggler.ledger;

import dev.juggler.video.FrameRange;
import java.util.Objects;

/**
 * Asks the ledger for one analysis over a frame range of a registered video. Immutable and thread-safe.
 *
 * @param videoId a registered video
 * @param analysis the analysis name, e.g. {@code openpose-body25}; one track per (video, analysis)
 * @param range the frames to analyse; must lie inside the video
 * @param priority higher runs first; ties go to the oldest track
 */
public record TrackSpec(String videoId, String analysis, FrameRange range, int priority) {

    public TrackSpec {
        Objects.requireNonNull(videoId, "videoId");
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(range, "range");
        if (analysis.isBlank()) {
            throw new IllegalArgumentException("track analysis name must not be blank");
        }
    }

    /** A track over frames {@code [0, frameCount)} with priority 0. */
    public static TrackSpec whole(dev.juggler.video.Video video, String analysis) {
        return new TrackSpec(video.id(), analysis, video.allFrames(), 0);
    }
}
