package dev.juggler.ledger;

import dev.juggler.video.FrameRange;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a track's attempt history: a range failed, was given up, set aside or re-scheduled. The
 * history is appended to and never rewritten, so re-scheduling keeps what happened before. Immutable
 * and thread-safe.
 *
 * @param chunkId the chunk the event happened to
 * @param trackId its track
 * @param range the frames the event concerned
 * @param kind what happened
 * @param attempt the chunk's attempt count after the event
 * @param reason the reason given, if any
 * @param jobId the batch job whose lease failed, if known
 * @param at when
 */
public record ChunkEvent(long chunkId, long trackId, FrameRange range, Kind kind, int attempt, Optional<String> reason,
        Optional<String> jobId, Instant at) {

    /** What happened to a range. */
    public enum Kind {
        /** An attempt failed and the range went back to pending for another try. */
        RETRIED,
        /** The range became FAILED: a permanent error or its attempts were exhausted. */
        FAILED,
        /** An operator set the range aside. */
        SET_ASIDE,
        /** An operator (or take-back) put the FAILED range back to pending. */
        RESCHEDULED
    }

    public ChunkEvent {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(at, "at");
    }
}
