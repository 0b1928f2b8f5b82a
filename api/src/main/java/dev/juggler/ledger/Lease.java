package dev.juggler.ledger;

import dev.juggler.video.FrameRange;
import java.time.Instant;
import java.util.Objects;

/**
 * A worker's time-limited, fenced claim on a chunk. The {@link #token()} proves ownership: once the
 * lease has been revoked, reaped or completed, every call with this token is refused with a
 * {@link LeaseLostException}, so a stale holder can never complete frames that someone else now owns.
 * Immutable and thread-safe. {@link #toString()} shows only a prefix of the token.
 *
 * @param chunkId the leased chunk
 * @param token the fencing token
 * @param trackId the track the chunk belongs to
 * @param analysis the track's analysis name
 * @param videoId the video to read
 * @param videoLocation where the staged video can be read by the worker
 * @param range the leased frames
 * @param expiresAt when the lease lapses without a heartbeat
 * @param attempt 1 for the first lease of these frames, incremented each time they come back
 */
public record Lease(long chunkId, String token, long trackId, String analysis, String videoId, String videoLocation,
        FrameRange range, Instant expiresAt, int attempt) {

    public Lease {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(videoId, "videoId");
        Objects.requireNonNull(videoLocation, "videoLocation");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** The same lease with a new expiry, as returned by a heartbeat. */
    public Lease withExpiry(Instant newExpiry) {
        return new Lease(chunkId, token, trackId, analysis, videoId, videoLocation, range, newExpiry, attempt);
    }

    @Override
    public String toString() {
        return "Lease[chunk=" + chunkId + ", token=" + token.substring(0, Math.min(8, token.length())) + "…, track="
                + trackId + ", video=" + videoId + ", range=" + range + ", expiresAt=" + expiresAt + ", attempt=" + attempt + "]";
    }
}
