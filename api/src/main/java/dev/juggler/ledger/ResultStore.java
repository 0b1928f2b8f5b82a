package dev.juggler.ledger;

import dev.juggler.video.FrameRange;
import java.util.List;
import java.util.function.Consumer;

/**
 * The result-store role of a {@link WorkLedger}: per-frame results, idempotent by (track, frame). Workers
 * write to it before they checkpoint; exporters and the track cleaner read from it.
 *
 * <p>Implementations are thread-safe.
 */
public interface ResultStore {

    /** Stores frame results idempotently by (track, frame); a frame stored twice keeps one row. */
    void storeResults(List<FrameResult> results);

    /** Streams the stored results of a track within a range, in frame order. */
    void readResults(long trackId, FrameRange range, Consumer<FrameResult> consumer);
}
