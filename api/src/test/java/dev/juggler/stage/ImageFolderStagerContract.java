package dev.juggler.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of a {@link VideoStager} for image folders (see {@link ImageFolderArchive}): a folder is staged
 * as one verified {@code .v.imgtar} file whose bytes equal those the local stager makes (itself checked
 * against GNU tar in {@code ImageFolderArchiveTest}), counted by its size, resumed byte-identically after an
 * interruption, purged like a file, and refused clearly when it changed since registration. Hostile image
 * names and ids are used throughout.
 *
 * <p>Subclass it like {@link VideoStagerContract} (the same {@link VideoStagerContract.Workspace}); shipped in
 * the api test-jar. No test sleeps.
 */
public abstract class ImageFolderStagerContract {

    /** A fresh, empty workspace for one test. */
    protected abstract VideoStagerContract.Workspace newWorkspace() throws Exception;

    static final String ID = "seq \"1\" $(rm -rf x) <script>\n";

    @TempDir
    Path sources;

    VideoStagerContract.Workspace ws;
    private final List<VideoStager> opened = new ArrayList<>();

    @BeforeEach
    void freshWorkspace() throws Exception {
        ws = newWorkspace();
    }

    @AfterEach
    void closeStagers() {
        opened.forEach(VideoStager::close);
    }

    VideoStager open(long budget) throws Exception {
        VideoStager stager = ws.open(budget);
        opened.add(stager);
        return stager;
    }

    /**
     * A folder of 6 "images" (random bytes: stagers do not decode) with hostile names, an {@code fps} file,
     * and files that are not frames; registered with the size of its images.
     */
    static Video imageFolder(Path parent, String id) throws Exception {
        Path folder = Files.createDirectories(parent.resolve("my images $(x) \"q\""));
        String[] names = {"img 1 \"q\".jpg", "img2 $(touch pwned).PNG", "img<script>3.bmp", "img\nline4.jpeg",
            "img5 " + "long".repeat(40) + ".webp", "bild-ä-6.jpg"};
        Random random = new Random(42);
        for (int i = 0; i < names.length; i++) {
            byte[] image = new byte[150_000 + 37 * i];
            random.nextBytes(image);
            Files.write(folder.resolve(names[i]), image);
        }
        Files.writeString(folder.resolve("fps"), "30000/1001\n");
        Files.writeString(folder.resolve("notes.txt"), "not a frame");
        Files.write(folder.resolve("._img1.jpg"), new byte[10]);
        Files.createDirectories(folder.resolve("sub.jpg"));
        return new Video(id, folder.toString(), names.length, 29.97, ImageFolderArchive.imageBytes(folder), Map.of());
    }

    static String archiveName(String id) {
        return StagingProtocol.fileNameOf(id, "." + ImageFolderArchive.EXTENSION);
    }

    /** The archive as the local stager makes it. */
    byte[] reference(Video v) throws Exception {
        Path dir = Files.createTempDirectory(sources, "reference");
        try (VideoStager local = LocalVideoStager.builder(dir).budgetBytes(100_000_000).build()) {
            return Files.readAllBytes(Path.of(local.stage(v, null).location()));
        }
    }

