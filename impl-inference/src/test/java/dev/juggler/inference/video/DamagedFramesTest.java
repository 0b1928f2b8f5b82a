package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.testing.AviChunks;
import dev.juggler.inference.testing.DamageComparison;
import dev.juggler.inference.testing.Requirements;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.video.DamagedFrameException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged frame costs that frame, not the rest of the video: on damaged copies of generated and real
 * footage the source reports each damaged frame once and goes on, every other frame arrives on its own
 * index, and the loss is compared with what FFmpeg itself cannot decode, in the same run.
 */
class DamagedFramesTest {

    @TempDir
    static Path dir;

    private static final FrameSourceFactory SOURCES = FfmpegFrameSources.create();

    @BeforeAll
    static void needs() {
        Requirements.footage(Requirements.VTEST);
    }

    /** Reads {@code [0, frames)} through damage: the indices delivered and the frames reported damaged. */
    private static List<List<Long>> read(Path file, int frames) {
        List<Long> delivered = new ArrayList<>();
        List<Long> damaged = new ArrayList<>();
        try (FrameSource source = SOURCES.open(file.toString(), 0, frames)) {
            while (true) {
                try {
                    Frame f = source.next();
                    if (f == null) {
                        break;
                    }
                    delivered.add(f.index());
                } catch (DamagedFrameException e) {
                    assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
                    damaged.add(e.frameIndex());
                }
            }
        }
        return List.of(delivered, damaged);
    }

    @Test
    void eachKindOfDamageCostsOneFrameAndEveryOtherFrameKeepsItsIndex() throws Exception {
        Path synthetic = SyntheticVideo.builder().frames(200).keyframeInterval(50).write(dir.resolve("synthetic.avi"));
        for (String kind : DamageComparison.KINDS) {
            Path copy = DamageComparison.damage(synthetic, dir, kind, 104);
            List<List<Long>> r = read(copy, 200);
            assertEquals(List.of(104L), r.get(1), kind + ": the damaged frame, reported once");
            assertEquals(199, r.get(0).size(), kind);
            try (FrameSource source = SOURCES.open(copy.toString(), 0, 200)) {
                for (long i = 0; i < 200; i++) {
                    try {
                        Frame f = source.next();
                        assertEquals(i, f.index());
                        // Until the next keyframe (150) later pictures are predicted from a lost one (FFmpeg
                        // decodes them without an error); before the damage and from there on they are exact.
                        if (i < 104 || i >= 150) {
                            assertEquals(i, SyntheticVideo.readFrameIndex(f), kind + ": the picture of frame " + i);
                        }
                    } catch (DamagedFrameException e) {
                        assertEquals(104, e.frameIndex());
                    }
                }
            }
        }
    }

    @Test
    void realFootageWithAZeroedChunkLosesThatFrameOnlyAndTheOthersAreExact() throws Exception {
        byte[] bytes = Files.readAllBytes(Requirements.VTEST);
        List<Integer> chunks = AviChunks.videoChunks(bytes);
        Path copy = DamageComparison.damage(Requirements.VTEST, dir, "lost AVI chunk", 300);
        List<List<Long>> r = read(copy, 795);
        assertEquals(List.of(300L), r.get(1));
        assertEquals(794, r.get(0).size());
        try (FrameSource original = SOURCES.open(Requirements.VTEST.toString(), 290, 320);
             FrameSource damaged = SOURCES.open(copy.toString(), 290, 320)) {
            for (long i = 290; i < 320; i++) {
                Frame o = original.next();
                if (i == 300) {
                    continue; // the damaged copy reports it; the next call below delivers frame 301
                }
                Frame d;
                try {
                    d = damaged.next();
                } catch (DamagedFrameException e) {
                    assertEquals(300, e.frameIndex());
                    d = damaged.next();
                }
                assertEquals(i, d.index());
                if (i < 300) {
                    assertTrue(java.util.Arrays.equals(o.pixels(), d.pixels()), "frame " + i + " is exact");
                }
            }
        }
        assertEquals(795, chunks.size());
    }

