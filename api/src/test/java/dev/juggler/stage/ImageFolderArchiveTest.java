package dev.juggler.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.juggler.video.Video;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive an image folder is staged as: a real tar archive (GNU {@code tar} lists and unpacks it to the
 * very same files; skipped without {@code tar}), with only frames and {@code fps}, the same bytes whatever the
 * files' times, and {@code .part} names that the protocol recognises.
 */
class ImageFolderArchiveTest {

    @TempDir
    Path dir;

    byte[] stage(Video v, String workspace) throws Exception {
        try (VideoStager stager = LocalVideoStager.builder(dir.resolve(workspace)).budgetBytes(100_000_000).build()) {
            return Files.readAllBytes(Path.of(stager.stage(v, null).location()));
        }
    }

    /** What the archive of {@link ImageFolderStagerContract#imageFolder} holds, in its order. */
    static List<String> archived() {
        return List.of("bild-ä-6.jpg", "fps", "img\nline4.jpeg", "img 1 \"q\".jpg", "img2 $(touch pwned).PNG",
                "img5 " + "long".repeat(40) + ".webp", "img<script>3.bmp");
    }

    @Test
    void gnuTarListsAndUnpacksExactlyTheFramesAndTheFpsFile() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tar")) || Files.isExecutable(Path.of("/bin/tar")),
                "no tar on this machine to check the archive against");
        Video v = ImageFolderStagerContract.imageFolder(dir, "tar check");
        Path archive = Files.write(dir.resolve("staged.imgtar"), stage(v, "ws"));
        Path out = Files.createDirectories(dir.resolve("unpacked"));

        Process list = new ProcessBuilder("tar", "--quoting-style=escape", "-tf", archive.toString())
                .redirectErrorStream(true).start();
        String listed = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(list.waitFor(30, TimeUnit.SECONDS) && list.exitValue() == 0, listed);
        List<String> expected = archived();
        assertEquals(expected.size(), listed.lines().count(), "one line per member (a newline is escaped): " + listed);
        assertTrue(listed.startsWith("bild-") && listed.contains("img\\nline4.jpeg"), "plain name order: " + listed);

        Process unpack = new ProcessBuilder("tar", "-xf", archive.toString(), "-C", out.toString()).redirectErrorStream(true)
                .start();
        String said = new String(unpack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(unpack.waitFor(30, TimeUnit.SECONDS) && unpack.exitValue() == 0, said);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(expected.size(), files.count());
        }
        for (String name : expected) {
            assertArrayEquals(Files.readAllBytes(Path.of(v.location()).resolve(name)), Files.readAllBytes(out.resolve(name)),
                    name);
        }
        assertEquals(0, archive.toFile().length() % 512, "whole blocks");
    }

    @Test
    void theSameFolderGivesTheSameBytesWhateverItsFilesTimes() throws Exception {
        Video v = ImageFolderStagerContract.imageFolder(dir, "same");
        byte[] first = stage(v, "a");
        try (Stream<Path> files = Files.list(Path.of(v.location()))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000_000_000L));
            }
        }
        assertArrayEquals(first, stage(v, "b"));
    }

    @Test
    void archiveNamesAreRecognisedAndFramesAreTheDocumentedExtensions() {
        String name = StagingProtocol.fileNameOf("a b", "." + ImageFolderArchive.EXTENSION);
        assertEquals("a%20b.v.imgtar", name);
        assertEquals("a b", StagingProtocol.videoIdOf(name).orElseThrow());
        assertTrue(StagingProtocol.videoIdOf(name + StagingProtocol.PART_SUFFIX).isEmpty());
        assertTrue(ImageFolderArchive.isArchiveName("/ws/X.v.IMGTAR"));
        assertFalse(ImageFolderArchive.isArchiveName(".imgtar"));
        assertTrue(ImageFolderArchive.isFrameName("a.JPG") && ImageFolderArchive.isFrameName("b.dib"));
        assertFalse(ImageFolderArchive.isFrameName(".a.jpg") || ImageFolderArchive.isFrameName("jpg")
                || ImageFolderArchive.isFrameName("fps") || ImageFolderArchive.isFrameName("a.gif"));
    }

    @Test
    void headersAreValidUstarWithPaxOnlyWhereNeeded() {
        byte[] plain = FolderArchive.header("img1.jpg", 1234);
        assertEquals(512, plain.length);
        assertEquals("ustar\0", new String(plain, 257, 6, StandardCharsets.US_ASCII));
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : plain[i] & 0xff;
        }
        assertEquals(sum, Long.parseLong(new String(plain, 148, 6, StandardCharsets.US_ASCII), 8));
        assertEquals("00000002322", new String(plain, 124, 11, StandardCharsets.US_ASCII));

        byte[] pax = FolderArchive.header("img\nline.jpg", 10);
        assertEquals(3 * 512, pax.length, "pax header, its records, the ustar header");
        assertEquals('x', pax[156]);
        String records = new String(pax, 512, 512, StandardCharsets.UTF_8).replace("\0", "");
        assertEquals("21 path=img\nline.jpg\n", records);
        assertEquals(21, records.getBytes(StandardCharsets.UTF_8).length, "the length counts the whole record");
    }
}
