package dev.juggler.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.NotFoundException;
import dev.juggler.video.FrameRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The contract of derived tracks ({@link VideoCatalogue#addDerivedTrack}) that every {@link WorkLedger}
 * implementation must keep. Subclass it and implement {@link #newLedger}, as for {@link WorkLedgerContract}.
 * Shipped in the api test-jar.
 */
public abstract class DerivedTracksContract extends LedgerFixture {

    @Test
    void aDerivedTrackRecordsItsSourceAndParametersAndIsNeverClaimed() {
        long source = wholeTrack(stagedVideo("v", 100), "pose", 3);
        long derived = ledger.addDerivedTrack(source, "pose+clean", "max-gap=10 cutoff=6Hz");
        assertEquals(Optional.of(new TrackDerivation(source, "max-gap=10 cutoff=6Hz")), ledger.derivation(derived));
        assertEquals(Optional.empty(), ledger.derivation(source), "a computed track is not derived");
        TrackView view = ledger.reader().track(derived).orElseThrow();
        assertEquals("pose+clean", view.analysis());
        assertEquals(FrameRange.of(0, 100), view.range());
        assertEquals(0, view.framesDone());
        ledger.complete(claimOrFail(100), 100);
        assertEquals(Optional.empty(), claim(100), "the derived track has no pending work");
        assertTrue(ledger.videosToPurge().stream().anyMatch(v -> v.video().id().equals("v")),
                "a derived track does not keep its video in the workspace");
    }

    @Test
    void doneMarksCoverWhatWasWrittenAndOverlapsChangeNothing() {
        long source = wholeTrack(stagedVideo("v", 100), "pose", 0);
        long derived = ledger.addDerivedTrack(source, "pose+clean", "p");
        ledger.markDerivedDone(derived, FrameRange.of(50, 80));
        ledger.markDerivedDone(derived, FrameRange.of(0, 20));
        ledger.markDerivedDone(derived, FrameRange.of(10, 60));
        ledger.markDerivedDone(derived, FrameRange.of(10, 60));
        ledger.markDerivedDone(derived, FrameRange.of(90, 90));
        assertEquals(80, ledger.reader().track(derived).orElseThrow().framesDone());
        List<FrameRange> done = rangesIn(derived, ChunkState.DONE);
        long covered = 0;
        for (int i = 0; i < done.size(); i++) {
            covered += done.get(i).to() - done.get(i).from();
            if (i > 0) {
                assertTrue(done.get(i - 1).to() <= done.get(i).from(), "no overlapping chunks: " + done);
            }
        }
        assertEquals(80, covered);
        assertEquals(List.of(), rangesIn(derived, ChunkState.PENDING));
    }

    @Test
    void derivingAgainStartsOverWithTheNewParametersAndTheSameId() {
        long source = wholeTrack(stagedVideo("v", 10), "pose", 0);
        long derived = ledger.addDerivedTrack(source, "pose+clean", "old");
        ledger.storeResults(List.of(new FrameResult(derived, 3, "{\"old\":1}")));
        ledger.markDerivedDone(derived, FrameRange.of(0, 10));
        assertEquals(derived, ledger.addDerivedTrack(source, "pose+clean", "new"));
        assertEquals("new", ledger.derivation(derived).orElseThrow().parameters());
        assertEquals(0, ledger.reader().track(derived).orElseThrow().framesDone());
        List<FrameResult> results = new ArrayList<>();
        ledger.readResults(derived, FrameRange.of(0, 10), results::add);
        assertEquals(List.of(), results, "the old results are gone");
        ledger.storeResults(List.of(new FrameResult(derived, 3, "{\"new\":1}")));
        ledger.readResults(derived, FrameRange.of(0, 10), results::add);
        assertEquals(List.of(new FrameResult(derived, 3, "{\"new\":1}")), results);
    }

    @Test
    void badDerivationsAreRefusedWithTheirReason() {
        long source = wholeTrack(stagedVideo("v", 10), "pose", 0);
        long other = wholeTrack(ledger.video("v").orElseThrow().video(), "objects", 0);
        assertThrows(NotFoundException.class, () -> ledger.addDerivedTrack(source + other + 100, "x", "p"));
        assertThrows(IllegalArgumentException.class, () -> ledger.addDerivedTrack(source, "pose", "p"));
        assertThrows(IllegalArgumentException.class, () -> ledger.addDerivedTrack(source, " ", "p"));
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> ledger.addDerivedTrack(source, "objects", "p"));
        assertTrue(taken.getMessage().contains("workers compute"), taken.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ledger.markDerivedDone(source, FrameRange.of(0, 1)),
                "a computed track is not marked by hand");
        long derived = ledger.addDerivedTrack(source, "pose+clean", "p");
        assertThrows(IllegalArgumentException.class, () -> ledger.markDerivedDone(derived, FrameRange.of(5, 11)));
        assertThrows(NotFoundException.class, () -> ledger.markDerivedDone(derived + other + 100, FrameRange.of(0, 1)));
        assertEquals(Optional.empty(), ledger.derivation(derived + other + 100));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(derived, ledger.addTrack(new TrackSpec("v", "pose+clean", FrameRange.of(0, 10), 0)),
                "addTrack of an existing name returns it, as always");
        assertEquals(List.of(), rangesIn(derived, ChunkState.PENDING), "and schedules nothing");
    }

    @Test
    void derivedFramesAreNotWorkInProgressEstimatesOrThroughput() {
        long source = wholeTrack(stagedVideo("v", 100), "pose", 0);
        clock.advance(Duration.ofMinutes(1));
        ledger.complete(claimOrFail(100), 100);
        clock.advance(Duration.ofMinutes(1));
        Progress before = ledger.reader().progress();
        WorkEstimate estimate = ledger.estimate();
        List<ThroughputPoint> throughput = ledger.reader().throughput(clock.instant().minus(Duration.ofMinutes(5)),
                Duration.ofMinutes(1));
        long derived = ledger.addDerivedTrack(source, "pose+clean", "p");
        ledger.markDerivedDone(derived, FrameRange.of(0, 100));
        Progress after = ledger.reader().progress();
        assertEquals(before.tracksDone(), after.tracksDone());
        assertEquals(before.frames(), after.frames());
        assertEquals(before.framesPerSecond(), after.framesPerSecond(), 1e-9);
        assertEquals(estimate, ledger.estimate());
        assertEquals(throughput.stream().mapToLong(ThroughputPoint::framesDone).sum(), ledger.reader().throughput(
                clock.instant().minus(Duration.ofMinutes(5)), Duration.ofMinutes(1)).stream().mapToLong(ThroughputPoint::framesDone).sum());
        assertEquals(100, ledger.reader().track(derived).orElseThrow().framesDone(), "the track table still shows it");
    }
}
