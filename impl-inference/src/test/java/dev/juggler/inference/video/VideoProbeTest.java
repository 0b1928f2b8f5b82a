package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoProbeTest {
    @TempDir
    static Path dir;
    static Path mp4;

    @BeforeAll
    static void writeVideo() {
        mp4 = SyntheticVideo.builder().size(320, 240).frames(97).fps(30).write(dir.resolve("probe.mp4"));
    }

    @Test
    void probesFrameCountFpsAndSize() throws IOException {
        Video v = VideoProbe.probe("v1", mp4, Map.of("camera", "A"));
        assertEquals("v1", v.id());
        assertEquals(mp4.toString(), v.location());
        assertEquals(97, v.frameCount());
        assertEquals(30.0, v.fps(), 1e-9);
        assertEquals(Files.size(mp4), v.sizeBytes());
        assertEquals(Map.of("camera", "A"), v.tags());
    }

    @Test
    void countingByDecodingAgreesWithTheContainer() {
        Video v = VideoProbe.probe("v1", mp4, null, true);
        assertEquals(97, v.frameCount());
    }

    @Test
    void otherContainersAndRates() {
        Path avi = SyntheticVideo.builder().size(160, 120).frames(31).fps(12.5).write(dir.resolve("small.avi"));
        Video v = VideoProbe.probe("avi", avi, null);
        assertEquals(31, v.frameCount());
        assertEquals(12.5, v.fps(), 1e-9);
        assertEquals(31, VideoProbe.probe("avi", avi, null, true).frameCount());
        Path mkv = SyntheticVideo.builder().size(160, 120).frames(23).fps(25).write(dir.resolve("small.mkv"));
        // Matroska keeps no frame count: the probe must count (by duration or decoding), exactly.
        assertEquals(23, VideoProbe.probe("mkv", mkv, null).frameCount());
        assertEquals(23, VideoProbe.probe("mkv", mkv, null, true).frameCount());
    }

    @Test
    void brokenFiles() throws IOException {
        assertEquals(Kind.UNREADABLE, probeFails(dir.resolve("missing.mp4")).kind());
        assertEquals(Kind.EMPTY, probeFails(Files.createFile(dir.resolve("empty.mp4"))).kind());
        assertEquals(Kind.NOT_A_VIDEO, probeFails(Files.writeString(dir.resolve("text.mp4"), "hello, world\n".repeat(100))).kind());
        byte[] all = Files.readAllBytes(mp4);
        Path cut = Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(all, all.length / 2));
        assertEquals(Kind.TRUNCATED, probeFails(cut).kind());
    }

    @Test
    void verifyingCatchesACutFileWhoseIndexSurvived() throws IOException {
        Path fs = SyntheticVideo.builder().frames(60).fastStart(true).write(dir.resolve("fs.mp4"));
        byte[] all = Files.readAllBytes(fs);
        Path cut = Files.write(dir.resolve("fs-cut.mp4"), Arrays.copyOf(all, all.length / 2));
        assertEquals(60, VideoProbe.probe("c", cut, null).frameCount(), "the container still declares 60");
        VideoException e = assertThrows(VideoException.class, () -> VideoProbe.probe("c", cut, null, true));
        assertEquals(Kind.TRUNCATED, e.kind());
        long first = e.frame().orElseThrow();
        assertTrue(first > 5 && first < 60, e.getMessage());
        // The cheap inspection (one seek, no full decode) sees it too, at about the same frame, and keeps the
        // declared count so that the readable frames are still analysed.
        VideoProbe.Inspection cutShort = VideoProbe.inspect("c", cut, null);
        assertTrue(cutShort.isCutShort(), cutShort.describe());
        assertEquals(60, cutShort.video().frameCount());
        assertTrue(Math.abs(cutShort.readableFrames().getAsLong() - first) <= 2, cutShort.describe() + " vs " + e.getMessage());
        VideoProbe.Inspection whole = VideoProbe.inspect("whole", fs, null);
        assertFalse(whole.isCutShort(), whole.describe());
        assertEquals(60, whole.video().frameCount());
    }

    private static VideoException probeFails(Path file) {
        VideoException e = assertThrows(VideoException.class, () -> VideoProbe.probe("x", file, null));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        return e;
    }
}
