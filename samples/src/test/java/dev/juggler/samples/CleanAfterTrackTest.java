package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.JugglerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code juggler run} with {@code clean:} cleans each track into {@code <analysis>+clean} when it finishes. */
class CleanAfterTrackTest {

    @TempDir
    Path dir;

    private String run(String cleanSection) throws Exception {
        String config = LocalRun.config(dir, cleanSection).toString();
        return LocalRun.juggler(new String[] {"register", "--config", config, "--no-progress"},
                new String[] {"run", "--config", config, "--no-progress"});
    }

    private List<TrackView> tracks(String analysis) throws Exception {
        try (WorkLedger ledger = JugglerConfig.load(dir.resolve("run.yaml")).ledgerBuilder().build()) {
            return ledger.reader().tracks(TrackQuery.firstPage(100).ofAnalysis(analysis));
        }
    }

    @Test
    void eachFinishedTrackIsCleanedOnceAndAgainWhenTheSettingsChange() throws Exception {
        Files.createDirectories(dir.resolve("videos"));
        SyntheticVideo.write(dir.resolve("videos/walk \"a\" $(x).mp4"), 320, 240, 60, 25);
        SyntheticVideo.write(dir.resolve("videos/b.mp4"), 320, 240, 45, 25);

        String first = run("clean:\n  maxGap: 5\n");
        assertTrue(first.indexOf("cleaned track") < first.indexOf("done: "), "cleaned before the run ends: " + first);
        List<TrackView> cleaned = tracks("marker-pose+clean");
        assertEquals(2, cleaned.size(), first);
        for (TrackView track : cleaned) {
            assertEquals(track.range().to() - track.range().from(), track.framesDone(), track.toString());
        }
        try (WorkLedger ledger = JugglerConfig.load(dir.resolve("run.yaml")).ledgerBuilder().build()) {
            assertTrue(ledger.derivation(cleaned.get(0).trackId()).orElseThrow().parameters().contains("max-gap=5"));
            assertEquals(2, ledger.reader().progress().tracksDone(), "derived tracks are not counted as work");
        }

        String again = run("clean:\n  maxGap: 5\n");
        assertFalse(again.contains("cleaned track"), "already cleaned with these settings: " + again);

        String changed = run("clean:\n  maxGap: 3\n  smoothing: one-euro\n");
        assertEquals(2, changed.split("cleaned track", -1).length - 1, changed);
        try (WorkLedger ledger = JugglerConfig.load(dir.resolve("run.yaml")).ledgerBuilder().build()) {
            assertTrue(ledger.derivation(cleaned.get(0).trackId()).orElseThrow().parameters().contains("smoothing=one-euro"));
        }

        String off = run("clean:\n  afterTrack: false\n  maxGap: 7\n");
        assertFalse(off.contains("cleaned track"), off);
    }
}
