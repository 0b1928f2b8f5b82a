package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.testing.ImageFixtures;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.stage.ImageFolderArchive;
import dev.juggler.stage.LocalVideoStager;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.VideoStager;
import dev.juggler.video.DamagedFrameException;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image folder as a stager brings it into a workspace ({@code .v.imgtar}) reads exactly as the folder: the
 * same frames, indices, sizes, pixels and timestamps (from its {@code fps} file), and each damaged image a
 * failure of its own frame only; hostile image names included.
 */
class StagedImageFolderTest {

    @TempDir
    static Path dir;
    static Path folder;
    static Path staged;

    @BeforeAll
    static void stageAFolder() throws Exception {
        ImageFixtures.requireFfmpeg();
        folder = dir.resolve("seq \"01\" $(x)");
        ImageFixtures.synthetic(folder, "img%d.jpg", 12, 96, 64, 1); // img1..img12: natural order differs from plain
        Files.move(folder.resolve("img5.jpg"), folder.resolve("img5 <script>\n$(touch pwned).jpg"));
        Files.move(ImageFixtures.picture(dir.resolve("odd.png"), 40, 30), folder.resolve("img8.jpg"),
                StandardCopyOption.REPLACE_EXISTING); // a PNG named .jpg, at another size
        ImageFixtures.truncate(folder.resolve("img3.jpg"), 0.5);
        Files.write(folder.resolve("img10.jpg"), new byte[0]);
        Files.writeString(folder.resolve("fps"), "50\n", StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("notes.txt"), "not a frame", StandardCharsets.UTF_8);
        Video video = new Video("seq 01", folder.toString(), 12, 50, ImageFolders.sizeBytes(folder), Map.of());
        try (VideoStager stager = LocalVideoStager.builder(dir.resolve("workspace")).budgetBytes(10_000_000).build()) {
            StagedVideo v = stager.stage(video, null);
            staged = Path.of(v.location());
        }
        assertTrue(ImageFolderArchive.isArchiveName(staged.getFileName().toString()), staged.toString());
    }

    /** Every frame of {@code location} as "index WxH t" plus its pixels, or "index damaged: reason". */
    static List<Object> read(FrameSourceFactory factory, String location, long from, long to) {
        List<Object> out = new ArrayList<>();
        try (FrameSource src = factory.open(location, from, to)) {
            for (long i = from; i < to; i++) {
                try {
                    Frame f = src.next();
                    out.add(f.index() + " " + f.width() + "x" + f.height() + " t=" + f.info().timestampSeconds());
                    out.add(f.pixels().clone());
                } catch (DamagedFrameException e) {
                    out.add(e.frameIndex() + " damaged: " + e.getMessage().substring(e.getMessage().indexOf("(image")));
                }
            }
            assertNull(src.next());
        }
        return out;
    }

    static void assertSame(List<Object> expected, List<Object> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i) instanceof byte[] pixels) {
                assertArrayEquals(pixels, (byte[]) actual.get(i), "pixels of item " + i);
            } else {
                assertEquals(expected.get(i), actual.get(i));
            }
        }
    }

    @Test
    void theStagedArchiveReadsExactlyAsTheFolder() {
        for (PixelFormat format : PixelFormat.values()) {
            FrameSourceFactory factory = FfmpegFrameSources.builder().pixelFormat(format).build();
            List<Object> fromFolder = read(factory, folder.toString(), 0, 12);
            List<Object> fromArchive = read(factory, staged.toString(), 0, 12);
            assertSame(fromFolder, fromArchive);
            assertEquals("0 96x64 t=0.0", fromArchive.get(0));
            assertTrue(fromArchive.get(4).toString().startsWith("2 damaged: (image \"img3.jpg\": JPEG cut short"),
                    fromArchive.toString());
            assertTrue(fromArchive.contains("4 96x64 t=0.08"), "img5 with its hostile name is frame 4, at 50 fps");
            assertTrue(fromArchive.contains("7 40x30 t=0.14"), "the PNG named .jpg at its own size");
            assertTrue(fromArchive.stream().anyMatch(o -> o.toString().startsWith("9 damaged: (image \"img10.jpg\": empty")),
                    fromArchive.toString());
            assertSame(read(factory, folder.toString(), 5, 9), read(factory, staged.toString(), 5, 9));
        }
    }

    @Test
    void rangesPastTheEndAreTruncatedAsForTheFolder() {
        FrameSourceFactory factory = FfmpegFrameSources.create();
        VideoException starts = assertThrows(VideoException.class, () -> factory.open(staged.toString(), 12, 14));
        assertEquals(VideoException.Kind.TRUNCATED, starts.kind());
        try (FrameSource src = factory.open(staged.toString(), 11, 13)) {
            assertEquals(11, src.next().index());
            VideoException e = assertThrows(VideoException.class, src::next);
            assertEquals(VideoException.Kind.TRUNCATED, e.kind());
            assertEquals(12, e.frame().orElseThrow());
        }
    }

    @Test
    void aFileNamedLikeAnArchiveThatIsNoneIsNotAVideo() throws Exception {
        Path fake = Files.writeString(dir.resolve("fake.v.imgtar"), "hello", StandardCharsets.UTF_8);
        VideoException e = assertThrows(VideoException.class, () -> FfmpegFrameSources.create().open(fake.toString(), 0, 1));
        assertEquals(VideoException.Kind.NOT_A_VIDEO, e.kind(), e.getMessage());
    }

    @Test
    void anArchiveMadeByGnuTarReadsTheSame() throws Exception {
        Path tarred = dir.resolve("by-tar.imgtar");
        Process tar = new ProcessBuilder("tar", "-cf", tarred.toString(), "-C", folder.toString(), ".")
                .redirectErrorStream(true).start();
        String said = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assumptions.assumeTrue(tar.waitFor() == 0, "no GNU tar here: " + said);
        FrameSourceFactory factory = FfmpegFrameSources.create();
        assertSame(read(factory, folder.toString(), 0, 12), read(factory, tarred.toString(), 0, 12));
    }

    @Test
    void theStagersFrameRuleIsTheFoldersOwn() {
        assertEquals(new HashSet<>(ImageFolders.EXTENSIONS), new HashSet<>(ImageFolderArchive.FRAME_EXTENSIONS));
    }
}
