package dev.juggler.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.NotFoundException;
import dev.juggler.testing.MutableClock;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the ledger contracts share: a fresh ledger per test on a {@link MutableClock}, and helpers to stage
 * videos, add tracks and claim. Subclasses implement {@link #newLedger(Clock)}.
 */
public abstract class LedgerFixture {

    /** The attempts the contract assumes an implementation allows by default. */
    protected static final int DEFAULT_MAX_ATTEMPTS = 3;
    protected static final Duration LEASE = Duration.ofMinutes(10);

    protected MutableClock clock;
    protected WorkLedger ledger;

    /** A fresh, empty ledger whose timestamps and lease expiries come from {@code clock}. */
    protected abstract WorkLedger newLedger(Clock clock);

    @BeforeEach
    void openLedger() {
        clock = MutableClock.startingAt2024();
        ledger = newLedger(clock);
    }

    @AfterEach
    void closeLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    // --- helpers -----------------------------------------------------------------------------------

    protected static Video video(String id, long frames, Map<String, String> tags) {
        return new Video(id, "/corpus/" + id + ".mp4", frames, 25.0, frames * 1000, tags);
    }

    /** Registers a video and marks it staged at {@code /ws/<id>}. */
    protected Video stagedVideo(String id, long frames) {
        Video video = video(id, frames, Map.of());
        ledger.registerVideo(video);
        ledger.markStaged(id, "/ws/" + id);
        return video;
    }

    protected long wholeTrack(Video video, String analysis, int priority) {
        return ledger.addTrack(new TrackSpec(video.id(), analysis, video.allFrames(), priority));
    }

    protected Optional<Lease> claim(long maxFrames) {
        return ledger.claim(ClaimRequest.of("worker-1", maxFrames, LEASE));
    }

    protected Lease claimOrFail(long maxFrames) {
        return claim(maxFrames).orElseThrow(() -> new AssertionError("expected a claimable chunk"));
    }

    protected List<ChunkView> chunks(long trackId) {
        return ledger.reader().chunks(ChunkQuery.ofTrack(trackId, 10_000));
    }

    protected List<FrameRange> rangesIn(long trackId, ChunkState state) {
        return chunks(trackId).stream().filter(c -> c.state() == state).map(ChunkView::range)
                .sorted(Comparator.comparingLong(FrameRange::from)).collect(Collectors.toList());
    }

    /** Asserts that the chunks of a track partition its range exactly (no gap, no overlap). */
    protected void assertPartition(long trackId, FrameRange trackRange, String context) {
        List<FrameRange> all = chunks(trackId).stream().map(ChunkView::range)
                .sorted(Comparator.comparingLong(FrameRange::from)).collect(Collectors.toList());
        long next = trackRange.from();
        for (FrameRange range : all) {
            assertEquals(next, range.from(), context + ": chunks of track " + trackId + " must tile its range, got " + all);
            assertFalse(range.isEmpty(), context + ": empty chunk in " + all);
            next = range.to();
        }
        assertEquals(trackRange.to(), next, context + ": chunks of track " + trackId + " must end at its end, got " + all);
    }

}