    @Test
    void lossComparedWithWhatFfmpegCannotDecode() {
        DamageComparison.Result result = DamageComparison.run(dir.resolve("comparison"));
        System.out.print(result.table());
        System.out.println(result);
        for (DamageComparison.Case c : result.cases()) {
            // Never more than FFmpeg: a frame FFmpeg decodes cleanly is never lost.
            assertTrue(c.lost() <= Math.max(c.undecodable(), 1), c.toString());
            // Everything lost is reported as a damaged frame: nothing silently missing, no range lost.
            assertEquals(c.lost(), c.damagedReported(), c.toString());
        }
        // Equal everywhere: also where the decoder only logs its errors (MS-MPEG4 in vtest.avi after a
        // damaged header logs "dc overflow" in ten later frames without dropping or flagging them).
        for (DamageComparison.Case c : result.cases()) {
            assertEquals(c.undecodable(), c.lost(), c.toString());
        }
    }

    /**
     * The whole path: a worker over a video with two damaged frames completes its chunk, with exactly those
     * frames FAILED as one-frame ranges with their reasons and every other frame's result stored.
     */
    @Test
    void aWorkerRecordsEachDamagedFrameAsAFailedOneFrameRange() throws Exception {
        Path synthetic = SyntheticVideo.builder().frames(200).keyframeInterval(50).write(dir.resolve("for worker.avi"));
        // The zeroed chunk last: the chunk walk that finds frame 160 stops at it.
        Path once = DamageComparison.damage(synthetic, dir, "frame header", 160);
        Path twice = DamageComparison.damage(once, dir, "lost AVI chunk", 104);
        dev.juggler.ledger.InMemoryWorkLedger ledger = new dev.juggler.ledger.InMemoryWorkLedger();
        ledger.registerVideo(new dev.juggler.video.Video("v", twice.toString(), 200, 25, Files.size(twice), java.util.Map.of()));
        ledger.markStaged("v", twice.toString());
        long track = ledger.addTrack(new dev.juggler.ledger.TrackSpec("v", "marker-pose", dev.juggler.video.FrameRange.of(0, 200), 0));
        dev.juggler.inference.pose.MarkerPoseModel model = dev.juggler.inference.pose.MarkerPoseModel.create();
        try (dev.juggler.pipeline.BoundedFramePipeline<Frame, dev.juggler.inference.pose.PoseFrame> pipeline =
                dev.juggler.pipeline.BoundedFramePipeline.builder(SOURCES, (Frame f) -> f, model,
                        (info, pose) -> dev.juggler.inference.openpose.OpenPoseJson.toJson(pose))
                        .closeAcceleratorOnClose(true).build()) {
            dev.juggler.run.Worker.builder(ledger, pipeline).analysis("marker-pose").initialChunkFrames(200)
                    .checkpointEveryFrames(20).workerId("w").build().run();
        }
        List<dev.juggler.ledger.ChunkView> chunks = ledger.reader().chunks(dev.juggler.ledger.ChunkQuery.ofTrack(track, 100));
        List<String> failed = chunks.stream().filter(c -> c.state() == dev.juggler.ledger.ChunkState.FAILED)
                .map(c -> c.range() + " " + c.failureReason().orElse("")).toList();
        assertEquals(2, failed.size(), failed.toString());
        assertTrue(failed.get(0).startsWith(dev.juggler.video.FrameRange.of(104, 105).toString()), failed.toString());
        assertTrue(failed.get(1).startsWith(dev.juggler.video.FrameRange.of(160, 161).toString()), failed.toString());
        long done = chunks.stream().filter(c -> c.state() == dev.juggler.ledger.ChunkState.DONE).mapToLong(c -> c.range().length()).sum();
        assertEquals(198, done);
        List<Long> stored = new ArrayList<>();
        ledger.readResults(track, dev.juggler.video.FrameRange.of(0, 200), r -> stored.add(r.frame()));
        assertEquals(198, stored.size());
        assertTrue(!stored.contains(104L) && !stored.contains(160L), "no result for a damaged frame");
    }

    @Test
    void theGlitchedMegamindCopyLosesNothing() {
        Path bugy = Requirements.footage(Requirements.VTEST.resolveSibling("Megamind_bugy.avi"));
        List<List<Long>> r = read(bugy, 270);
        assertEquals(270, r.get(0).size());
        assertEquals(List.of(), r.get(1));
    }
}
