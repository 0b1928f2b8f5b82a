package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptVideoTest {
    static final int N = 120;

    @TempDir
    static Path dir;
    static Path good;
    static Path goodFastStart;
    final FrameSourceFactory sources = FfmpegFrameSources.create();

    @BeforeAll
    static void writeVideos() {
        good = SyntheticVideo.builder().frames(N).write(dir.resolve("good.mp4"));
        goodFastStart = SyntheticVideo.builder().frames(N).fastStart(true).write(dir.resolve("good-faststart.mp4"));
    }

    private VideoException openFails(Path file) {
        VideoException e = assertThrows(VideoException.class, () -> sources.open(file.toString(), 0, 10).close());
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "message names the file: " + e.getMessage());
        assertEquals(file.toString(), e.location());
        return e;
    }

    @Test
    void missingFileIsUnreadable() {
        assertEquals(Kind.UNREADABLE, openFails(dir.resolve("nope.mp4")).kind());
    }

    @Test
    void aFolderIsAnImageFolderAndWithoutImagesEmpty() throws IOException {
        assertEquals(Kind.EMPTY, openFails(Files.createDirectories(dir.resolve("a-dir.mp4"))).kind());
    }

    @Test
    void emptyFileIsEmpty() throws IOException {
        assertEquals(Kind.EMPTY, openFails(Files.createFile(dir.resolve("empty.mp4"))).kind());
    }

    @Test
    void textFileNamedMp4IsNotAVideo() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.mp4"), "These are my notes, not a video.\n".repeat(50));
        assertEquals(Kind.NOT_A_VIDEO, openFails(text).kind());
    }

    @Test
    void randomBytesAreNotAVideo() throws IOException {
        byte[] junk = new byte[100_000];
        new Random(7).nextBytes(junk);
        assertEquals(Kind.NOT_A_VIDEO, openFails(Files.write(dir.resolve("junk.mp4"), junk)).kind());
    }

    @Test
    void halfOfAFileWithIndexAtTheEndIsTruncatedAtOpen() throws IOException {
        Path cut = cut(good, "cut.mp4", 0.5);
        VideoException e = openFails(cut);
        assertEquals(Kind.TRUNCATED, e.kind(), e.getMessage());
    }

    @Test
    void halfOfAFileWithIndexAtTheFrontDeliversWhatIsThereThenTruncated() throws IOException {
        Path cut = cut(goodFastStart, "cut-faststart.mp4", 0.5);
        long delivered = 0;
        try (FrameSource src = sources.open(cut.toString(), 0, N)) {
            while (true) {
                Frame f;
                try {
                    f = src.next();
                } catch (VideoException e) {
                    assertEquals(Kind.TRUNCATED, e.kind(), e.getMessage());
                    assertEquals(delivered, e.frame().orElseThrow(), "names the first frame not delivered");
                    assertTrue(e.getMessage().contains("cut-faststart.mp4"), e.getMessage());
                    break;
                }
                if (f == null) {
                    fail("a cut file must not end quietly after " + delivered + " frames");
                }
                assertEquals(delivered, f.index());
                assertEquals(delivered, SyntheticVideo.readFrameIndex(f));
                delivered++;
            }
        }
        assertTrue(delivered > 10 && delivered < N, "delivered " + delivered + " of " + N);
    }

    @Test
    void garbageInTheMiddleIsReportedAndDeliveredFramesAreCorrect() throws IOException {
        Path damaged = dir.resolve("damaged.mp4");
        Files.copy(good, damaged);
        long size = Files.size(damaged);
        byte[] garbage = new byte[(int) (size / 10)];
        new Random(42).nextBytes(garbage);
        try (RandomAccessFile raf = new RandomAccessFile(damaged.toFile(), "rw")) {
            raf.seek(size / 3); // inside 'mdat': the index (moov) is at the end
            raf.write(garbage);
        }
        long delivered = 0;
        VideoException failure = null;
        try (FrameSource src = sources.open(damaged.toString(), 0, N)) {
            for (Frame f; ; ) {
                try {
                    f = src.next();
                } catch (VideoException e) {
                    failure = e;
                    break;
                }
                if (f == null) {
                    break;
                }
                assertEquals(delivered, f.index(), "frames are delivered in order without gaps");
                long barcode = SyntheticVideo.readFrameIndex(f);
                // Pictures the decoder patched up (concealment) must not be delivered as good frames.
                assertEquals(f.index(), barcode, "barcode of delivered frame " + f.index());
                delivered++;
            }
        } catch (VideoException e) {
            failure = e; // acceptable: FFmpeg may refuse the file altogether
        }
        // Whatever FFmpeg does with the garbage, the damage must surface as a typed error.
        assertNotNull(failure, "damage must not go unnoticed; delivered " + delivered);
        assertTrue(failure.kind() == Kind.DAMAGED || failure.kind() == Kind.TRUNCATED, failure.getMessage());
        assertTrue(delivered < N);
        if (failure.frame().isPresent()) {
            assertEquals(delivered, failure.frame().getAsLong());
        }
        System.out.println("garbage in the middle: delivered " + delivered + " frames, then " + failure.getMessage());
    }

    private static Path cut(Path source, String name, double fraction) throws IOException {
        byte[] all = Files.readAllBytes(source);
        return Files.write(dir.resolve(name), Arrays.copyOf(all, (int) (all.length * fraction)));
    }

    @Test
    void anAviChunkWithADestroyedHeaderKeepsEveryFrameOnItsOwnIndex() throws IOException {
        // Read front to back, FFmpeg loses such a chunk and gives every later frame the previous index.
        Path avi = SyntheticVideo.builder().frames(N).keyframeInterval(N).write(dir.resolve("whole.avi"));
        byte[] bytes = Files.readAllBytes(avi);
        java.util.List<Integer> chunks = dev.juggler.inference.testing.AviChunks.videoChunks(bytes);
        assertEquals(N, chunks.size(), "one chunk per frame");
        int header = chunks.get(40);
        for (int i = 0; i < 8; i++) {
            bytes[header + i] = (byte) 0xA5;
        }
        Path damaged = Files.write(dir.resolve("header gone.avi"), bytes);
        long delivered = 0;
        try (FrameSource src = sources.open(damaged.toString(), 0, N)) {
            for (Frame f; ; delivered++) {
                try {
                    f = src.next();
                } catch (VideoException e) {
                    // Acceptable only as a report at the damaged frame; never a shifted frame before it.
                    assertEquals(40, e.frame().orElseThrow(), e.getMessage());
                    break;
                }
                if (f == null) {
                    break;
                }
                assertEquals(delivered, f.index());
                assertEquals(f.index(), SyntheticVideo.readFrameIndex(f), "barcode of frame " + f.index());
            }
        }
        assertTrue(delivered >= 40, "delivered " + delivered);
    }

    @Test
    void anAviCutOffBeforeItsIndexStillDeliversItsFramesInOrder() throws IOException {
        // A recording that stopped early has no index at the end: it is read in file order instead.
        Path avi = SyntheticVideo.builder().frames(N).write(dir.resolve("long.avi"));
        Path cut = cut(avi, "cut off.avi", 0.6);
        long delivered = 0;
        try (FrameSource src = sources.open(cut.toString(), 0, N)) {
            for (Frame f; ; delivered++) {
                try {
                    f = src.next();
                } catch (VideoException e) {
                    assertTrue(e.kind() == Kind.TRUNCATED || e.kind() == Kind.DAMAGED, e.getMessage());
                    assertEquals(delivered, e.frame().orElseThrow(), e.getMessage());
                    break;
                }
                if (f == null) {
                    break;
                }
                assertEquals(delivered, f.index());
                assertEquals(delivered, SyntheticVideo.readFrameIndex(f));
            }
        }
        assertTrue(delivered > 30 && delivered < N, "delivered " + delivered + " of " + N);
    }

    @Test
    void anAviWhoseIndexWasCutShortDeliversEveryFrameItHolds() throws IOException {
        // Only the end of the index is missing: reading by the index would lose the frames it no longer lists.
        Path avi = SyntheticVideo.builder().frames(N).write(dir.resolve("index cut.avi"));
        Path cut = cut(avi, "index cut short.avi", 0.999);
        long delivered = 0;
        try (FrameSource src = sources.open(cut.toString(), 0, N)) {
            for (Frame f; (f = src.next()) != null; delivered++) {
                assertEquals(delivered, f.index());
                assertEquals(delivered, SyntheticVideo.readFrameIndex(f));
            }
        }
        assertEquals(N, delivered);
    }

    @Test
    void realFootageWithALostChunkIsDamagedAtThatFrameWithEveryFrameBeforeItExact() throws IOException {
        Path vtest = dev.juggler.inference.testing.Requirements.footage(dev.juggler.inference.testing.Requirements.VTEST);
        byte[] bytes = Files.readAllBytes(vtest);
        java.util.List<Integer> chunks = dev.juggler.inference.testing.AviChunks.videoChunks(bytes);
        assertEquals(795, chunks.size(), "vtest.avi has one chunk per frame");
        // Zeros over frame 300's chunk, header included, as unreadable sectors of a failing disk (or the
        // unwritten tail of a preallocated file) come back. (Random bytes are no test of us: this codec
        // decodes many of them as a plausible picture without any error, so nothing could report them.)
        Arrays.fill(bytes, chunks.get(300), chunks.get(301), (byte) 0);
        Path damaged = Files.write(dir.resolve("vtest $(damaged).avi"), bytes);

        java.util.List<byte[]> original = new java.util.ArrayList<>();
        try (FrameSource src = sources.open(vtest.toString(), 0, 300)) {
            for (Frame f; (f = src.next()) != null; ) {
                original.add(f.pixels().clone());
            }
        }
        long delivered = 0;
        try (FrameSource src = sources.open(damaged.toString(), 0, 795)) {
            while (true) {
                Frame f;
                try {
                    f = src.next();
                } catch (VideoException e) {
                    assertEquals(Kind.DAMAGED, e.kind(), e.getMessage());
                    assertEquals(300, e.frame().orElseThrow(), e.getMessage());
                    assertTrue(e.getMessage().contains("vtest $(damaged).avi"), e.getMessage());
                    break;
                }
                assertNotNull(f, "the damage must not pass unnoticed");
                assertTrue(f.index() < 300, "frame " + f.index() + " delivered after the damage");
                assertTrue(Arrays.equals(original.get((int) f.index()), f.pixels()), "frame " + f.index() + " is exact");
                delivered++;
            }
        }
        assertEquals(300, delivered);
    }
}
