package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.testing.ImageFixtures;
import dev.juggler.inference.testing.Requirements;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.VideoException;
import dev.juggler.video.VideoException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders through {@link FfmpegFrameSources}: real footage exported frame by frame, and broken files. */
class ImageFolderSourceTest {
    private static final int FRAMES = 24;

    @TempDir
    static Path dir;
    static Path vtest;
    static Path jpegs;
    static Path pngs;
    static final FrameSourceFactory BGR = FfmpegFrameSources.create();
    static final FrameSourceFactory I420 = FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build();

    @BeforeAll
    static void exportFrames() throws IOException {
        ImageFixtures.requireFfmpeg();
        vtest = Requirements.footage(Requirements.VTEST);
        // Unpadded numbers from 1: natural order is the video's order, plain name order is not (img10 < img2).
        jpegs = dir.resolve("vtest jpegs");
        ImageFixtures.framesOf(vtest, jpegs, "img%d.jpg", FRAMES, 1);
        pngs = dir.resolve("vtest pngs");
        ImageFixtures.framesOf(vtest, pngs, "frame_%d.png", FRAMES, 1);
        Files.writeString(jpegs.resolve("notes.txt"), "not a frame", StandardCharsets.UTF_8);
        Files.writeString(jpegs.resolve(".hidden.jpg"), "not a frame either", StandardCharsets.UTF_8);
        Files.createDirectory(jpegs.resolve("sub.jpg"));
    }

    private static List<Frame> all(FrameSourceFactory factory, Path folder, long from, long to) {
        List<Frame> out = new ArrayList<>();
        try (FrameSource src = factory.open(folder.toString(), from, to)) {
            for (Frame f; (f = src.next()) != null; ) {
                out.add(f);
            }
        }
        return out;
    }

    @Test
    void framesComeInNaturalOrderAndMatchTheVideo() {
        List<Frame> images = all(BGR, pngs, 0, FRAMES);
        List<Frame> video = all(BGR, vtest, 0, FRAMES);
        assertEquals(FRAMES, images.size());
        for (int i = 0; i < FRAMES; i++) {
            Frame f = images.get(i);
            assertEquals(i, f.index());
            assertEquals(768, f.width());
            assertEquals(576, f.height());
            assertEquals(3 * 768, f.stride());
            assertEquals(i / 25.0, f.info().timestampSeconds(), 1e-9);
            double same = ImageFixtures.meanAbsDiff(f.pixels(), video.get(i).pixels(), 3 * 768 * 576);
            double other = ImageFixtures.meanAbsDiff(f.pixels(), video.get((i + 9) % FRAMES).pixels(), 3 * 768 * 576);
            // The same picture up to two colour conversions; a frame 9 apart differs where people walked.
            assertTrue(same < 2.5 && same < other, "frame " + i + ": " + same + " vs other " + other);
        }
    }

    @Test
    void pixelsAreWhatTheFfmpegCliDecodes() throws IOException {
        Path png = pngs.resolve("frame_3.png");
        Frame bgr = all(BGR, pngs, 2, 3).get(0);
        // PNG is lossless RGB: BGR24 is the same bytes reordered, exactly.
        assertArrayEquals(ImageFixtures.rawPixels(png, "bgr24", dir), bgr.pixels());

        Path jpg = jpegs.resolve("img3.jpg");
        Frame jpegBgr = all(BGR, jpegs, 2, 3).get(0);
        byte[] cliBgr = ImageFixtures.rawPixels(jpg, "bgr24", dir);
        assertTrue(ImageFixtures.meanAbsDiff(cliBgr, jpegBgr.pixels(), cliBgr.length) < 1.5);
        Frame jpegYuv = all(I420, jpegs, 2, 3).get(0);
        assertEquals(PixelFormat.I420, jpegYuv.format());
        // The CLI converts the JPEG's full-range YUV to limited range for yuv420p, as this source must.
        byte[] cliYuv = ImageFixtures.rawPixels(jpg, "yuv420p", dir);
        assertEquals(cliYuv.length, PixelFormat.I420.frameBytes(768, 576));
        double diff = ImageFixtures.meanAbsDiff(cliYuv, jpegYuv.pixels(), cliYuv.length);
        assertTrue(diff < 1.0, "I420 differs from ffmpeg's yuv420p by " + diff);
    }

    @Test
    void rangesStartWhereAsked() {
        List<Frame> whole = all(BGR, jpegs, 0, FRAMES);
        List<Frame> middle = all(BGR, jpegs, 11, 17);
        assertEquals(6, middle.size());
        for (int k = 0; k < 6; k++) {
            assertEquals(11 + k, middle.get(k).index());
            assertArrayEquals(whole.get(11 + k).pixels(), middle.get(k).pixels());
        }
        assertEquals(0, all(BGR, jpegs, 5, 5).size());
    }

