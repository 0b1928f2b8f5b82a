package dev.juggler.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.openpose.OpenPoseFiles;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.BodyModel;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code juggler render} run as a process on real footage, as a user runs it, and its output read. */
class RenderCommandTest {

    private static final Path VTEST = Path.of("/usr/share/doc/opencv-doc/examples/data/vtest.avi");

    @TempDir
    Path dir;

    private record Run(int code, String out) {
    }

    private static Run juggler(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), JugglerCli.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        return new Run(p.exitValue(), out);
    }

    private static String ffprobe(Path video) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames",
                "-of", "csv=p=0", video.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out;
    }

    /** OpenPose JSON for frames {@code [0, 8)} of vtest: one person near a walker; frames 8 and 9 have none. */
    private Path results() throws Exception {
        Path json = dir.resolve("results \"$(id)\" <b>");
        if (Files.isDirectory(json)) {
            return json;
        }
        Files.createDirectories(json);
        float[] pose = new float[BodyModel.BODY_25.arrayLength2d()];
        pose[3 * BodyModel.NECK] = 633;
        pose[3 * BodyModel.NECK + 1] = 249;
        pose[3 * BodyModel.NECK + 2] = 0.9f;
        pose[3 * BodyModel.MID_HIP] = 633;
        pose[3 * BodyModel.MID_HIP + 1] = 291;
        pose[3 * BodyModel.MID_HIP + 2] = 0.9f;
        for (long f = 0; f < 8; f++) {
            OpenPoseFiles.writeFrame(json, "vtest", f, OpenPoseJson.toJson(PoseFrame.of(Person.of(pose))));
        }
        return json;
    }

    @Test
    void rendersAnH264VideoAndPngFilesAndSaysWhatItDid() throws Exception {
        dev.juggler.inference.testing.Requirements.footage(VTEST);
        Path json = results();
        Path mp4 = dir.resolve("out 'here'/pose.mp4");
        Run video = juggler("render", "--video", VTEST.toString(), "--json", json.toString(), "--to", "10", "--out", mp4.toString());
        assertEquals(JugglerCli.OK, video.code(), video.out());
        assertTrue(video.out().contains("Rendered 10 frame(s)") && video.out().contains("8 with a result, 2 without"), video.out());
        assertEquals("h264,10", ffprobe(mp4));

        Path pngs = dir.resolve("pngs");
        Run images = juggler("render", "--video", VTEST.toString(), "--json", json.toString(), "--from", "5", "--to", "8",
                "--out", pngs.toString());
        assertEquals(JugglerCli.OK, images.code(), images.out());
        try (var files = Files.list(pngs)) {
            assertEquals(List.of("vtest_000000000005_rendered.png", "vtest_000000000006_rendered.png",
                    "vtest_000000000007_rendered.png"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        java.awt.image.BufferedImage frame = javax.imageio.ImageIO.read(pngs.resolve("vtest_000000000005_rendered.png").toFile());
        assertEquals(0xFF0000, frame.getRGB(633, 270) & 0xFFFFFF, "the Neck-MidHip limb in OpenPose's red");
    }

    @Test
    void rendersATrackFromTheLedger() throws Exception {
        dev.juggler.inference.testing.Requirements.footage(VTEST);
        Path db = dir.resolve("ledger").resolve("juggler");
        long track;
        try (dev.juggler.ledger.WorkLedger ledger = dev.juggler.jdbc.JdbcLedger.builder()
                .url(dev.juggler.jdbc.JdbcLedger.h2FileUrl(db)).build()) {
            ledger.registerVideo(new dev.juggler.video.Video("street", VTEST.toString(), 795, 10, Files.size(VTEST), java.util.Map.of()));
            track = ledger.addTrack(new dev.juggler.ledger.TrackSpec("street", "blazepose-body25",
                    dev.juggler.video.FrameRange.of(0, 795), 0));
            List<dev.juggler.ledger.FrameResult> stored = new ArrayList<>();
            for (long f = 0; f < 8; f++) {
                stored.add(new dev.juggler.ledger.FrameResult(track, f,
                        Files.readString(results().resolve(OpenPoseFiles.fileName("vtest", f)))));
            }
            ledger.storeResults(stored);
        }
        Path mp4 = dir.resolve("track.mp4");
        Run run = juggler("render", "--track", Long.toString(track), "--ledger", db.toString(), "--to", "12", "--out", mp4.toString());
        assertEquals(JugglerCli.OK, run.code(), run.out());
        assertTrue(run.out().contains("8 stored result(s) in the rendered frames") && run.out().contains("8 with a result, 4 without"), run.out());
        assertEquals("h264,12", ffprobe(mp4));
        Run none = juggler("render", "--track", "999", "--ledger", db.toString(), "--out", mp4.toString());
        assertEquals(JugglerCli.FAILED, none.code(), none.out());
        assertTrue(none.out().contains("no track 999"), none.out());
    }

    @Test
    void badInputGetsAClearErrorAndNoStackTrace() throws Exception {
        dev.juggler.inference.testing.Requirements.footage(VTEST);
        Run noFolder = juggler("render", "--video", VTEST.toString(), "--json", dir.resolve("nowhere").toString(), "--out",
                dir.resolve("x.mp4").toString());
        assertEquals(JugglerCli.FAILED, noFolder.code(), noFolder.out());
        assertTrue(noFolder.out().contains("juggler render: --json") && !noFolder.out().contains("Exception"), noFolder.out());
        Run badRange = juggler("render", "--video", VTEST.toString(), "--json", dir.toString(), "--from", "9", "--to", "3",
                "--out", dir.resolve("y").toString());
        assertEquals(2, badRange.code(), badRange.out());
        assertTrue(badRange.out().contains("--from and --to"), badRange.out());
        Run noVideo = juggler("render", "--video", dir.resolve("missing.avi").toString(), "--json", dir.toString(), "--out",
                dir.resolve("z.mp4").toString());
        assertEquals(JugglerCli.FAILED, noVideo.code(), noVideo.out());
        assertTrue(noVideo.out().contains("missing.avi") && !noVideo.out().contains("\tat "), noVideo.out());
        Run neither = juggler("render", "--out", dir.resolve("w.mp4").toString());
        assertEquals(2, neither.code(), neither.out());
    }
}
