package dev.juggler.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    private static Video video(String id, Path file) throws IOException {
        return new Video(id, file.toString(), 100, 25, Files.size(file), Map.of());
    }

    private static Set<String> ids(List<StagedVideo> staged) {
        return staged.stream().map(StagedVideo::videoId).collect(Collectors.toSet());
    }

    @Test
    void stagesVerifiesListsAndPurges() throws IOException {
        LocalVideoStager stager = stager(10_000_000);
        Path src = source("cam1.mp4", 3_000_000, 1);
        AtomicLong last = new AtomicLong();
        AtomicInteger calls = new AtomicInteger();

        StagedVideo staged = stager.stage(video("session-1/cam1", src), (id, done, total) -> {
            assertEquals("session-1/cam1", id);
            assertTrue(done <= total);
            last.set(done);
            calls.incrementAndGet();
        });

        Path copy = Path.of(staged.location());
        assertTrue(copy.isAbsolute(), staged.location());
        assertEquals(workspace().toAbsolutePath(), copy.getParent());
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(copy));
        assertEquals(3_000_000, staged.sizeBytes());
        assertEquals(3_000_000, last.get());
        assertEquals(List.of(staged), stager.list());
        assertEquals(new WorkspaceUsage(10_000_000, 3_000_000, 0), stager.usage());

        int before = calls.get();
        assertEquals(staged, stager.stage(video("session-1/cam1", src), (id, done, total) -> calls.incrementAndGet()));
        assertEquals(before, calls.get(), "an already staged video returns at once");

        stager.purge("session-1/cam1");
        stager.purge("never-staged");
        assertEquals(List.of(), stager.list());
        assertEquals(0, stager.usage().usedBytes());
        assertFalse(Files.exists(copy));
        try (var files = Files.list(workspace())) {
            assertEquals(0, files.count(), "nothing left behind");
        }
    }

    @Test
    void refusesAVideoThatDoesNotFitAndNamesTheNumbers() throws IOException {
        LocalVideoStager stager = stager(1_000);
        Path src = source("big.mp4", 1_500, 2);
        WorkspaceFullException e = assertThrows(WorkspaceFullException.class,
                () -> stager.stage(video("big", src), StageListener.NONE));
        assertTrue(e.getMessage().contains("1500") && e.getMessage().contains("1000"), e.getMessage());
        assertTrue(e.isTransient());
        assertEquals(List.of(), stager.list());
        assertEquals(0, stager.usage().reservedBytes(), "a refusal reserves nothing");
    }

    @Test
    void budgetCountsTransfersInProgress() throws Exception {
        int size = 2_000_000;
        LocalVideoStager stager = stager(size * 3L / 2);
        Path first = source("first.mp4", size, 3);
        Path second = source("second.mp4", size, 4);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<StagedVideo> firstStage = pool.submit(() -> stager.stage(video("first", first), (id, done, total) -> {
                inFlight.countDown();
                try {
                    proceed.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertTrue(inFlight.await(20, TimeUnit.SECONDS), "first transfer started");
            assertEquals(size, stager.usage().reservedBytes());
            assertEquals(0, stager.usage().usedBytes());

            WorkspaceFullException e = assertThrows(WorkspaceFullException.class,
                    () -> stager.stage(video("second", second), StageListener.NONE));
            assertTrue(e.getMessage().contains("reserved by transfers " + size), e.getMessage());

            proceed.countDown();
            assertEquals(size, firstStage.get(20, TimeUnit.SECONDS).sizeBytes());
        } finally {
            proceed.countDown();
            pool.shutdownNow();
        }
        assertEquals(new WorkspaceUsage(size * 3L / 2, size, 0), stager.usage());
        assertEquals(Set.of("first"), ids(stager.list()));
    }

    @Test
    void resumesAPartialCopy() throws IOException {
        int size = 4_000_000;
        int half = size / 2;
        Path src = source("resume.mp4", size, 5);
        Files.createDirectories(workspace());
        Path part = workspace().resolve(LocalVideoStager.fileNameOf("resume me", "resume.mp4") + ".part");
        Files.write(part, Arrays.copyOf(Files.readAllBytes(src), half));
        LocalVideoStager stager = stager(10_000_000);
        assertEquals(List.of(), stager.list(), "a .part is not a staged video");

        List<Long> progress = new ArrayList<>();
        StagedVideo staged = stager.stage(video("resume me", src), (id, done, total) -> progress.add(done));

        assertEquals(half, progress.get(0), "started from the bytes already there: " + progress);
        assertEquals(size, progress.get(progress.size() - 1));
        long copied = progress.get(progress.size() - 1) - progress.get(0);
        assertEquals(size - half, copied, "only the missing half was copied");
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(Path.of(staged.location())));
        assertFalse(Files.exists(part));
    }

    @Test
    void aCorruptPartialCopyFailsVerificationAndIsRetriedFromScratch() throws IOException {
        int size = 1_000_000;
        Path src = source("corrupt.mp4", size, 6);
        Files.createDirectories(workspace());
        Path part = workspace().resolve(LocalVideoStager.fileNameOf("corrupt", "corrupt.mp4") + ".part");
        Files.write(part, new byte[size / 2]); // zeros, not the source's bytes
        LocalVideoStager stager = stager(10_000_000);

        JugglerException e = assertThrows(JugglerException.class,
                () -> stager.stage(video("corrupt", src), StageListener.NONE));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertTrue(e.isTransient());
        assertFalse(Files.exists(part), "the bad copy is deleted");
        assertEquals(0, stager.usage().reservedBytes());

        StagedVideo staged = stager.stage(video("corrupt", src), StageListener.NONE);
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(Path.of(staged.location())));
    }

    @Test
    void hostileIdsRoundTripThroughList() throws IOException {
        long seed = Long.getLong("juggler.test.seed", System.nanoTime());
        String why = "seed " + seed + " (rerun with -Djuggler.test.seed=" + seed + ")";
        Random random = new Random(seed);
        Set<String> ids = new HashSet<>(List.of("-rf", ".hidden", "..", "../../etc/passwd", "a b", "it's",
                "\"quoted\"", "$(rm -rf ~)", "`id`", "line\nbreak", "tab\there", "ünïcödé", "日本語", "emoji 😀",
                "%41", "100%", "a.v.mp4", "x.part", "x.v.part", "nul\u0000byte", "back\\slash", "*?[]", ":colon",
                "-", ".", "v", "bom\uFEFF"));
        while (ids.size() < 80) {
            String id = hostileId(random);
            if (!id.isBlank()) { // Video refuses blank ids
                ids.add(id);
            }
        }
        LocalVideoStager stager = stager(100_000_000);
        String[] names = {"clip.MP4", "noextension", "weird.ext!", "data.part", "a.tar.gz", "x.averyverylongextension"};
        int n = 0;
        for (String id : ids) {
            Path src = source("src-" + n + "-" + names[n % names.length], 10 + n, n);
            n++;
            StagedVideo staged = stager.stage(video(id, src), StageListener.NONE);
            String fileName = Path.of(staged.location()).getFileName().toString();
            assertTrue(fileName.matches("[A-Za-z0-9_%][A-Za-z0-9._%-]*"), why + ": unsafe name " + fileName);
            assertEquals(workspace().toAbsolutePath(), Path.of(staged.location()).getParent(), why);
        }
        assertEquals(ids, ids(stager.list()), why);

        stagers.add(LocalVideoStager.builder(workspace()).budgetBytes(100_000_000).build());
        assertEquals(ids, ids(stagers.get(stagers.size() - 1).list()), why + ": after a restart");

        for (String id : ids) {
            stager.purge(id);
        }
        assertEquals(List.of(), stager.list(), why);
    }

    /** Mixes shell metacharacters, path tricks, control characters and non-ASCII text. */
    private static String hostileId(Random random) {
        String[] pieces = {" ", "'", "\"", "$(", ")", "`", ";", "|", "&", "../", "/", "\\", "\n", "\r", "\t", "%",
            "%2F", ".", "-", ".v.", ".part", "*", "~", "é", "ß", "Ω", "中", "🎥", "\u200B", "\u0001", "a", "Z", "9", "_"};
        StringBuilder id = new StringBuilder();
        int length = 1 + random.nextInt(12);
        for (int i = 0; i < length; i++) {
            if (random.nextInt(4) == 0) {
                int cp;
                do {
                    cp = 1 + random.nextInt(0x10FFFF);
                } while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
                id.appendCodePoint(cp);
            } else {
                id.append(pieces[random.nextInt(pieces.length)]);
            }
        }
        return id.toString();
    }

    @Test
    void rejectsIdsThatCannotBeAFileName() throws IOException {
        LocalVideoStager stager = stager(1_000_000);
        Path src = source("ok.mp4", 100, 7);
        InvalidConfigException tooLong = assertThrows(InvalidConfigException.class,
                () -> stager.stage(video("é".repeat(40), src), StageListener.NONE));
        assertTrue(tooLong.getMessage().contains("240") && tooLong.getMessage().contains("200"), tooLong.getMessage());
        // 200 plain characters is the longest accepted.
        assertEquals(100, stager.stage(video("a".repeat(200), src), StageListener.NONE).sizeBytes());
        assertThrows(InvalidConfigException.class, () -> stager.stage(video("a".repeat(201), src), StageListener.NONE));
        assertThrows(InvalidConfigException.class,
                () -> stager.stage(video("lone \uD800 surrogate", src), StageListener.NONE));
    }

    @Test
    void ignoresForeignFiles() throws IOException {
        Files.createDirectories(workspace());
        for (String foreign : List.of("README", "notes.txt", "x.v.mp4.tmp", "%zz.v.mp4", "a.v.part", "%61.v.mp4",
                "-a.v.mp4", "a.v.MP4", ".v.mp4")) {
            Files.writeString(workspace().resolve(foreign), "foreign");
        }
        LocalVideoStager stager = stager(1_000_000);
        assertEquals(List.of(), stager.list());
        assertEquals(0, stager.usage().usedBytes());
    }

    @Test
    void missingSourceIsUnreadable() {
        LocalVideoStager stager = stager(1_000_000);
        Video missing = new Video("gone", dir.resolve("no-such.mp4").toString(), 1, 25, 100, Map.of());
        VideoException e = assertThrows(VideoException.class, () -> stager.stage(missing, StageListener.NONE));
        assertEquals(VideoException.Kind.UNREADABLE, e.kind());
        assertTrue(e.getMessage().contains("no-such.mp4"), e.getMessage());

        Video remote = new Video("remote", "https://example.org/a.mp4", 1, 25, 100, Map.of());
        assertEquals(VideoException.Kind.UNREADABLE,
                assertThrows(VideoException.class, () -> stager.stage(remote, StageListener.NONE)).kind());
        assertEquals(0, stager.usage().reservedBytes());
    }

    @Test
    void acceptsFileUrisAndIgnoresAThrowingListener() throws IOException {
        LocalVideoStager stager = stager(1_000_000);
        Path src = source("uri clip.mp4", 300_000, 8);
        Video video = new Video("uri", src.toUri().toString(), 1, 25, 300_000, Map.of());
        StagedVideo staged = stager.stage(video, (id, done, total) -> {
            throw new IllegalStateException("broken dashboard");
        });
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(Path.of(staged.location())));
    }

    @Test
    void aNewStagerOverTheSameDirectorySeesWhatIsThere() throws IOException {
        LocalVideoStager first = stager(1_000_000);
        StagedVideo a = first.stage(video("a", source("a.mp4", 1_000, 9)), StageListener.NONE);
        StagedVideo b = first.stage(video("b", source("b.avi", 2_000, 10)), StageListener.NONE);
        Files.write(workspace().resolve(LocalVideoStager.fileNameOf("c", "c.mp4") + ".part"), new byte[500]);
        first.close();
        first.close(); // idempotent
        assertThrows(JugglerException.class, () -> first.stage(video("d", source("d.mp4", 10, 11)), StageListener.NONE));

        LocalVideoStager second = stager(1_000_000);
        assertEquals(List.of(a, b), second.list());
        assertEquals(new WorkspaceUsage(1_000_000, 3_000, 0), second.usage());
        second.purge("c");
        assertFalse(Files.exists(workspace().resolve(LocalVideoStager.fileNameOf("c", "c.mp4") + ".part")),
                "purge removes a partial copy too");
    }

    @Test
    void builderNamesTheBadField() {
        InvalidConfigException budget = assertThrows(InvalidConfigException.class,
                () -> LocalVideoStager.builder(workspace()).budgetBytes(0));
        assertTrue(budget.getMessage().startsWith("budgetBytes = 0"), budget.getMessage());
        assertThrows(InvalidConfigException.class, () -> LocalVideoStager.builder(workspace()).build());
        assertThrows(InvalidConfigException.class, () -> LocalVideoStager.builder(workspace()).parallelTransfers(0));
        assertThrows(InvalidConfigException.class, () -> LocalVideoStager.builder(null));
    }
}
