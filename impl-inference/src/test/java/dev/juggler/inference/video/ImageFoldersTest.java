package dev.juggler.inference.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.testing.ImageFixtures;
import dev.juggler.video.VideoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration of image folders: every header checked up front, damaged images listed, the rest registered. */
class ImageFoldersTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void needsFfmpeg() {
        ImageFixtures.requireFfmpeg();
    }

    @Test
    void twoThousandImagesAreCheckedQuicklyAndTheDamagedOnesAreListedUpFront() throws Exception {
        Path folder = dir.resolve("a data set");
        ImageFixtures.synthetic(folder, "img%d.png", 2_000, 32, 24, 1);
        ImageFixtures.truncate(folder.resolve("img700.png"), 0.05);
        ImageFixtures.garbage(folder.resolve("img12.png"), 7);
        Files.write(folder.resolve("img1999.png"), new byte[0]);
        long t0 = System.nanoTime();
        VideoProbe.Inspection inspection = ImageFolders.inspect("set", folder, Map.of(), false);
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.printf("2,000 image headers checked in %.0f ms%n", ms);
        assertEquals(2_000, inspection.video().frameCount());
        assertEquals(ImageFolders.DEFAULT_FPS, inspection.video().fps());
        List<ImageProblem> damaged = inspection.damagedImages();
        // Natural order: img12 is frame 11, img700 frame 699, img1999 frame 1998.
        assertEquals(List.of(11L, 699L, 1998L), damaged.stream().map(ImageProblem::frame).toList(), damaged.toString());
        assertEquals(List.of("img12.png", "img700.png", "img1999.png"),
                damaged.stream().map(ImageProblem::fileName).toList());
        assertTrue(inspection.describe().startsWith("3 of 2000 images cannot be read"), inspection.describe());
    }

    @Test
    void theFpsTagWinsOverTheFolderFile() throws Exception {
        Path folder = dir.resolve("rated");
        ImageFixtures.synthetic(folder, "f%03d.jpg", 5, 32, 24, 0);
        Files.writeString(folder.resolve(ImageFolders.FPS_FILE), "30000/1001\n");
        assertEquals(30000.0 / 1001, ImageFolders.inspect("r", folder, null, false).video().fps(), 1e-9);
        assertEquals(50.0, ImageFolders.inspect("r", folder, Map.of(ImageFolders.FPS_TAG, "50"), false).video().fps(), 1e-9);
    }

    @Test
    void aFolderOfNothingButBrokenImagesIsNotAVideo() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(folder.resolve("1.jpg"), "not a picture");
        Files.writeString(folder.resolve("2.png"), "nor this");
        VideoException e = assertThrows(VideoException.class, () -> ImageFolders.inspect("b", folder, null, false));
        assertEquals(VideoException.Kind.NOT_A_VIDEO, e.kind());
        assertTrue(e.getMessage().contains("1.jpg"), e.getMessage());
    }

    @Test
    void notesForOddImagesAndDecodingFindsDamageInsideTheData() throws Exception {
        Path folder = dir.resolve("mixed");
        ImageFixtures.synthetic(folder, "m%d.png", 6, 64, 48, 0);
        Files.delete(folder.resolve("m2.png"));
        ImageFixtures.picture(folder.resolve("m2.png"), 80, 60);                 // another size
        Files.move(folder.resolve("m3.png"), folder.resolve("m3.jpg"));          // a PNG named .jpg
        byte[] bytes = Files.readAllBytes(folder.resolve("m4.png"));
        for (int i = bytes.length / 3; i < bytes.length / 3 + 64; i++) {
            bytes[i] = (byte) 0xA5;                                               // inside the compressed data
        }
        Files.write(folder.resolve("m4.png"), bytes);

        VideoProbe.Inspection quick = VideoProbe.inspect("m", folder, null);
        assertEquals(6, quick.video().frameCount());
        assertEquals(List.of(), quick.damagedImages(), "a header check cannot see inside the data");
        List<String> notes = quick.imageProblems().stream().map(ImageProblem::describe).toList();
        assertEquals(List.of("frame 2 \"m2.png\": 80x60, unlike the first image's 64x48 (analysed at its own size)",
                "frame 3 \"m3.jpg\": a PNG image named .jpg (read as PNG)"), notes);

        VideoProbe.Inspection decoded = ImageFolders.inspect("m", folder, null, true);
        assertEquals(List.of(4L), decoded.damagedImages().stream().map(ImageProblem::frame).toList(),
                decoded.imageProblems().toString());
        assertEquals(6, VideoProbe.probe("m", folder, Map.of(), true).frameCount());
    }
}
