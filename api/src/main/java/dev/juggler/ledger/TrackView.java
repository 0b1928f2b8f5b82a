package dev.juggler.ledger;

import dev.juggler.video.FrameRange;

/**
 * One row of the track table. Immutable and thread-safe.
 *
 * @param trackId the track
 * @param videoId its video
 * @param analysis its analysis name
 * @param range its frames
 * @param priority its plan priority
 * @param framesDone frames in DONE chunks
 * @param framesFailed frames in FAILED chunks
 * @param framesLeased frames under live leases
 * @param state the derived state (DONE, FAILED, LEASED when running, else PENDING)
 */
public record TrackView(long trackId, String videoId, String analysis, FrameRange range, int priority, long framesDone,
        long framesFailed, long framesLeased, ChunkState state) {
}
