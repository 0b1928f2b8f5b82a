package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.testing.ImageFixtures;
import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.JugglerConfig;
import dev.juggler.stage.StagingProtocol;
import dev.juggler.video.FrameRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code juggler run} on the local cluster stages an image folder into the workspace (as one {@code .v.imgtar}
 * file) and its workers analyse it: every good frame done, the corrupt image a failed one-frame range with its
 * reason, hostile folder and image names harmless.
 */
class RunImageFolderTest {

    @TempDir
    Path dir;

    @Test
    void anImageFolderIsStagedAndAnalysedWithItsCorruptImageAFailedFrame() throws Exception {
        ImageFixtures.requireFfmpeg();
        Path video = SyntheticVideo.write(dir.resolve("source.mp4"), 320, 240, 15, 25);
        Path folder = dir.resolve("frames").resolve("seq \"1\" $(touch PWNED) <script>");
        ImageFixtures.framesOf(video, folder, "img%d.jpg", 15, 1); // img1..img15, natural order
        Path hostile = folder.resolve("img4 $(touch PWNED)\n<b>.jpg");
        Files.move(folder.resolve("img4.jpg"), hostile);
        ImageFixtures.garbage(folder.resolve("img7.jpg"), 7); // frame 6: not an image any more
        Files.writeString(folder.resolve("fps"), "25\n");
        String config = LocalRun.config(dir, """
                videos:
                  - images: frames
                    recursive: true
                """, """
                juggler:
                  pollInterval: 1s
                """).toString();

        String out = LocalRun.juggler(new String[] {"register", "--config", config, "--no-progress"},
                new String[] {"run", "--config", config, "--no-progress"});

        String id = "frames/seq \"1\" $(touch PWNED) <script>";
        try (WorkLedger ledger = JugglerConfig.load(dir.resolve("run.yaml")).ledgerBuilder().build()) {
            VideoRecord record = ledger.video(id).orElseThrow();
            assertEquals(15, record.video().frameCount(), out);
            assertEquals(StageState.PURGED, record.stageState(), "staged, analysed, then purged: " + out);

            List<TrackView> tracks = ledger.reader().tracks(TrackQuery.firstPage(10));
            assertEquals(1, tracks.size(), tracks.toString());
            TrackView track = tracks.get(0);
            assertEquals(14, track.framesDone(), "every good frame is done: " + track + "\n" + out
                    + ledger.reader().chunks(ChunkQuery.inState(ChunkState.FAILED, 10)));
            assertEquals(1, track.framesFailed(), track.toString());

            List<ChunkView> failed = ledger.reader().chunks(ChunkQuery.inState(ChunkState.FAILED, 10));
            assertEquals(1, failed.size(), failed.toString());
            ChunkView corrupt = failed.get(0);
            assertEquals(FrameRange.of(6, 7), corrupt.range(), "the corrupt image alone: " + corrupt);
            String reason = corrupt.failureReason().orElseThrow();
            assertTrue(reason.contains("img7.jpg") && reason.contains("not a JPEG, PNG, BMP or WebP image"), reason);
            String staged = dir.resolve("workspace").resolve(StagingProtocol.fileNameOf(id, ".imgtar")).toString();
            assertTrue(reason.contains("video damaged at frame 6: " + staged), "read from the staged archive: " + reason);
        }
        try (Stream<Path> all = Files.walk(dir)) {
            assertFalse(all.anyMatch(p -> p.getFileName().toString().equals("PWNED")), "a name was executed");
        }
        assertTrue(Files.exists(hostile), "the source folder is left alone");
    }
}
