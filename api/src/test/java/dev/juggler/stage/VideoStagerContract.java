package dev.juggler.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.video.Video;
import dev.juggler.video.VideoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link VideoStager} must keep (the rules in its class comment): the budget is never
 * exceeded and counts transfers in progress; a resumed {@code .part} continues; a corrupt copy is not
 * accepted; purging frees space; {@link VideoStager#list()} reconciles with what is really there; any
 * id is safe; errors are typed transient or permanent, and never wrapped.
 *
 * <p>Subclass it, implement {@link #newWorkspace()} to return a fresh, empty workspace with raw access
 * to its files (behind the stager's back: to plant partial and foreign files and to check copies), and
 * run it with JUnit 5. Stagers are expected to store a video under
 * {@link StagingProtocol#fileNameOf(String, String)} with {@link StagingProtocol#PART_SUFFIX} for a
 * partial copy (every {@link StagingProtocol}-based stager does). Randomized tests print their seed;
 * rerun one with {@code -Djuggler.test.seed=<seed>}. No test sleeps.
 *
 * <p>Shipped in the api test-jar so that hosts can check their own stagers the same way.
 */
public abstract class VideoStagerContract {

    /** A workspace under test and raw access to its files. Implementations may throw anything. */
    public interface Workspace {

        /** A new stager over this workspace with this budget (at least two transfers at once). */
        VideoStager open(long budgetBytes) throws Exception;

        /** Writes a file into the workspace directly, replacing it. */
        void write(String name, byte[] bytes) throws Exception;

        /** The SHA-256 (hex) of a file in the workspace, or empty if there is none. */
        Optional<String> sha256(String name) throws Exception;

        /** The names of the regular files in the workspace. */
        Set<String> names() throws Exception;

        /** Removes a file directly. */
        void remove(String name) throws Exception;
    }

    /** A fresh, empty workspace for one test. */
    protected abstract Workspace newWorkspace() throws Exception;

    private static final long WAIT_SECONDS = 30;
    private static final String SAFE_NAME = "[A-Za-z0-9_%][A-Za-z0-9._%-]*";

    @TempDir
    Path sources;

    Workspace ws;
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

    Video video(String id, int bytes, long seed) throws Exception {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Path file = Files.write(sources.resolve("src-" + seed + "-" + bytes + ".mp4"), data);
        return new Video(id, file.toString(), 10, 25, bytes, Map.of());
    }

    static String sha(Video video) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                Files.readAllBytes(Path.of(video.location()))));
    }

    static String nameOf(Video video) {
        return StagingProtocol.fileNameOf(video.id(), Path.of(video.location()).getFileName().toString());
    }

    static String fileName(StagedVideo staged) {
        return staged.location().substring(staged.location().lastIndexOf('/') + 1);
    }

    static Set<String> ids(List<StagedVideo> staged) {
        return staged.stream().map(StagedVideo::videoId).collect(Collectors.toSet());
    }

    static long seed(String test) {
        long seed = Long.getLong("juggler.test.seed", System.nanoTime());
        System.out.println(test + ": seed " + seed + " (rerun with -Djuggler.test.seed=" + seed + ")");
        return seed;
    }

    static void assertWithinBudget(VideoStager stager, String why) {
        WorkspaceUsage usage = stager.usage();
        assertTrue(usage.usedBytes() + usage.reservedBytes() <= usage.budgetBytes(), why + ": " + usage);
    }

    // --- staging, verification, purge ----------------------------------------------------------------

    @Test
    void stagesAVerifiedCopyListsItAndPurgesIt() throws Exception {
        VideoStager stager = open(10_000_000);
        Video v = video("session-1/cam 1", 1_500_000, 1);
        List<long[]> reports = new CopyOnWriteArrayList<>();
        StagedVideo staged = stager.stage(v, (id, done, total) -> {
            assertEquals(v.id(), id);
            reports.add(new long[] {done, total});
        });
        assertEquals(v.id(), staged.videoId());
        assertEquals(1_500_000, staged.sizeBytes());
        assertEquals(nameOf(v), fileName(staged));
        assertEquals(Optional.of(sha(v)), ws.sha256(fileName(staged)));
        assertEquals(Set.of(nameOf(v)), ws.names(), "only the complete copy, no .part left");
        assertTrue(reports.stream().allMatch(r -> r[0] <= r[1] && r[1] == 1_500_000));
        assertEquals(1_500_000, reports.get(reports.size() - 1)[0]);
        assertEquals(List.of(staged), stager.list());
        assertEquals(new WorkspaceUsage(10_000_000, 1_500_000, 0), stager.usage());

        int before = reports.size();
        assertEquals(staged, stager.stage(v, (id, done, total) -> reports.add(new long[] {done, total})));
        assertEquals(before, reports.size(), "a staged video is returned at once, without a transfer");

        stager.purge(v.id());
        stager.purge("never-staged");
        assertEquals(List.of(), stager.list());
        assertEquals(0, stager.usage().usedBytes());
        assertEquals(Set.of(), ws.names());
    }

    @Test
    void aVideoThatDoesNotFitIsRefusedTransientlyAndReservesNothing() throws Exception {
        VideoStager stager = open(1_000);
        WorkspaceFullException e = assertThrows(WorkspaceFullException.class,
                () -> stager.stage(video("big", 1_500, 2), StageListener.NONE));
        assertTrue(e.isTransient());
        assertTrue(e.getMessage().contains("1500") && e.getMessage().contains("1000"), e.getMessage());
        assertEquals(new WorkspaceUsage(1_000, 0, 0), stager.usage());
        assertEquals(Set.of(), ws.names(), "a refusal writes nothing");
    }

    @Test
    void aTransferCountsAsReservedUntilItCountsAsUsedNeverBoth() throws Exception {
        VideoStager stager = open(3_000_000);
        Video first = video("first", 2_000_000, 3);
        Video second = video("second", 1_500_000, 4);
        List<WorkspaceUsage> during = new ArrayList<>();
        AtomicReference<Throwable> refusal = new AtomicReference<>();
        stager.stage(first, (id, done, total) -> {
            if (during.isEmpty()) {
                // Fits beside what is used, but not beside the reservation of the transfer in progress.
                refusal.set(assertThrows(WorkspaceFullException.class, () -> stager.stage(second, StageListener.NONE)));
            }
            during.add(stager.usage());
        });
        assertTrue(refusal.get().getMessage().contains("reserved by transfers 2000000"), refusal.get().getMessage());
        assertTrue(during.stream().allMatch(u -> u.equals(new WorkspaceUsage(3_000_000, 0, 2_000_000))),
                during.toString());
        assertEquals(new WorkspaceUsage(3_000_000, 2_000_000, 0), stager.usage());
    }

    @Test
    void theBudgetIsNeverExceededWhileThreadsStageAndPurge() throws Exception {
        long seed = seed("theBudgetIsNeverExceededWhileThreadsStageAndPurge");
        Random random = new Random(seed);
        long budget = 700_000;
        VideoStager stager = open(budget);
        int threads = 3;
        List<List<Video>> own = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Video> videos = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                videos.add(video("t" + t + "/v" + i, 100_000 + random.nextInt(300_000), seed + t * 10L + i));
            }
            own.add(videos);
        }
        List<String> violations = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Map<String, Long>>> models = new ArrayList<>();
        int[] refused = new int[threads];
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                long threadSeed = random.nextLong();
                models.add(pool.submit(() -> {
                    Random r = new Random(threadSeed);
                    Map<String, Long> staged = new HashMap<>(); // this thread's ids: its own operations are ordered
                    StageListener check = (id, done, total) -> {
                        WorkspaceUsage u = stager.usage();
                        if (u.usedBytes() + u.reservedBytes() > u.budgetBytes()) {
                            violations.add(id + " at " + done + ": " + u);
                        }
                    };
                    for (int op = 0; op < 16; op++) {
                        Video v = own.get(thread).get(r.nextInt(4));
                        if (r.nextInt(3) == 0) {
                            stager.purge(v.id());
                            staged.remove(v.id());
                        } else {
                            try {
                                staged.put(v.id(), stager.stage(v, check).sizeBytes());
                            } catch (WorkspaceFullException e) {
                                refused[thread]++;
                            }
                        }
                        assertWithinBudget(stager, "seed " + seed);
                    }
                    return staged;
                }));
            }
            Map<String, Long> expected = new HashMap<>();
            for (Future<Map<String, Long>> model : models) {
                expected.putAll(model.get(WAIT_SECONDS * 4, TimeUnit.SECONDS));
            }
            assertEquals(List.of(), violations, "seed " + seed);
            assertTrue(Arrays.stream(refused).sum() > 0, "seed " + seed + ": the budget was never tight, nothing checked");
            List<StagedVideo> listed = stager.list();
            assertEquals(expected.keySet(), ids(listed), "seed " + seed);
            long used = listed.stream().mapToLong(StagedVideo::sizeBytes).sum();
            assertTrue(used <= budget, "seed " + seed + ": " + used);
            assertEquals(new WorkspaceUsage(budget, used, 0), stager.usage(), "seed " + seed);
        } finally {
            pool.shutdownNow();
        }
    }

    // --- resume and verification -----------------------------------------------------------------------

    @Test
    void aResumedPartialCopyContinuesFromItsLength() throws Exception {
        Video v = video("resume me", 2_000_000, 5);
        byte[] all = Files.readAllBytes(Path.of(v.location()));
        String part = nameOf(v) + StagingProtocol.PART_SUFFIX;
        ws.write(part, Arrays.copyOf(all, 800_000));
        VideoStager stager = open(10_000_000);
        assertEquals(List.of(), stager.list(), "a .part is not a staged video");
        assertEquals(0, stager.usage().usedBytes(), "nor counted as used");

        List<Long> progress = new CopyOnWriteArrayList<>();
        StagedVideo staged = stager.stage(v, (id, done, total) -> progress.add(done));
        assertEquals(800_000L, progress.get(0), "started from the bytes already there: " + progress);
        assertTrue(progress.stream().allMatch(p -> p >= 800_000L), progress.toString());
        assertEquals(2_000_000L, progress.get(progress.size() - 1));
        assertEquals(Optional.of(sha(v)), ws.sha256(fileName(staged)));
        assertEquals(Set.of(nameOf(v)), ws.names());
    }

    @Test
    void aCorruptCopyIsNotAccepted() throws Exception {
        Video v = video("corrupt", 1_000_000, 6);
        String part = nameOf(v) + StagingProtocol.PART_SUFFIX;
        ws.write(part, new byte[400_000]); // zeros, not the source's bytes
        VideoStager stager = open(10_000_000);
        StagedVideo staged;
        try {
            // A transport may repair the bad prefix itself (rsync --append-verify re-sends the file) ...
            staged = stager.stage(v, StageListener.NONE);
        } catch (JugglerException e) {
            // ... or the check finds it: then the failure is transient and the bad copy is gone.
            assertFalse(e instanceof WorkspaceFullException || e instanceof VideoException, e.toString());
            assertTrue(e.isTransient(), e.getMessage());
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertEquals(Set.of(), ws.names(), "the bad copy is deleted");
            assertEquals(List.of(), stager.list());
            assertEquals(new WorkspaceUsage(10_000_000, 0, 0), stager.usage());
            staged = stager.stage(v, StageListener.NONE);
        }
        assertEquals(Optional.of(sha(v)), ws.sha256(fileName(staged)), "only a true copy is ever accepted");
        assertEquals(Set.of(nameOf(v)), ws.names());
    }

    @Test
    void aPartialCopyLongerThanTheSourceStartsOver() throws Exception {
        Video v = video("shrunk", 300_000, 7);
        ws.write(nameOf(v) + StagingProtocol.PART_SUFFIX, new byte[500_000]);
        VideoStager stager = open(10_000_000);
        List<Long> progress = new CopyOnWriteArrayList<>();
        StagedVideo staged = stager.stage(v, (id, done, total) -> progress.add(done));
        assertEquals(0L, progress.get(0));
        assertEquals(Optional.of(sha(v)), ws.sha256(fileName(staged)));
        assertEquals(300_000, staged.sizeBytes());
    }

    // --- purge and reconciliation -------------------------------------------------------------------

    @Test
    void purgeFreesTheSpaceAndRemovesPartialCopies() throws Exception {
        VideoStager stager = open(1_000_000);
        Video a = video("a", 700_000, 8);
        Video b = video("b", 600_000, 9);
        stager.stage(a, StageListener.NONE);
        assertThrows(WorkspaceFullException.class, () -> stager.stage(b, StageListener.NONE));
        stager.purge(a.id());
        assertEquals(new WorkspaceUsage(1_000_000, 0, 0), stager.usage());
        assertEquals(600_000, stager.stage(b, StageListener.NONE).sizeBytes());

        Video c = video("c", 200_000, 10);
        ws.write(nameOf(c) + StagingProtocol.PART_SUFFIX, new byte[1_000]);
        stager.purge(c.id());
        assertEquals(Set.of(nameOf(b)), ws.names(), "purge removes a partial copy too, and nothing else");
    }

    @Test
    void listReconcilesWithWhatIsReallyThere() throws Exception {
        VideoStager first = open(10_000_000);
        Video a = video("a", 100_000, 11);
        Video b = video("b", 200_000, 12);
        StagedVideo stagedA = first.stage(a, StageListener.NONE);
        StagedVideo stagedB = first.stage(b, StageListener.NONE);
        for (String foreign : List.of("README", "x.v.mp4.tmp", "%61.v.mp4", "a.v.part", "-a.v.mp4", "a.v.MP4")) {
            ws.write(foreign, new byte[10]);
        }
        ws.write(StagingProtocol.fileNameOf("c", "c.mp4") + StagingProtocol.PART_SUFFIX, new byte[500]);
        first.close();
        first.close(); // idempotent
        assertThrows(JugglerException.class, () -> first.stage(video("d", 10, 13), StageListener.NONE));

        VideoStager second = open(10_000_000);
        assertEquals(Set.of(stagedA, stagedB), new HashSet<>(second.list()), "a restart sees what is there");
        assertEquals(new WorkspaceUsage(10_000_000, 300_000, 0), second.usage());
        ws.remove(fileName(stagedB)); // behind the stager's back
        assertEquals(List.of(stagedA), second.list());
        assertEquals(new WorkspaceUsage(10_000_000, 100_000, 0), second.usage(), "usage follows list()");
        assertEquals(stagedB, second.stage(b, StageListener.NONE), "staged again once it is really gone");
    }

    // --- ids ----------------------------------------------------------------------------------------

    @Test
    void hostileIdsRoundTripThroughSafeFileNames() throws Exception {
        long seed = seed("hostileIdsRoundTripThroughSafeFileNames");
        Random random = new Random(seed);
        Set<String> ids = new HashSet<>(List.of("-rf", ".hidden", "..", "../../etc/passwd", "a b", "it's", "\"q\"",
                "$(touch pwned)", "`id`", "line\nbreak", "tab\there", "日本語 😀", "%41", "100%", "a.v.mp4", "x.part",
                "nul\u0000byte", "back\\slash", "*?[]", "-", ".", "bom\uFEFF", "cr\rlf\n;rm -rf ~"));
        while (ids.size() < 40) {
            String id = hostileId(random);
            if (!id.isBlank()) { // Video refuses blank ids
                ids.add(id);
            }
        }
        VideoStager stager = open(100_000_000);
        int n = 0;
        for (String id : ids) {
            StagedVideo staged = stager.stage(video(id, 100 + n, 1_000 + n), StageListener.NONE);
            n++;
            assertTrue(fileName(staged).matches(SAFE_NAME), "seed " + seed + ": unsafe name " + fileName(staged));
            assertEquals(id, staged.videoId());
        }
        assertEquals(ids, ids(stager.list()), "seed " + seed);
        assertEquals(ids, ids(open(100_000_000).list()), "seed " + seed + ": after a restart");
        for (String id : ids) {
            stager.purge(id);
        }
        assertEquals(List.of(), stager.list(), "seed " + seed);
        assertEquals(Set.of(), ws.names(), "seed " + seed);
    }

    @Test
    void idsThatCannotBeAFileNameAreRefusedPermanently() throws Exception {
        VideoStager stager = open(1_000_000);
        for (String id : List.of("line\n" + "é".repeat(40), "a".repeat(201), "lone \uD800 surrogate")) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> stager.stage(video(id, 100, 14), StageListener.NONE));
            assertFalse(e.isTransient());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertEquals(100, stager.stage(video("a".repeat(200), 100, 15), StageListener.NONE).sizeBytes(),
                "200 plain characters is the longest id");
        assertEquals(new WorkspaceUsage(1_000_000, 100, 0), stager.usage());
    }

    /** Mixes shell metacharacters, path tricks, control characters and non-ASCII text. */
    static String hostileId(Random random) {
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

    // --- errors -------------------------------------------------------------------------------------

    @Test
    void anUnreadableSourceIsAPermanentVideoException() throws Exception {
        VideoStager stager = open(1_000_000);
        Video missing = new Video("gone", sources.resolve("no-such.mp4").toString(), 1, 25, 100, Map.of());
        VideoException e = assertThrows(VideoException.class, () -> stager.stage(missing, StageListener.NONE));
        assertEquals(VideoException.Kind.UNREADABLE, e.kind());
        assertFalse(e.isTransient());
        assertTrue(e.getMessage().contains("no-such.mp4"), e.getMessage());
        Files.write(sources.resolve("empty.mp4"), new byte[0]);
        Video empty = new Video("empty", sources.resolve("empty.mp4").toString(), 1, 25, 0, Map.of());
        assertFalse(assertThrows(VideoException.class, () -> stager.stage(empty, StageListener.NONE)).isTransient());
        assertEquals(new WorkspaceUsage(1_000_000, 0, 0), stager.usage());
    }

    @Test
    void aCallerSharingAFailedTransferGetsTheSameTypedException() throws Exception {
        Video v = video("shared", 1_000_000, 16);
        VideoStager stager = open(10_000_000);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            AtomicReference<Thread> second = new AtomicReference<>();
            AtomicReference<Future<StagedVideo>> secondCall = new AtomicReference<>();
            Future<StagedVideo> firstCall = pool.submit(() -> stager.stage(v, (id, done, total) -> {
                if (secondCall.get() == null) {
                    secondCall.set(pool.submit(() -> {
                        second.set(Thread.currentThread());
                        return stager.stage(v, StageListener.NONE);
                    }));
                    awaitWaiting(second); // the second call now waits for this transfer
                    try {
                        // The source changes under the transfer: its check fails, transiently.
                        Files.write(Path.of(v.location()), new byte[1], StandardOpenOption.APPEND);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }));
            Throwable first = assertThrows(Exception.class, () -> firstCall.get(WAIT_SECONDS, TimeUnit.SECONDS)).getCause();
            assertInstanceOf(JugglerException.class, first);
            assertTrue(((JugglerException) first).isTransient(), first.toString());
            Throwable shared = assertThrows(Exception.class,
                    () -> secondCall.get().get(WAIT_SECONDS, TimeUnit.SECONDS)).getCause();
            assertInstanceOf(JugglerException.class, shared, "never a CompletionException or another wrapper");
            assertTrue(((JugglerException) shared).isTransient(), shared.toString());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new WorkspaceUsage(10_000_000, 0, 0), stager.usage());
    }

    private static void awaitWaiting(AtomicReference<Thread> thread) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < end) {
            Thread t = thread.get();
            if (t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)) {
                return;
            }
            Thread.onSpinWait();
        }
        fail("the second stage() call never waited for the first");
    }

    @Test
    void interruptingTheStagingThreadStopsTransientlyAndTheNextCallResumes() throws Exception {
        Video v = video("interrupted", 3_000_000, 17);
        VideoStager stager = open(10_000_000);
        JugglerException e = assertThrows(JugglerException.class, () -> stager.stage(v, (id, done, total) -> {
            if (done > 0) {
                Thread.currentThread().interrupt(); // like a host shutting the staging thread down
            }
        }));
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        assertTrue(e.isTransient(), e.getMessage());
        assertEquals(List.of(), stager.list(), "a stopped transfer is never listed as staged");
        assertEquals(new WorkspaceUsage(10_000_000, 0, 0), stager.usage(), "its reservation is given back");

        List<Long> progress = new CopyOnWriteArrayList<>();
        StagedVideo staged = stager.stage(v, (id, done, total) -> progress.add(done));
        assertTrue(progress.get(0) > 0, "resumed, not restarted: " + progress.get(0));
        assertEquals(Optional.of(sha(v)), ws.sha256(fileName(staged)));
    }

    @Test
    void aListenerThatThrowsIsIgnored() throws Exception {
        VideoStager stager = open(10_000_000);
        Video v = video("listener", 500_000, 18);
        StagedVideo staged = stager.stage(v, (id, done, total) -> {
            throw new IllegalStateException("broken dashboard");
        });
        assertEquals(Optional.of(sha(v)), ws.sha256(fileName(staged)));
        assertEquals(staged, stager.stage(v, null), "a null listener is allowed");
    }
}