    @Test
    void rangesPastTheLastImageAreTruncated() {
        VideoException atOpen = assertThrows(VideoException.class, () -> BGR.open(jpegs.toString(), FRAMES, FRAMES + 3));
        assertEquals(Kind.TRUNCATED, atOpen.kind());
        try (FrameSource src = BGR.open(jpegs.toString(), FRAMES - 1, FRAMES + 5)) {
            assertEquals(FRAMES - 1, src.next().index());
            VideoException e = assertThrows(VideoException.class, src::next);
            assertEquals(Kind.TRUNCATED, e.kind());
            assertEquals(FRAMES, e.frame().getAsLong());
            assertSame(e, assertThrows(VideoException.class, src::next), "sticky, as for videos");
        }
    }

    @Test
    void fpsFromTheFolderFileOrTheDefault() throws IOException {
        Path folder = dir.resolve("rated");
        ImageFixtures.synthetic(folder, "s%03d.png", 4, 32, 24, 0);
        assertEquals(3 / 25.0, all(BGR, folder, 3, 4).get(0).info().timestampSeconds(), 1e-9);
        Files.writeString(folder.resolve(ImageFolders.FPS_FILE), "30000/1001\n", StandardCharsets.UTF_8);
        assertEquals(3 * 1001 / 30000.0, all(BGR, folder, 3, 4).get(0).info().timestampSeconds(), 1e-9);
        Files.writeString(folder.resolve(ImageFolders.FPS_FILE), "fast", StandardCharsets.UTF_8);
        VideoException e = assertThrows(VideoException.class, () -> BGR.open(folder.toString(), 0, 1));
        assertEquals(Kind.NOT_A_VIDEO, e.kind());
        assertTrue(e.getMessage().contains("its fps file says \"fast\""), e.getMessage());
    }

    @Test
    void aDamagedImageFailsItsFrameOnlyAndTheRestIsDelivered() throws IOException {
        Path folder = dir.resolve("damaged");
        ImageFixtures.framesOf(vtest, folder, "f%02d.jpg", 12, 0);
        ImageFixtures.truncate(folder.resolve("f02.jpg"), 0.5);
        Files.write(folder.resolve("f04.jpg"), new byte[0]);
        ImageFixtures.garbage(folder.resolve("f06.jpg"), 6);
        Files.writeString(folder.resolve("f07.jpg"), "<html>a web page saved as .jpg</html>", StandardCharsets.UTF_8);
        Files.move(ImageFixtures.picture(dir.resolve("stray.png"), 160, 120), folder.resolve("f09.jpg"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING); // a PNG with a .jpg name, and a different size
        Path unreadable = folder.resolve("f10.jpg");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            unreadable.toFile().setReadable(false);
        }
        for (FrameSourceFactory factory : List.of(BGR, I420)) {
            List<Long> delivered = new ArrayList<>();
            List<String> damaged = new ArrayList<>();
            try (FrameSource src = factory.open(folder.toString(), 0, 12)) {
                for (int call = 0; call < 12; call++) {
                    try {
                        Frame f = src.next();
                        delivered.add(f.index());
                        if (f.index() == 9) {
                            assertEquals(160, f.width());
                            assertEquals(120, f.height());
                        } else {
                            assertEquals(768, f.width());
                        }
                    } catch (DamagedFrameException e) {
                        damaged.add(e.frameIndex() + ": " + e.getMessage());
                    }
                }
                assertNull(src.next());
            }
            List<Long> expected = new ArrayList<>(List.of(0L, 1L, 3L, 5L, 8L, 9L, 11L));
            if (root) {
                expected.add(6, 10L);
            }
            assertEquals(expected, delivered, damaged.toString());
            assertTrue(damaged.get(0).startsWith("2: video damaged at frame 2: " + folder + " (image \"f02.jpg\": JPEG cut short"),
                    damaged.get(0));
            assertTrue(damaged.get(1).contains("image \"f04.jpg\": empty file (0 bytes)"), damaged.get(1));
            assertTrue(damaged.get(2).contains("image \"f06.jpg\": not a JPEG, PNG, BMP or WebP image"), damaged.get(2));
            assertTrue(damaged.get(3).contains("image \"f07.jpg\": not a JPEG, PNG, BMP or WebP image (it starts with 3c 68 74 6d"),
                    damaged.get(3));
            if (!root) {
                assertTrue(damaged.get(4).contains("image \"f10.jpg\": not readable by this process"), damaged.get(4));
            }
        }
    }

