package dev.juggler.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.video.Video;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protocol's handling of transport faults, purges and closes, over {@link InMemoryTransport}. */
class StagingProtocolTest {

    @TempDir
    Path dir;

    final InMemoryTransport transport = new InMemoryTransport();

    StagingProtocol stager(boolean checksum) {
        return StagingProtocol.builder().budgetBytes(10_000_000).verifyChecksum(checksum).build(transport);
    }

    Video video(String id, int bytes) throws Exception {
        byte[] data = new byte[bytes];
        new Random(bytes).nextBytes(data);
        Path file = Files.write(dir.resolve(bytes + ".mp4"), data);
        return new Video(id, file.toString(), 1, 25, bytes, Map.of());
    }

    static String name(Video v) {
        return StagingProtocol.fileNameOf(v.id(), Path.of(v.location()).getFileName().toString());
    }

    @Test
    void aFailingTransportIsTransientAndNamesTheVideoEscaped() throws Exception {
        Video v = video("line\nbreak", 200_000);
        try (StagingProtocol stager = stager(true)) {
            transport.failing = "append";
            JugglerException e = assertThrows(JugglerException.class, () -> stager.stage(v, null));
            assertTrue(e.isTransient());
            assertTrue(e.getMessage().contains("'line\\u000abreak'") && !e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("injected failure of append"), e.getMessage());
            assertEquals(new WorkspaceUsage(10_000_000, 0, 0), stager.usage(), "the reservation is given back");

            transport.failing = "list";
            JugglerException listing = assertThrows(JugglerException.class, stager::list);
            assertTrue(listing.isTransient() && listing.getMessage().contains("memory"), listing.getMessage());
            transport.failing = null;
            transport.files.put(StagingProtocol.fileNameOf("x", "x.mp4"), new byte[1]);
            transport.failing = "remove";
            assertTrue(assertThrows(JugglerException.class, () -> stager.purge("x")).isTransient());
        }
    }

    @Test
    void aCopyVerifiedButNotRenamedIsFinishedByTheNextCallWithoutMovingBytes() throws Exception {
        Video v = video("rename", 300_000);
        try (StagingProtocol stager = stager(true)) {
            transport.failing = "rename";
            assertTrue(assertThrows(JugglerException.class, () -> stager.stage(v, null)).isTransient());
            assertEquals(Set.of(name(v) + StagingProtocol.PART_SUFFIX), transport.files.keySet());
            assertEquals(List.of(), stager.list());
            transport.failing = null;
            List<Long> progress = new CopyOnWriteArrayList<>();
            StagedVideo staged = stager.stage(v, (id, done, total) -> progress.add(done));
            assertEquals(List.of(300_000L), progress);
            assertEquals("/memory/" + name(v), staged.location());
            assertEquals(Set.of(name(v)), transport.files.keySet());
        }
    }

    @Test
    void bytesDamagedInFlightAreCaughtByTheChecksumAndOnlyByIt() throws Exception {
        Video v = video("damaged", 150_000);
        transport.damage = true;
        try (StagingProtocol stager = stager(true)) {
            JugglerException e = assertThrows(JugglerException.class, () -> stager.stage(v, null));
            assertTrue(e.isTransient() && e.getMessage().contains("checksum mismatch"), e.getMessage());
            assertEquals(Set.of(), transport.files.keySet(), "the bad copy is deleted");
        }
        try (StagingProtocol unchecked = stager(false)) {
            assertEquals(150_000, unchecked.stage(v, null).sizeBytes(), "without checksums only the size is compared");
        }
    }

    @Test
    void purgingDuringATransferStopsItAndLeavesNothing() throws Exception {
        Video v = video("purged", 5 * InMemoryTransport.CHUNK);
        try (StagingProtocol stager = stager(true)) {
            transport.afterChunk = name -> stager.purge(v.id());
            JugglerException e = assertThrows(JugglerException.class, () -> stager.stage(v, null));
            assertTrue(e.isTransient() && e.getMessage().contains("purged"), e.getMessage());
            assertEquals(Set.of(), transport.files.keySet());
            assertEquals(new WorkspaceUsage(10_000_000, 0, 0), stager.usage());
        }
    }

    @Test
    void closingDuringATransferStopsItKeepsThePartialCopyAndALaterStagerResumesIt() throws Exception {
        Video v = video("closed", 5 * InMemoryTransport.CHUNK);
        StagingProtocol stager = stager(true);
        AtomicReference<Thread> closer = new AtomicReference<>();
        transport.afterChunk = name -> {
            if (closer.get() == null) {
                Thread t = new Thread(stager::close, "closer");
                closer.set(t);
                t.start();
                awaitWaiting(t); // close() now waits for this transfer to stop
            }
        };
        JugglerException e = assertThrows(JugglerException.class, () -> stager.stage(v, null));
        assertTrue(e.isTransient() && e.getMessage().contains("closed"), e.getMessage());
        closer.get().join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(closer.get().isAlive());
        assertEquals(Set.of(name(v) + StagingProtocol.PART_SUFFIX), transport.files.keySet());
        assertFalse(assertThrows(JugglerException.class, () -> stager.stage(v, null)).isTransient(),
                "a closed stager refuses for good");

        transport.afterChunk = name -> { };
        try (StagingProtocol again = stager(true)) {
            List<Long> progress = new CopyOnWriteArrayList<>();
            again.stage(v, (id, done, total) -> progress.add(done));
            assertEquals((long) InMemoryTransport.CHUNK, progress.get(0), "resumed after the chunk written before close");
        }
    }

    @Test
    void builderNamesTheBadField() {
        assertTrue(assertThrows(InvalidConfigException.class, () -> StagingProtocol.builder().budgetBytes(1).build(null))
                .getMessage().startsWith("transport"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> StagingProtocol.builder().build(transport))
                .getMessage().startsWith("budgetBytes"));
        assertThrows(InvalidConfigException.class, () -> StagingProtocol.builder().parallelTransfers(0));
        assertTrue(assertThrows(InvalidConfigException.class, () -> StagingProtocol.builder().budgetBytes(0))
                .getMessage().startsWith("budgetBytes = 0"));
    }

    @Test
    void fileNamesRoundTripAndForeignNamesAreNotVideos() {
        String name = StagingProtocol.fileNameOf("cam 1/'x'", "Clip.MP4");
        assertEquals("cam%201%2F%27x%27.v.mp4", name);
        assertEquals(java.util.Optional.of("cam 1/'x'"), StagingProtocol.videoIdOf(name));
        assertEquals(java.util.Optional.empty(), StagingProtocol.videoIdOf(name + StagingProtocol.PART_SUFFIX));
        assertEquals("a.v.bin", StagingProtocol.fileNameOf("a", "no-extension"));
        assertEquals("a.v.bin", StagingProtocol.fileNameOf("a", "x.part"));
        for (String foreign : List.of("README", "a.v.MP4", "%61.v.mp4", "-a.v.mp4", ".v.mp4", "a.v.part")) {
            assertEquals(java.util.Optional.empty(), StagingProtocol.videoIdOf(foreign), foreign);
        }
    }

    private static void awaitWaiting(Thread t) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING) {
                return;
            }
            Thread.onSpinWait();
        }
        fail("close() never waited");
    }
}
