package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real footage from Debian's opencv-doc package, when installed. */
class RealFootageTest {
    static final Path DATA = Path.of("/usr/share/doc/opencv-doc/examples/data");
    static final Path VTEST = DATA.resolve("vtest.avi");
    static final Path MEGAMIND = DATA.resolve("Megamind.avi");
    static final Path MEGAMIND_BUGY = DATA.resolve("Megamind_bugy.avi");

    final FrameSourceFactory sources = FfmpegFrameSources.create();

    static void assumeFile(Path file) {
        assumeTrue(Files.isReadable(file), "needs " + file + " (apt-get install opencv-doc)");
    }

    @Test
    void probesAndDecodesARangeOfVtestAvi() {
        assumeFile(VTEST);
        Video v = VideoProbe.probe("vtest", VTEST, null);
        assertTrue(v.frameCount() > 100, "frames: " + v.frameCount());
        assertTrue(v.fps() > 0);
        assertEquals(v.frameCount(), VideoProbe.probe("vtest", VTEST, null, true).frameCount(), "container count is exact");
        try (FrameSource src = sources.open(VTEST.toString(), 0, 1)) {
            Frame f = src.next();
            assertEquals(768, f.width());
            assertEquals(576, f.height());
        }
        assertSeeksMatchSequentialDecoding(VTEST, v.frameCount(), v.frameCount() / 2, v.frameCount() - 3);
    }

    // XviD with B-frames in AVI: the first picture carries the timestamp of the second packet.
    @Test
    void decodesEveryFrameOfAnAviWithBFramesAndSeeksExactly() {
        assumeFile(MEGAMIND);
        Video v = VideoProbe.probe("m", MEGAMIND, null, true);
        assertEquals(270, v.frameCount());
        List<byte[]> all = decode(MEGAMIND, 0, v.frameCount());
        assertEquals(270, all.size());
        for (long from : new long[] {1, 2, 13, 100, 267, 269}) {
            try (FrameSource src = sources.open(MEGAMIND.toString(), from, Math.min(270, from + 2))) {
                for (long i = from; i < Math.min(270, from + 2); i++) {
                    Frame f = src.next();
                    assertEquals(i, f.index());
                    assertArrayEquals(all.get((int) i), f.pixels(), "frame " + i + " after a seek to " + from);
                }
                assertNull(src.next());
            }
        }
    }

    // What FFmpeg makes of this damaged copy is its business; ours is that the outcome is either every
    // declared frame with consecutive indices or a typed error after consecutive frames.
    @Test
    void theDamagedMegamindCopyGivesConsecutiveFramesOrATypedError() {
        assumeFile(MEGAMIND_BUGY);
        String outcome;
        try {
            Video v = VideoProbe.probe("mb", MEGAMIND_BUGY, null);
            long delivered = 0;
            try (FrameSource src = sources.open(MEGAMIND_BUGY.toString(), 0, v.frameCount())) {
                for (Frame f; (f = src.next()) != null; ) {
                    assertEquals(delivered, f.index());
                    delivered++;
                }
                assertEquals(v.frameCount(), delivered);
                outcome = "decoded all " + delivered + " declared frames";
            } catch (VideoException e) {
                assertEquals(delivered, e.frame().orElseThrow(), e.getMessage());
                outcome = "delivered " + delivered + " of " + v.frameCount() + ", then " + e.getMessage();
            }
        } catch (VideoException e) {
            outcome = "probe: " + e.getMessage();
        }
        System.out.println("Megamind_bugy.avi: " + outcome);
    }

    private void assertSeeksMatchSequentialDecoding(Path file, long frameCount, long... froms) {
        long last = 0;
        for (long f : froms) {
            last = Math.max(last, f);
        }
        List<byte[]> seq = decode(file, 0, Math.min(frameCount, last + 1));
        for (long from : froms) {
            try (FrameSource src = sources.open(file.toString(), from, from + 1)) {
                Frame f = src.next();
                assertEquals(from, f.index());
                assertArrayEquals(seq.get((int) from), f.pixels(), "frame " + from + " via seek");
            }
        }
    }

    private List<byte[]> decode(Path file, long from, long to) {
        List<byte[]> out = new ArrayList<>();
        try (FrameSource src = sources.open(file.toString(), from, to)) {
            for (Frame f; (f = src.next()) != null; ) {
                assertEquals(from + out.size(), f.index());
                out.add(f.pixels());
            }
        }
        return out;
    }
}