    @Test
    void anImageRemovedAfterListingIsAFrameFailure() throws IOException {
        Path folder = dir.resolve("vanishing");
        ImageFixtures.synthetic(folder, "v%d.bmp", 3, 40, 30, 0);
        try (FrameSource src = BGR.open(folder.toString(), 0, 3)) {
            Files.delete(folder.resolve("v1.bmp"));
            assertEquals(0, src.next().index());
            DamagedFrameException e = assertThrows(DamagedFrameException.class, src::next);
            assertTrue(e.getMessage().contains("the file is gone"), e.getMessage());
            assertEquals(2, src.next().index());
        }
    }

    @Test
    void recycledArraysAreReused() {
        try (FrameSource src = I420.open(jpegs.toString(), 0, 3)) {
            Frame first = src.next();
            byte[] array = first.pixels();
            src.recycle(first);
            assertSame(array, src.next().pixels());
        }
    }

    @Test
    void foldersWithoutImagesAndMissingFolders() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("no images"));
        Files.writeString(empty.resolve("readme.txt"), "x", StandardCharsets.UTF_8);
        VideoException e = assertThrows(VideoException.class, () -> BGR.open(empty.toString(), 0, 1));
        assertEquals(Kind.EMPTY, e.kind());
        assertTrue(e.getMessage().contains("no image files (.jpg, .jpeg, .jpe, .png, .bmp, .dib, .webp)"), e.getMessage());
        assertEquals(Kind.UNREADABLE, assertThrows(VideoException.class,
                () -> BGR.open(dir.resolve("absent").toString(), 0, 1)).kind());
    }

    @Test
    void hostileFolderAndFileNames() throws IOException {
        Path folder = dir.resolve("a folder \"with\" 'quotes' $(touch pwned) <script>alert(1)</script>\nline2");
        Path made = dir.resolve("plain");
        ImageFixtures.synthetic(made, "%d.png", 3, 32, 24, 0);
        Files.createDirectories(folder);
        Files.move(made.resolve("0.png"), folder.resolve("a 0 $(rm -rf ~).png"));
        Files.move(made.resolve("1.png"), folder.resolve("a 1 \"q\" <b>.png"));
        Files.move(made.resolve("2.png"), folder.resolve("a 2\nnewline.png"));
        Files.writeString(folder.resolve("a 3 `x`\t'y'.png"), "broken", StandardCharsets.UTF_8);
        try (FrameSource src = BGR.open(folder.toString(), 0, 4)) {
            assertEquals(0, src.next().index());
            assertEquals(1, src.next().index());
            assertEquals(2, src.next().index());
            DamagedFrameException e = assertThrows(DamagedFrameException.class, src::next);
            // The name is quoted with its tab escaped, so a log line stays one line.
            assertTrue(e.getMessage().contains("image \"a 3 `x`\\t'y'.png\": not a JPEG"), e.getMessage());
        }
        assertEquals(List.of(folder.resolve("a 0 $(rm -rf ~).png"), folder.resolve("a 1 \"q\" <b>.png"),
                folder.resolve("a 2\nnewline.png"), folder.resolve("a 3 `x`\t'y'.png")), ImageFolders.frames(folder));
        assertTrue(Files.notExists(Path.of("pwned")) && Files.notExists(folder.resolve("pwned")));
    }

    @Test
    void everyFormatAtOddSizesInBothLayouts() throws IOException {
        Path folder = dir.resolve("formats");
        Files.createDirectories(folder);
        ImageFixtures.picture(folder.resolve("1.jpg"), 33, 18); // ffmpeg's JPEG encoder wants an even height
        ImageFixtures.picture(folder.resolve("2.PNG"), 35, 19);
        ImageFixtures.picture(folder.resolve("3.bmp"), 37, 21);
        ImageFixtures.picture(folder.resolve("4.webp"), 39, 23);
        for (FrameSourceFactory factory : List.of(BGR, I420)) {
            List<Frame> frames = all(factory, folder, 0, 4);
            for (int i = 0; i < 4; i++) {
                Frame f = frames.get(i);
                assertEquals(33 + 2 * i, f.width());
                assertEquals(i == 0 ? 18 : 17 + 2 * i, f.height());
                // testsrc is colourful: some pixel has channels that differ, so the pixels are real.
                boolean colour = false;
                for (int y = 0; y < f.height() && !colour; y++) {
                    for (int x = 0; x < f.width() && !colour; x++) {
                        int rgb = f.rgb(x, y);
                        colour = Math.abs((rgb >> 16 & 0xff) - (rgb & 0xff)) > 60;
                    }
                }
                assertTrue(colour, "frame " + i + " has no colour");
            }
        }
    }

    @Test
    void fileUrisOfFoldersWork() {
        try (FrameSource src = BGR.open(pngs.toUri().toString(), 1, 2)) {
            assertEquals(1, src.next().index());
        }
    }
}
