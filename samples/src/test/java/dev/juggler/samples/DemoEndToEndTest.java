package dev.juggler.samples;

import static dev.juggler.samples.TestServers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.BodyModel;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.TestServers.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end, for real: generated videos and broken files in a folder, an H2 ledger file, the
 * local backend starting worker JVMs that claim chunks over H2's auto-server, JSON files on disk. Then a
 * second run over the same work directory, which must do nothing again.
 */
class DemoEndToEndTest {

    @TempDir
    Path temp;



    private CliRun demo(Path videos, Path work) {
        return cli("demo", "--videos", videos.toString(), "--work-dir", work.toString(), "--workers", "2",
                "--chunk", "40", "--frames-per-worker", "120", "--no-progress", "--timeout", "PT5M",
                "--analysis", "marker-pose");
    }

    @Test
    void analysesEveryFrameOfEveryGoodVideoOnceAndReportsTheBrokenOnes() throws IOException {
        Path videos = Files.createDirectories(temp.resolve("my videos"));
        SyntheticVideo.write(videos.resolve("walk one.mp4"), 320, 240, 150, 25);
        SyntheticVideo.write(videos.resolve("walk-two.mp4"), 320, 240, 110, 25);
        String hostile = "it's $(touch PWNED) `touch PWNED`; -rf\nü";
        Files.copy(videos.resolve("walk-two.mp4"), videos.resolve(hostile + ".mp4"));
        Files.createFile(videos.resolve("empty.mp4"));
        Files.writeString(videos.resolve("notes.mp4"), "not a video", StandardCharsets.UTF_8);
        Path whole = temp.resolve("whole.mp4");
        SyntheticVideo.builder().size(320, 240).frames(120).fps(25).fastStart(true).write(whole);
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(videos.resolve("cut.mp4"), Arrays.copyOf(bytes, bytes.length / 2));
        Path work = temp.resolve("work");

        CliRun first = demo(videos, work);
        assertEquals(0, first.code(), first.out());
        assertTrue(first.out().contains("empty.mp4: video empty"), first.out());
        assertTrue(first.out().contains("notes.mp4: video not a video"), first.out());
        assertTrue(first.out().contains("Failed ranges"), first.out());

        Path json = work.resolve("openpose-json");
        assertFrameFiles(json.resolve("walk one.marker-pose"), "walk one", 150);
        assertFrameFiles(json.resolve("walk-two.marker-pose"), "walk-two", 110);
        assertFrameFiles(json.resolve(hostile + ".marker-pose"), hostile, 110);
        try (Stream<Path> all = Files.walk(temp)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().equals("PWNED")), "a file name was executed");
        }
        PoseFrame pose = OpenPoseJson.read(json.resolve("walk one.marker-pose").resolve("walk one_000000000077_keypoints.json"));
        double[] nose = SyntheticVideo.groundTruth(77, 320, 240).get(BodyModel.NOSE);
        assertEquals(nose[0], pose.people().get(0).x(BodyModel.NOSE), 2.0, "nose x of frame 77");
        assertEquals(nose[1], pose.people().get(0).y(BodyModel.NOSE), 2.0, "nose y of frame 77");

        long cutFrames;
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(work.resolve("ledger").resolve("juggler"))).build()) {
            List<TrackView> tracks = ledger.reader().tracks(TrackQuery.firstPage(10));
            assertEquals(4, tracks.size(), tracks.toString());
            for (TrackView track : tracks) {
                if (track.videoId().equals("cut.mp4")) {
                    assertEquals(ChunkState.FAILED, track.state(), track.toString());
                    assertEquals(track.range().length(), track.framesDone() + track.framesFailed(), track.toString());
                } else {
                    assertEquals(ChunkState.DONE, track.state(), track.toString());
                    assertEquals(track.range().length(), track.framesDone(), track.toString());
                }
            }
            // Workers may meet the cut in several chunks; every failure is the cut video's, with its reason.
            List<ChunkView> failed = ledger.reader().chunks(ChunkQuery.inState(ChunkState.FAILED, 10));
            assertTrue(!failed.isEmpty(), "the cut video has failed frames");
            for (ChunkView chunk : failed) {
                assertEquals("cut.mp4", chunk.videoId(), failed.toString());
                assertTrue(chunk.failureReason().orElseThrow().contains("video truncated"), failed.toString());
            }
            TrackView cut = tracks.stream().filter(t -> t.videoId().equals("cut.mp4")).findFirst().orElseThrow();
            cutFrames = cut.framesDone();
            long firstFailed = failed.stream().mapToLong(c -> c.range().from()).min().orElseThrow();
            assertEquals(cut.range().from() + cutFrames, firstFailed, "every frame before the cut is done");
        }
        assertFrameFiles(json.resolve("cut.marker-pose"), "cut", cutFrames);
        long workerLogs = countFiles(work.resolve("logs"));
        assertTrue(workerLogs >= 1);

        CliRun second = demo(videos, work);
        assertEquals(0, second.code(), second.out());
        assertTrue(second.out().contains("Frames done this run: 0"), second.out());
        assertEquals(workerLogs, countFiles(work.resolve("logs")), "the second run started no worker");
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(work.resolve("ledger").resolve("juggler"))).build()) {
            Progress progress = ledger.reader().progress();
            assertEquals(1, progress.tracksFailed());
            assertEquals(3, progress.tracksDone());
            assertEquals(150 + 110 + 110 + cutFrames, progress.frames().doneFrames());
        }
    }

    @Test
    void theOpenposeBinaryAnalysisRunsTheExecutableInEachWorkerAndKeepsItsJson() throws IOException {
        // A stand-in with OpenPose's command line and files (the nose x of each frame is its index).
        Path openpose = temp.resolve("open pose").resolve("openpose.bin");
        Files.createDirectories(openpose.getParent());
        try (var in = dev.juggler.inference.openpose.OpenPoseJson.class
                .getResourceAsStream("/dev/juggler/inference/openpose/fake-openpose.sh")) {
            Files.copy(java.util.Objects.requireNonNull(in, "stand-in script on the test class path"), openpose);
        }
        assertTrue(openpose.toFile().setExecutable(true));
        Path videos = Files.createDirectories(temp.resolve("videos"));
        SyntheticVideo.write(videos.resolve("session $(id) 1.mp4"), 320, 240, 90, 25);
        Path work = temp.resolve("work");
        Path argsLog = temp.resolve("open pose").resolve("its arguments.txt");

        CliRun demo = cli("demo", "--videos", videos.toString(), "--work-dir", work.toString(), "--workers", "2",
                "--chunk", "40", "--frames-per-worker", "60", "--no-progress", "--timeout", "PT5M",
                "--analysis", Analyses.OPENPOSE_BINARY, "--openpose-bin", openpose.toString(),
                "--openpose-arg=--model_pose", "--openpose-arg=BODY_25", "--num-gpu", "1", "--num-gpu-start", "0",
                "--openpose-arg=--fake_args_log", "--openpose-arg=" + argsLog);
        assertEquals(0, demo.code(), demo.out());
        assertTrue(demo.out().contains("Analysis: openpose-binary (" + openpose + ")"), demo.out());

        // Every OpenPose run got the settings given to the demo, through the worker JVMs.
        String[] runs = Files.readString(argsLog).split("\n\n");
        // A worker's first claim is 40 frames; later claims follow its rate, so one may take the other 50.
        assertTrue(runs.length >= 2, "90 frames, first claims of 40, take more than one run: " + runs.length);
        for (String run : runs) {
            List<String> args = List.of(run.split("\n"));
            assertEquals("1", args.get(args.indexOf("--num_gpu") + 1), run);
            assertEquals("0", args.get(args.indexOf("--num_gpu_start") + 1), run);
            assertEquals("BODY_25", args.get(args.indexOf("--model_pose") + 1), run);
            assertTrue(args.get(args.indexOf("--video") + 1).startsWith(work.resolve("workspace") + "/"), "the staged copy: " + run);
        }

        Path json = work.resolve("openpose-json").resolve("session $(id) 1.openpose-binary");
        assertFrameFiles(json, "session $(id) 1", 90);
        for (int frame : new int[] {0, 39, 40, 89}) {
            PoseFrame pose = OpenPoseJson.read(json.resolve(String.format("session $(id) 1_%012d_keypoints.json", frame)));
            assertEquals(frame, pose.people().get(0).x(BodyModel.NOSE), "frame " + frame + " came from OpenPose's own file");
        }
    }

    @Test
    void theOpenposeBinaryAnalysisWithoutAnExecutableFailsBeforeAnyWork() throws IOException {
        Path work = temp.resolve("work");
        CliRun missing = cli("demo", "--work-dir", work.toString(), "--no-progress", "--analysis",
                Analyses.OPENPOSE_BINARY, "--openpose-bin", temp.resolve("missing openpose").toString());
        assertEquals(JugglerCli.FAILED, missing.code(), missing.out());
        assertTrue(missing.out().contains("not an executable file"), missing.out());
        assertFalse(Files.exists(work), "nothing was created, let alone registered");

        // Settings OpenPose itself would misread are refused as early.
        Path openpose = Files.createFile(temp.resolve("openpose.bin"));
        assertTrue(openpose.toFile().setExecutable(true));
        CliRun reserved = cli("demo", "--work-dir", work.toString(), "--no-progress", "--analysis",
                Analyses.OPENPOSE_BINARY, "--openpose-bin", openpose.toString(), "--openpose-arg=--write_json");
        assertEquals(JugglerCli.FAILED, reserved.code(), reserved.out());
        assertTrue(reserved.out().contains("reserved"), reserved.out());
        CliRun noGpu = cli("demo", "--work-dir", work.toString(), "--no-progress", "--analysis",
                Analyses.OPENPOSE_BINARY, "--openpose-bin", openpose.toString(), "--num-gpu", "0");
        assertEquals(JugglerCli.FAILED, noGpu.code(), noGpu.out());
        assertTrue(noGpu.out().contains("numGpu"), noGpu.out());
        assertFalse(Files.exists(work), "still nothing registered");
    }

    @Test
    void stoppingTheDemoEndsItsWorkersAndTheNextRunFinishesTheWork() throws Exception {
        Path videos = Files.createDirectories(temp.resolve("long videos"));
        for (int v = 0; v < 3; v++) {
            SyntheticVideo.write(videos.resolve("long " + v + ".mp4"), 320, 240, 2000, 25);
        }
        Path work = temp.resolve("work");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), JugglerCli.class.getName(),
                "demo", "--videos", videos.toString(), "--work-dir", work.toString(), "--workers", "2", "--chunk", "100",
                "--frames-per-worker", "3000", "--no-progress", "--timeout", "PT5M", "--analysis", "marker-pose")
                .redirectErrorStream(true).redirectOutput(temp.resolve("demo.out").toFile()).start();
        List<ProcessHandle> workers = List.of();
        try {
            // Wait until both workers have been at work for a moment, then stop the demo as Ctrl-C would.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long busySince = 0;
            while (System.nanoTime() < deadline && demo.isAlive()) {
                workers = demo.descendants().filter(ProcessHandle::isAlive).toList();
                if (workers.size() >= 2 && busySince == 0) {
                    busySince = System.nanoTime();
                }
                if (busySince != 0 && System.nanoTime() - busySince > TimeUnit.SECONDS.toNanos(3)) {
                    break;
                }
                Thread.sleep(50);
            }
            assertTrue(demo.isAlive() && workers.size() >= 2, "the demo ran its workers: "
                    + Files.readString(temp.resolve("demo.out")));
            demo.destroy(); // SIGTERM
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo stops");
        } finally {
            demo.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
        }
        String output = Files.readString(temp.resolve("demo.out"));
        assertTrue(output.contains("Stopping: ending the workers"), output);
        for (ProcessHandle worker : workers) {
            assertFalse(worker.isAlive(), "worker " + worker.pid() + " outlived the demo");
        }
        long doneBefore;
        try (WorkLedger ledger = JdbcLedger.builder().url(JdbcLedger.h2FileUrl(work.resolve("ledger").resolve("juggler"))).build()) {
            doneBefore = ledger.reader().progress().frames().doneFrames();
            assertTrue(doneBefore < 6000, "stopped before the end: " + doneBefore + " frames done");
        }

        // The next run finishes everything: what the stopped workers held comes back when their leases expire.
        CliRun again = demo(videos, work);
        assertEquals(0, again.code(), again.out());
        assertTrue(again.out().contains("all runs: 6000 of 6000"), again.out());
        assertTrue(again.out().contains("Frames done this run: " + (6000 - doneBefore) + " in"), again.out());
    }

    private static void assertFrameFiles(Path dir, String base, long frames) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(frames, names.size(), dir.toString());
            for (int i = 0; i < frames; i++) {
                assertEquals(String.format("%s_%012d_keypoints.json", base, i), names.get(i));
            }
        }
        String first = Files.readString(dir.resolve(String.format("%s_%012d_keypoints.json", base, 0)));
        assertTrue(first.startsWith("{\"version\":1.3,\"people\":["), first);
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
