package dev.juggler.inference.openpose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.ledger.FrameResult;
import dev.juggler.pipeline.CheckpointingSink;
import dev.juggler.pipeline.FrameResultSink;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.video.FrameRange;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenPose process runner against a stand-in executable that behaves like OpenPose. */
class OpenPoseBinaryPipelineTest {

    @TempDir
    Path tmp;
    Path fake;
    Path video;
    Path temp;

    @BeforeEach
    void setUp() throws Exception {
        fake = tmp.resolve("openpose.bin");
        try (InputStream in = getClass().getResourceAsStream("fake-openpose.sh")) {
            Files.copy(in, fake);
        }
        assertTrue(fake.toFile().setExecutable(true));
        video = Files.writeString(tmp.resolve("session 1.mp4"), "not decoded by the stand-in");
        temp = Files.createDirectories(tmp.resolve("work"));
    }

    private OpenPoseBinaryPipeline.Builder builder(String... extra) {
        return OpenPoseBinaryPipeline.builder(fake).tempDirectory(temp).numGpu(2).numGpuStart(1).extraArguments(extra);
    }

    /** The Worker's checkpoint policy, every {@code frames} frames. */
    private static CheckpointingSink every(int frames, FrameResultSink target, PipelineRequest.CheckpointListener checkpoints,
            long from) {
        return new CheckpointingSink(target, checkpoints, from, frames, java.time.Duration.ofDays(1),
                java.time.Clock.systemUTC());
    }

    private static float noseX(FrameResult r) {
        return OpenPoseJson.read(r.payload()).people().get(0).x(0);
    }

    @Test
    void buildsOpenPosesCommandLine() {
        OpenPoseBinaryPipeline p = builder("--model_pose", "BODY_25").build();
        assertEquals(List.of(fake.toString(), "--video", "v.mp4", "--frame_first", "100", "--frame_last", "149",
                "--write_json", "/j", "--num_gpu", "2", "--num_gpu_start", "1", "--display", "0", "--render_pose", "0",
                "--model_pose", "BODY_25"), p.command("v.mp4", FrameRange.of(100, 150), Path.of("/j")));
    }

    @Test
    void refusesExtraArgumentsThatWouldOverrideItsOwnFlags() {
        for (String flag : new String[] {"--write_json", "--frame_first=3", "-video", "--num_gpu", "--image_dir"}) {
            dev.juggler.InvalidConfigException e = assertThrows(dev.juggler.InvalidConfigException.class,
                    () -> builder(flag, "x"), flag);
            assertTrue(e.getMessage().contains(flag) && e.getMessage().contains("reserved"), e.getMessage());
        }
        // Values that start with a dash are not flags of ours.
        assertEquals("-1x368", builder("--net_resolution", "-1x368").build()
                .command("v.mp4", FrameRange.of(0, 1), Path.of("/j")).get(18));
    }

