package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.pipeline.PixelFormat;
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
                assertEquals(3 * W * H, f.pixels().length);
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
                assertTrue(java.util.Arrays.equals(fa.get(i).pixels(), fb.get(i).pixels()), "pixels of frame " + (40 + i));
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

    @ParameterizedTest(name = "{0}")
    @CsvSource({"MPEG4_YUV420P, walk-420.mkv", "FFV1_YUV444P, walk-444.mkv", "MJPEG_YUVJ422P, walk-j422.mkv",
        "RAWVIDEO_BGR24, walk-bgr.avi"})
    void i420FramesShowTheSamePicturesAsBgrFramesWhateverTheDecodersPixelFormat(SyntheticVideo.Encoding encoding,
            String name) {
        // Even (SyntheticVideo needs that) but not a multiple of 16, so decoders pad their rows and the repacking is exercised.
        int w = 328;
        int h = 246;
        Path file = SyntheticVideo.builder().encoding(encoding).size(w, h).frames(30).keyframeInterval(10)
                .write(dir.resolve(name));
        FrameSourceFactory i420 = FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build();
        FrameSourceFactory bgr = FfmpegFrameSources.builder().pixelFormat(PixelFormat.BGR24).build();
        try (FrameSource a = i420.open(file.toString(), 7, 30); FrameSource b = bgr.open(file.toString(), 7, 30)) {
            for (long index = 7; index < 30; index++) {
                Frame yuv = a.next();
                Frame rgb = b.next();
                assertEquals(index, yuv.index());
                assertEquals(PixelFormat.I420, yuv.format());
                assertEquals(PixelFormat.BGR24, rgb.format());
                assertEquals(PixelFormat.I420.frameBytes(w, h), yuv.pixels().length);
                assertEquals(index, SyntheticVideo.readFrameIndex(yuv), "barcode read from the I420 frame");
                // The same picture through our conversion and FFmpeg's: close everywhere (rounding,
                // chroma interpolation), so a misplaced plane or row would show at once.
                long diff = 0;
                long colourDiff = 0;
                long colourSamples = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int p = yuv.rgb(x, y);
                        int q = rgb.rgb(x, y);
                        int d = channelDifference(p, q);
                        diff += d;
                        if (saturation(q) > 100) { // the colour markers: where swapped or shifted chroma shows
                            colourDiff += d;
                            colourSamples += 3;
                        }
                    }
                }
                double mean = diff / (3.0 * w * h);
                double colourMean = colourDiff / (double) Math.max(1, colourSamples);
                assertTrue(mean < 3, encoding + " frame " + index + ": mean channel difference " + mean);
                assertTrue(colourSamples > 0 && colourMean < 25, encoding + " frame " + index
                        + ": mean channel difference on coloured pixels " + colourMean);
                a.recycle(yuv);
                b.recycle(rgb);
            }
            assertNull(a.next());
        }
    }

    @Test
    void aBottomUpUncompressedAviReadsTheRightWayUpInBothFormats() throws java.io.IOException {
        // Capture tools store uncompressed DIBs bottom-up (a positive height in the header); FFmpeg then hands
        // out pictures with negative line sizes. Made here from FFmpeg's top-down file: rows reversed in every
        // frame and the height's sign flipped, so the picture is the same, only stored the other way.
        int w = 320;
        int h = 240;
        Path topDown = SyntheticVideo.builder().encoding(SyntheticVideo.Encoding.RAWVIDEO_BGR24).size(w, h).frames(12)
                .write(dir.resolve("raw.avi"));
        byte[] bytes = java.nio.file.Files.readAllBytes(topDown);
        List<Integer> chunks = dev.juggler.inference.testing.AviChunks.videoChunks(bytes);
        assertEquals(12, chunks.size());
        for (int chunk : chunks) {
            int data = chunk + 8;
            int row = 3 * w;
            assertEquals(row * h, dev.juggler.inference.testing.AviChunks.size(bytes, chunk));
            byte[] picture = java.util.Arrays.copyOfRange(bytes, data, data + row * h);
            for (int y = 0; y < h; y++) {
                System.arraycopy(picture, y * row, bytes, data + (h - 1 - y) * row, row);
            }
        }
        int strf = indexOf(bytes, "strf".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int heightAt = strf + 8 + 8; // chunk id and size, then biSize and biWidth
        assertEquals(-h, header.getInt(heightAt), "FFmpeg writes raw BGR top-down");
        header.putInt(heightAt, h);
        Path bottomUp = java.nio.file.Files.write(dir.resolve("raw bottom-up.avi"), bytes);
        for (PixelFormat format : PixelFormat.values()) {
            try (FrameSource src = FfmpegFrameSources.builder().pixelFormat(format).build().open(bottomUp.toString(), 0, 12)) {
                List<Frame> frames = readAll(src);
                assertEquals(12, frames.size(), format.toString());
                for (Frame f : frames) {
                    assertEquals(format, f.format());
                    // Upside down, the barcode strip would be at the bottom and not read as the index.
                    assertEquals(f.index(), SyntheticVideo.readFrameIndex(f), format + " frame " + f.index());
                }
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void i420FramesRecycleTheirArraysAndSurviveASeek() {
        FrameSourceFactory i420 = FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).decoderThreads(2).build();
        try (FrameSource src = i420.open(video.toString(), 50, 60)) {
            Frame first = src.next();
            byte[] array = first.pixels();
            src.recycle(first);
            Frame second = src.next();
            assertTrue(array == second.pixels(), "the recycled array is reused");
            assertEquals(51, SyntheticVideo.readFrameIndex(second));
        }
        assertTrue(i420.toString().contains("I420"), i420.toString());
    }

    private static int channelDifference(int p, int q) {
        int d = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            d += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
        }
        return d;
    }

    private static int saturation(int rgb) {
        int r = rgb >> 16;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b));
    }
}
