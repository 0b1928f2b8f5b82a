package dev.juggler.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to the local stager; the rules every stager keeps are in {@link LocalVideoStagerContractTest}. */
class LocalVideoStagerTest {

    @TempDir
    Path dir;

    private final List<LocalVideoStager> stagers = new ArrayList<>();

    @AfterEach
    void closeStagers() {
        stagers.forEach(LocalVideoStager::close);
    }

    private Path workspace() {
        return dir.resolve("workspace");
    }

    private LocalVideoStager stager(long budget) {
        LocalVideoStager stager = LocalVideoStager.builder(workspace()).budgetBytes(budget).build();
        stagers.add(stager);
        return stager;
    }

    private Path source(String name, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Path file = dir.resolve("sources").resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    @Test
    void locationsAreAbsolutePathsInTheWorkspaceAndFileUrisAreSources() throws IOException {
        LocalVideoStager stager = stager(10_000_000);
        assertTrue(Files.isDirectory(workspace()), "the builder creates the workspace");
        assertEquals(workspace().toAbsolutePath(), stager.workspace());
        Path src = source("uri clip.mp4", 300_000, 8);
        StagedVideo staged = stager.stage(new Video("uri", src.toUri().toString(), 1, 25, 300_000, Map.of()), null);
        Path copy = Path.of(staged.location());
        assertTrue(copy.isAbsolute(), staged.location());
        assertEquals(workspace().toAbsolutePath(), copy.getParent());
        assertEquals(LocalVideoStager.fileNameOf("uri", "uri clip.mp4"), copy.getFileName().toString());
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(copy));
    }

    @Test
    void onlyLocalPathsAndFileUrisAreSources() {
        LocalVideoStager stager = stager(1_000_000);
        Video remote = new Video("remote", "https://example.org/a.mp4", 1, 25, 100, Map.of());
        VideoException e = assertThrows(VideoException.class, () -> stager.stage(remote, StageListener.NONE));
        assertEquals(VideoException.Kind.UNREADABLE, e.kind());
        assertTrue(e.getMessage().contains("file: URIs only"), e.getMessage());
        assertEquals(0, stager.usage().reservedBytes());
    }

    @Test
    void foreignFilesAndLinksAreNotVideos() throws IOException {
        Files.createDirectories(workspace());
        for (String foreign : List.of("README", "notes.txt", "x.v.mp4.tmp", "%zz.v.mp4", "a.v.part", "%61.v.mp4",
                "-a.v.mp4", "a.v.MP4", ".v.mp4")) {
            Files.writeString(workspace().resolve(foreign), "foreign");
        }
        Path outside = source("outside.mp4", 1_000, 1);
        Files.createSymbolicLink(workspace().resolve(LocalVideoStager.fileNameOf("link", "x.mp4")), outside);
        LocalVideoStager stager = stager(1_000_000);
        assertEquals(List.of(), stager.list());
        assertEquals(0, stager.usage().usedBytes());
        assertEquals(java.util.Optional.empty(), LocalVideoStager.idOf("a.v.MP4"));
        assertEquals(java.util.Optional.of("a"), LocalVideoStager.idOf("a.v.mp4"));
    }

    @Test
    void builderNamesTheBadField() {
        InvalidConfigException budget = assertThrows(InvalidConfigException.class,
                () -> LocalVideoStager.builder(workspace()).budgetBytes(0));
        assertTrue(budget.getMessage().startsWith("budgetBytes = 0"), budget.getMessage());
        assertThrows(InvalidConfigException.class, () -> LocalVideoStager.builder(workspace()).build());
        assertThrows(InvalidConfigException.class, () -> LocalVideoStager.builder(workspace()).parallelTransfers(0));
        assertThrows(InvalidConfigException.class, () -> LocalVideoStager.builder(null));
        Path file = dir.resolve("a-file");
        assertTrue(assertThrows(InvalidConfigException.class, () -> {
            Files.writeString(file, "x");
            LocalVideoStager.builder(file).budgetBytes(1).build();
        }).getMessage().startsWith("workspace"));
    }
}