    @Test
    void ingestsEveryFrameInOrderWithCheckpointsAndCleansUp() throws Exception {
        List<FrameResult> results = new ArrayList<>();
        List<Long> checkpoints = new ArrayList<>();
        try (OpenPoseBinaryPipeline p = builder("--fake_delay", "0.002").build()) {
            PipelineReport report = p.run(PipelineRequest.checkpointed(3, video.toString(), FrameRange.of(100, 135),
                    every(10, results::add, checkpoints::add, 100), () -> false));
            assertTrue(report.isComplete(), report.toString());
            assertTrue(report.failure().isEmpty());
            assertEquals(35, report.loop().frames());
        }
        assertEquals(35, results.size());
        for (int i = 0; i < 35; i++) {
            assertEquals(100 + i, results.get(i).frame());
            assertEquals(3, results.get(i).trackId());
            assertEquals(100 + i, noseX(results.get(i)));
            assertTrue(results.get(i).payload().startsWith("{\"version\":1.3,"), results.get(i).payload());
        }
        assertEquals(List.of(110L, 120L, 130L), checkpoints);
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(0, left.count(), "the private JSON folder is removed");
        }
    }

    @Test
    void aSinkThatCannotFlushAtTheEndIsAReportNotAnException() {
        dev.juggler.pipeline.FrameResultSink failingFlush = new dev.juggler.pipeline.FrameResultSink() {
            int flushes;

            @Override
            public void accept(FrameResult result) {
            }

            @Override
            public void flush() {
                // Checkpoints flush at frames 10 and 20; the third flush is the one at the end of the run.
                if (++flushes > 2) {
                    throw new IllegalStateException("disk full");
                }
            }
        };
        CheckpointingSink checkpointing = every(10, failingFlush, next -> true, 0);
        try (OpenPoseBinaryPipeline p = builder().build()) {
            PipelineReport report = p.run(PipelineRequest.checkpointed(1, video.toString(), FrameRange.of(0, 25),
                    checkpointing, () -> false));
            assertEquals(25, report.doneUntil(), "every frame was handed to the sink");
            assertEquals(20, checkpointing.durableUntil(), "only the prefix flushed at the last checkpoint counts");
            assertTrue(report.failure().orElseThrow().getMessage().contains("disk full"), report.toString());
        }
    }

    @Test
    void aCrashMidwayKeepsTheFramesBeforeAndExplainsItself() {
        List<FrameResult> results = new ArrayList<>();
        try (OpenPoseBinaryPipeline p = builder("--fake_crash_at", "7").build()) {
            PipelineReport report = p.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, 20), results::add));
            assertFalse(report.isComplete());
            assertEquals(7, report.doneUntil());
            JugglerException e = report.failure().orElseThrow();
            assertTrue(e.getMessage().contains("killed by signal 6"), e.getMessage());
            assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
            assertTrue(e.isTransient(), "GPU out of memory may succeed elsewhere");
        }
        assertEquals(7, results.size());
    }

    @Test
    void aCleanExitWithMissingFramesAndABadVideoArePermanentErrors() {
        try (OpenPoseBinaryPipeline p = builder("--fake_exit_early", "4").build()) {
            PipelineReport report = p.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, 10), r -> { }));
            assertEquals(4, report.doneUntil());
            JugglerException e = report.failure().orElseThrow();
            assertTrue(e.getMessage().contains("exited normally but wrote frames only up to 3"), e.getMessage());
            assertFalse(e.isTransient());
        }
        try (OpenPoseBinaryPipeline p = builder("--fake_fail_open").build()) {
            PipelineReport report = p.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, 10), r -> { }));
            assertEquals(0, report.doneUntil());
            String message = report.failure().orElseThrow().getMessage();
            assertTrue(message.contains("exited with status 255") && message.contains("could not be opened"), message);
        }
    }

    @Test
    void anImageFolderRunsWithLinksInFrameOrderAndStopsAtADamagedImage() throws Exception {
        dev.juggler.inference.testing.ImageFixtures.requireFfmpeg();
        // Unpadded numbers: OpenPose's own --image_dir order would put img10 before img2.
        Path folder = tmp.resolve("seq.01 $(touch x) \"q\"");
        dev.juggler.inference.testing.ImageFixtures.synthetic(folder, "img%d.png", 15, 32, 24, 1);
        Files.writeString(folder.resolve("img12.png"), "damaged"); // frame 11
        Path log = tmp.resolve("args.log");
        List<FrameResult> results = new ArrayList<>();
        try (OpenPoseBinaryPipeline p = builder("--fake_args_log", log.toString()).build()) {
            PipelineReport report = p.run(PipelineRequest.simple(4, folder.toString(), FrameRange.of(3, 14), results::add));
            assertEquals(11, report.doneUntil());
            dev.juggler.video.DamagedFrameException e = (dev.juggler.video.DamagedFrameException) report.failure().orElseThrow();
            assertEquals(11, e.frameIndex());
            assertTrue(e.getMessage().contains("image \"img12.png\": not a JPEG, PNG, BMP or WebP image"), e.getMessage());

            PipelineReport tail = p.run(PipelineRequest.simple(4, folder.toString(), FrameRange.of(12, 20), results::add));
            assertEquals(15, tail.doneUntil());
            assertEquals(dev.juggler.video.VideoException.Kind.TRUNCATED,
                    ((dev.juggler.video.VideoException) tail.failure().orElseThrow()).kind());
        }
        // Frames 3..10, then 12..14; each frame's file came from its own link, in frame order.
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 12L, 13L, 14L), results.stream().map(FrameResult::frame).toList());
        assertEquals(0, noseX(results.get(0)));
        assertEquals(7, noseX(results.get(7)));
        assertEquals(0, noseX(results.get(8)));
        List<String> args = Files.readAllLines(log);
        assertEquals("--image_dir", args.get(0));
        assertTrue(args.get(1).endsWith("/.images"), args.get(1));
        assertFalse(args.contains("--video") || args.contains("--frame_first"), args.toString());
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(0, left.count(), "the private folders are removed");
        }
    }

    @Test
    void aStagedImageFolderRunsLikeTheFolderWithItsImagesWrittenOut() throws Exception {
        dev.juggler.inference.testing.ImageFixtures.requireFfmpeg();
        Path folder = tmp.resolve("seq.02 $(touch x) \"q\"");
        dev.juggler.inference.testing.ImageFixtures.synthetic(folder, "img%d.png", 15, 32, 24, 1);
        Files.writeString(folder.resolve("img12.png"), "damaged"); // frame 11
        dev.juggler.video.Video video = new dev.juggler.video.Video("seq 2", folder.toString(), 15, 25,
                dev.juggler.inference.video.ImageFolders.sizeBytes(folder), java.util.Map.of());
        String staged;
        try (dev.juggler.stage.VideoStager stager = dev.juggler.stage.LocalVideoStager.builder(tmp.resolve("workspace"))
                .budgetBytes(10_000_000).build()) {
            staged = stager.stage(video, null).location();
        }
        Path log = tmp.resolve("staged-args.log");
        List<FrameResult> results = new ArrayList<>();
        try (OpenPoseBinaryPipeline p = builder("--fake_args_log", log.toString()).build()) {
            PipelineReport report = p.run(PipelineRequest.simple(4, staged, FrameRange.of(3, 14), results::add));
            assertEquals(11, report.doneUntil());
            dev.juggler.video.DamagedFrameException e = (dev.juggler.video.DamagedFrameException) report.failure().orElseThrow();
            assertEquals(11, e.frameIndex());
            assertTrue(e.getMessage().contains("image \"img12.png\": not a JPEG, PNG, BMP or WebP image"), e.getMessage());
        }
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), results.stream().map(FrameResult::frame).toList());
        assertEquals(0, noseX(results.get(0)));
        assertEquals(7, noseX(results.get(7)));
        assertEquals("--image_dir", Files.readAllLines(log).get(0));
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(0, left.count(), "the private folders are removed");
        }
    }

    @Test
    void aMissingExecutableIsAClearError() {
        try (OpenPoseBinaryPipeline p = OpenPoseBinaryPipeline.builder(tmp.resolve("no-openpose")).tempDirectory(temp).build()) {
            PipelineReport report = p.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, 10), r -> { }));
            String message = report.failure().orElseThrow().getMessage();
            assertTrue(message.contains("cannot start OpenPose") && message.contains("no-openpose"), message);
        }
    }

    @Test
    void aCheckpointThatSaysStopEndsTheProcess() {
        List<FrameResult> results = new ArrayList<>();
        try (OpenPoseBinaryPipeline p = builder("--fake_delay", "0.01").build()) {
            long start = System.nanoTime();
            PipelineReport report = p.run(PipelineRequest.checkpointed(1, video.toString(), FrameRange.of(0, 10_000),
                    every(5, results::add, next -> next < 10, 0), () -> false));
            assertTrue(report.stopped(), report.toString());
            assertEquals(10, report.doneUntil());
            assertTrue(System.nanoTime() - start < 20_000_000_000L, "stopped promptly");
        }
        assertEquals(10, results.size());
    }
}
