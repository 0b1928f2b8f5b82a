package dev.juggler.inference.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.FrameResult;
import dev.juggler.ledger.InMemoryWorkLedger;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.video.FrameRange;
import dev.juggler.video.Video;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerCleaningTest {

    private static List<FrameResult> all(InMemoryWorkLedger ledger, long track) {
        List<FrameResult> out = new ArrayList<>();
        ledger.readResults(track, FrameRange.of(0, 5_000), out::add);
        return out;
    }

    private static List<FrameRange> done(InMemoryWorkLedger ledger, long track) {
        return ledger.reader().chunks(ChunkQuery.ofTrack(track, 100)).stream().filter(c -> c.state() == ChunkState.DONE)
                .map(c -> c.range()).sorted(java.util.Comparator.comparingLong(FrameRange::from)).toList();
    }

    @Test
    void aTrackIsCleanedIntoItsDerivedTrackAndTheSourceStaysAsItWas() {
        InMemoryWorkLedger ledger = new InMemoryWorkLedger();
        ledger.registerVideo(new Video("walk \"$(x)\"", "/v.mp4", 4_500, 25, 1, Map.of()));
        long source = ledger.addTrack(new TrackSpec("walk \"$(x)\"", "pose", FrameRange.of(0, 4_500), 0));
        List<FrameResult> stored = new ArrayList<>();
        for (int f = 0; f < 4_500; f++) {
            if (f >= 2_100 && f < 2_110) {
                continue; // a failed range: no results
            }
            String json = f == 3_000 ? "{not json" : OpenPoseJson.toJson(Bodies.frame(Bodies.body(300 + 100 * Math.sin(f / 50.0), 400, 300, 0)));
            stored.add(new FrameResult(source, f, json));
        }
        ledger.storeResults(stored);
        List<FrameResult> before = all(ledger, source);

        long[] seen = {0};
        LedgerCleaning.Outcome dry = new LedgerCleaning(ledger).clean(source, "pose", FrameRange.of(0, 4_500), 25,
                CleanSettings.defaults(), true, f -> seen[0]++);
        assertEquals(-1, dry.derivedTrackId());
        assertEquals(4_489, seen[0]);
        assertEquals(1, ledger.reader().tracks(dev.juggler.ledger.TrackQuery.firstPage(10)).size(), "a dry run writes nothing");

        LedgerCleaning.Outcome outcome = new LedgerCleaning(ledger).clean(source, "pose", FrameRange.of(0, 4_500), 25,
                CleanSettings.defaults(), false, f -> { });
        assertEquals(1, outcome.unreadable());
        assertEquals(4_489, outcome.stats().frames());
        assertEquals(2, outcome.stats().breaks());
        long derived = outcome.derivedTrackId();
        assertEquals("pose+clean", ledger.reader().track(derived).orElseThrow().analysis());
        assertEquals(CleanSettings.defaults().toParameters(), ledger.derivation(derived).orElseThrow().parameters());
        assertEquals(List.of(FrameRange.of(0, 2_100), FrameRange.of(2_110, 3_000), FrameRange.of(3_001, 4_500)),
                merge(done(ledger, derived)));
        assertEquals(4_489, all(ledger, derived).size());
        assertEquals(before, all(ledger, source), "the raw track is never changed");
        assertTrue(all(ledger, derived).stream().allMatch(r -> r.payload().contains("\"person_id\":[0]")),
                "one identity all along: " + all(ledger, derived).get(0).payload());

        LedgerCleaning.Outcome again = new LedgerCleaning(ledger).clean(source, "pose", FrameRange.of(0, 4_500), 25,
                CleanSettings.builder().maxGap(3).build(), false, f -> { });
        assertEquals(derived, again.derivedTrackId(), "cleaning again replaces the derived track");
        assertTrue(ledger.derivation(derived).orElseThrow().parameters().contains("max-gap=3"));
        assertEquals(4_489, ledger.reader().track(derived).orElseThrow().framesDone());
    }

    @Test
    void settingsThatDoNotFitTheFrameRateLeaveNoDerivedTrack() {
        InMemoryWorkLedger ledger = new InMemoryWorkLedger();
        ledger.registerVideo(new Video("slow", "/slow.mp4", 10, 10, 1, Map.of()));
        long source = ledger.addTrack(new TrackSpec("slow", "pose", FrameRange.of(0, 10), 0));
        dev.juggler.InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(dev.juggler.InvalidConfigException.class,
                () -> new LedgerCleaning(ledger).clean(source, "pose", FrameRange.of(0, 10), 10, CleanSettings.defaults(), false,
                        f -> { }));
        assertTrue(e.getMessage().contains("cutoff"), e.getMessage());
        assertEquals(1, ledger.reader().tracks(dev.juggler.ledger.TrackQuery.firstPage(10)).size(), "no derived track was made");
    }

    private static List<FrameRange> merge(List<FrameRange> ranges) {
        List<FrameRange> out = new ArrayList<>();
        for (FrameRange r : ranges) {
            if (!out.isEmpty() && out.get(out.size() - 1).to() == r.from()) {
                out.set(out.size() - 1, FrameRange.of(out.get(out.size() - 1).from(), r.to()));
            } else {
                out.add(r);
            }
        }
        return out;
    }
}