    static String sha(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void anImageFolderIsStagedAsOneArchiveCountedByItsSize() throws Exception {
        Video v = imageFolder(sources, ID);
        byte[] archive = reference(v);
        assertTrue(archive.length > v.sizeBytes(), "images plus headers");
        VideoStager stager = open(10_000_000);

        StagedVideo staged = stager.stage(v, null);
        assertEquals(ID, staged.videoId());
        assertEquals(archive.length, staged.sizeBytes());
        assertTrue(staged.location().endsWith("/" + archiveName(ID)), staged.location());
        assertTrue(ImageFolderArchive.isArchiveName(staged.location()), staged.location());
        assertEquals(Set.of(archiveName(ID)), ws.names());
        assertEquals(Optional.of(sha(archive)), ws.sha256(archiveName(ID)));
        assertEquals(new WorkspaceUsage(10_000_000, archive.length, 0), stager.usage());
        assertEquals(staged, stager.stage(v, null), "already there");

        try (VideoStager restarted = open(10_000_000)) {
            assertEquals(List.of(staged), restarted.list(), "reconciled after a restart");
            assertEquals(archive.length, restarted.usage().usedBytes());
        }
        stager.purge(ID);
        assertEquals(Set.of(), ws.names());
        assertEquals(0, stager.usage().usedBytes());
    }

    @Test
    void aFolderLargerThanTheFreeSpaceIsRefusedBeforeAnyByteMoves() throws Exception {
        Video v = imageFolder(sources, ID);
        VideoStager stager = open(v.sizeBytes() + 100); // the images fit, the archive with its headers does not
        assertThrows(WorkspaceFullException.class, () -> stager.stage(v, null));
        assertEquals(Set.of(), ws.names());
    }

    @Test
    void aPartialArchiveIsResumedByteIdentically() throws Exception {
        Video v = imageFolder(sources, ID);
        byte[] archive = reference(v);
        int have = 400_000 + 123; // inside an image, not on a block boundary
        ws.write(archiveName(ID) + StagingProtocol.PART_SUFFIX, Arrays.copyOf(archive, have));
        VideoStager stager = open(10_000_000);

        List<Long> progress = new CopyOnWriteArrayList<>();
        StagedVideo staged = stager.stage(v, (id, done, total) -> progress.add(done));
        assertEquals(have, progress.get(0), "started from the bytes already there: " + progress);
        assertEquals(Optional.of(sha(archive)), ws.sha256(archiveName(ID)));
        assertEquals(archive.length, staged.sizeBytes());
    }

    @Test
    void anInterruptedTransferResumesAndEndsByteIdentical() throws Exception {
        Video v = imageFolder(sources, ID);
        byte[] archive = reference(v);
        VideoStager stager = open(10_000_000);
        JugglerException e = assertThrows(JugglerException.class, () -> stager.stage(v, (id, done, total) -> {
            if (done > 0) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        assertTrue(e.isTransient(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "the id is escaped: " + e.getMessage());
        assertEquals(List.of(), stager.list());

        List<Long> progress = new CopyOnWriteArrayList<>();
        stager.stage(v, (id, done, total) -> progress.add(done));
        assertTrue(progress.get(0) > 0 && progress.get(0) < archive.length, "resumed, not restarted: " + progress);
        assertEquals(Optional.of(sha(archive)), ws.sha256(archiveName(ID)));
    }

    @Test
    void aFolderChangedSinceRegistrationIsRefusedClearly() throws Exception {
        Video v = imageFolder(sources, ID);
        Path folder = Path.of(v.location());
        Files.write(folder.resolve("img 1 \"q\".jpg"), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        VideoStager stager = open(10_000_000);

        VideoException e = assertThrows(VideoException.class, () -> stager.stage(v, null));
        assertFalse(e.isTransient(), "the same folder fails the same way");
        assertTrue(e.getMessage().contains("changed since registration") && e.getMessage().contains("new id"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "the id is escaped: " + e.getMessage());
        assertEquals(Set.of(), ws.names());
        assertEquals(new WorkspaceUsage(10_000_000, 0, 0), stager.usage());
    }

    @Test
    void aFolderWithoutImagesIsEmpty() throws Exception {
        Path folder = Files.createDirectories(sources.resolve("no images"));
        Files.writeString(folder.resolve("fps"), "25");
        VideoStager stager = open(10_000_000);
        VideoException e = assertThrows(VideoException.class,
                () -> stager.stage(new Video("empty", folder.toString(), 1, 25, 0, Map.of()), null));
        assertEquals(VideoException.Kind.EMPTY, e.kind());
    }
}
