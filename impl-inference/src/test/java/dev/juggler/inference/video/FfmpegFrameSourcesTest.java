package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.video.FrameRange;
import dev.juggler.video.VideoException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FfmpegFrameSourcesTest {
    static final int W = 320;
    static final int H = 240;
    static final int N = 120;
    static final double FPS = 25;

    @TempDir
    static Path dir;
    static Path video;
    final FrameSourceFactory sources = FfmpegFrameSources.create();

    @BeforeAll
    static void writeVideo() {
        video = SyntheticVideo.builder().size(W, H).frames(N).fps(FPS).keyframeInterval(12)
                .write(dir.resolve("walk.mp4"));
    }

    static List<Frame> readAll(FrameSource src) {
        List<Frame> frames = new ArrayList<>();
        for (Frame f; (f = src.next()) != null; ) {
            frames.add(f);
        }
        return frames;
    }

    @ParameterizedTest(name = "[{0}, {1})")
    @CsvSource({"0, 10", "37, 60", "110, 120", "119, 120", "0, 120", "13, 14", "24, 25", "5, 5"})
    void deliversExactlyTheRangeWithMatchingBarcodes(long from, long to) {
        try (FrameSource src = sources.open(video.toString(), from, to)) {
            List<Frame> frames = readAll(src);
            assertEquals(to - from, frames.size(), "frame count");
            for (int i = 0; i < frames.size(); i++) {
                Frame f = frames.get(i);
                assertEquals(from + i, f.index(), "FrameInfo.index");
                assertEquals(f.index(), SyntheticVideo.readFrameIndex(f), "barcode of frame " + f.index());
                assertEquals(W, f.width());
                assertEquals(H, f.height());
                assertEquals(3 * W, f.stride());
                assertEquals(3 * W * H, f.bgr().length);
                assertEquals(f.index() / FPS, f.info().timestampSeconds(), 1e-3, "timestamp");
            }
            assertNull(src.next(), "after the range");
            assertNull(src.next(), "stays at the end");
        }
    }

    @Test
    void rangePastTheEndDeliversTheExistingFramesThenTruncated() {
        try (FrameSource src = sources.open(video.toString(), 115, 130)) {
            for (long i = 115; i < N; i++) {
                Frame f = src.next();
                assertEquals(i, f.index());
                assertEquals(i, SyntheticVideo.readFrameIndex(f));
            }
            VideoException e = assertThrows(VideoException.class, src::next);
            assertEquals(VideoException.Kind.TRUNCATED, e.kind());
            assertEquals(N, e.frame().orElseThrow(), "first frame not delivered");
            assertTrue(e.getMessage().contains("walk.mp4"), e.getMessage());
            assertEquals(e, assertThrows(VideoException.class, src::next), "failure is sticky");
        }
    }

    @Test
    void rangeStartingAfterTheEndIsTruncatedAtOpen() {
        VideoException e = assertThrows(VideoException.class, () -> sources.open(video.toString(), 130, 140));
        assertEquals(VideoException.Kind.TRUNCATED, e.kind());
        assertEquals(130, e.frame().orElseThrow());
    }

    @Test
    void sequentialRangesAcrossKeyframesAreExact() {
        // Seeks into the middle of GOPs, to every offset within one.
        for (long from = 48; from < 61; from++) {
            try (FrameSource src = sources.open(video.toString(), from, from + 2)) {
                Frame a = src.next();
                Frame b = src.next();
                assertEquals(from, SyntheticVideo.readFrameIndex(a), "seek to " + from);
                assertEquals(from + 1, SyntheticVideo.readFrameIndex(b));
                assertNull(src.next());
            }
        }
    }

    @Test
    void singleThreadedDecoderGivesTheSameFrames() {
        FrameSourceFactory oneThread = FfmpegFrameSources.builder().decoderThreads(1).build();
        try (FrameSource a = oneThread.open(video.toString(), FrameRange.of(40, 50));
                FrameSource b = sources.open(video.toString(), FrameRange.of(40, 50))) {
            List<Frame> fa = readAll(a);
            List<Frame> fb = readAll(b);
            assertEquals(10, fa.size());
            for (int i = 0; i < 10; i++) {
                assertEquals(fb.get(i).index(), fa.get(i).index());
                assertTrue(java.util.Arrays.equals(fa.get(i).bgr(), fb.get(i).bgr()), "pixels of frame " + (40 + i));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"avi", "mkv"})
    void otherContainersAreExactToo(String ext) {
        Path other = SyntheticVideo.builder().frames(40).keyframeInterval(10).write(dir.resolve("walk." + ext));
        for (long[] r : new long[][] {{0, 4}, {17, 21}, {38, 40}}) {
            try (FrameSource src = sources.open(other.toString(), r[0], r[1])) {
                List<Frame> frames = readAll(src);
                assertEquals(r[1] - r[0], frames.size(), ext + " [" + r[0] + ", " + r[1] + ")");
                for (int i = 0; i < frames.size(); i++) {
                    assertEquals(r[0] + i, frames.get(i).index());
                    assertEquals(r[0] + i, SyntheticVideo.readFrameIndex(frames.get(i)), ext + " barcode");
                }
            }
        }
        // Past the end: Matroska declares no frame count, so this is found while decoding.
        try (FrameSource src = sources.open(other.toString(), 39, 45)) {
            assertEquals(39, src.next().index());
            VideoException e = assertThrows(VideoException.class, src::next);
            assertEquals(VideoException.Kind.TRUNCATED, e.kind());
            assertEquals(40, e.frame().orElseThrow());
        }
    }

    @Test
    void closeIsIdempotentAndNextAfterCloseFails() {
        FrameSource src = sources.open(video.toString(), 0, 3);
        src.next();
        src.close();
        src.close();
        assertThrows(IllegalStateException.class, src::next);
    }

    @Test
    void fileUriLocationsWork() {
        try (FrameSource src = sources.open(video.toUri().toString(), 3, 4)) {
            assertEquals(3, SyntheticVideo.readFrameIndex(src.next()));
        }
    }

    @Test
    void builderRejectsBadThreadCountNamingTheField() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> FfmpegFrameSources.builder().decoderThreads(-1));
        assertTrue(e.getMessage().startsWith("decoderThreads = -1"), e.getMessage());
    }
}
