package dev.juggler.slurm.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.WorkspaceFullException;
import dev.juggler.video.Video;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SFTP stager's behaviour, run against an in-process server and against the real sshd. */
abstract class StagerScenarios {

    @TempDir
    Path local;

    abstract SshClient ssh();

    /** A fresh absolute remote directory for one test. */
    abstract String workspace();

    Video video(String id, int bytes) throws Exception {
        Path f = local.resolve(UUID.randomUUID() + ".mp4");
        byte[] data = new byte[bytes];
        new Random(bytes).nextBytes(data);
        Files.write(f, data);
        return new Video(id, f.toString(), 10, 25, bytes, Map.of());
    }

    static String sha(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    String remoteSha(String path) {
        return ssh().exec(RemoteCommand.of("sha256sum", "--", path)).out().replaceFirst("^\\\\", "").split("\\s+")[0];
    }

    @Test
    void stagesVerifiesListsAndPurgesHostileIds() throws Exception {
        String ws = workspace();
        String id = "cam 1/'$(touch x)'\n;-é";
        Video v = video(id, 3_000_000);
        List<Long> progress = new ArrayList<>();
        try (SftpVideoStager stager = SftpVideoStager.builder(ssh(), ws).budgetBytes(10_000_000).build()) {
            StagedVideo staged = stager.stage(v, (vid, done, total) -> progress.add(done));
            assertEquals(3_000_000, staged.sizeBytes());
            assertEquals(sha(Path.of(v.location())), remoteSha(staged.location()));
            assertEquals(3_000_000, progress.get(progress.size() - 1));
            assertEquals(3_000_000, stager.usage().usedBytes());
            assertEquals(staged, stager.stage(v, null), "already there: returned at once");
        }
        // A new stager (a restart) learns what is there from the directory.
        try (SftpVideoStager again = SftpVideoStager.builder(ssh(), ws).budgetBytes(10_000_000).build()) {
            List<StagedVideo> listed = again.list();
            assertEquals(1, listed.size());
            assertEquals(id, listed.get(0).videoId());
            assertEquals(3_000_000, again.usage().usedBytes());
            again.purge(id);
            assertTrue(again.list().isEmpty());
            assertEquals(0, again.usage().usedBytes());
            again.purge("never-there");
        }
    }

    @Test
    void budgetRefusesWhatDoesNotFitCountingUploadsInProgress() throws Exception {
        String ws = workspace();
        try (SftpVideoStager stager = SftpVideoStager.builder(ssh(), ws).budgetBytes(5_000_000).parallelTransfers(2).build()) {
            stager.stage(video("a", 2_000_000), null);
            WorkspaceFullException full = assertThrows(WorkspaceFullException.class, () -> stager.stage(video("b", 3_500_000), null));
            assertTrue(full.isTransient());
            // While "c" is uploading its 2.5 MB are reserved: "d" (1 MB) does not fit on top of them.
            Video c = video("c", 2_500_000);
            Video d = video("d", 1_000_000);
            boolean[] refused = {false};
            stager.stage(c, (vid, done, total) -> {
                if (!refused[0] && done > 0 && done < total) {
                    refused[0] = true;
                    assertEquals(2_500_000, stager.usage().reservedBytes());
                    assertThrows(WorkspaceFullException.class, () -> stager.stage(d, null));
                }
            });
            assertTrue(refused[0]);
            assertEquals(4_500_000, stager.usage().usedBytes());
            assertTrue(stager.usage().usedBytes() <= 5_000_000);
        }
    }

    @Test
    void interruptedUploadResumesFromThePartialFile() throws Exception {
        String ws = workspace();
        Video v = video("resume-me", 8_000_000);
        try (SftpVideoStager stager = SftpVideoStager.builder(ssh(), ws).budgetBytes(20_000_000).build()) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> first = pool.submit(() -> stager.stage(v, (vid, done, total) -> {
                    if (done > total / 3) {
                        Thread.currentThread().interrupt(); // like a host shutting the stager's thread down
                    }
                }));
                Exception e = assertThrows(Exception.class, first::get);
                assertTrue(e.getCause() instanceof JugglerException, String.valueOf(e.getCause()));
                assertTrue(((JugglerException) e.getCause()).isTransient());
            } finally {
                pool.shutdownNow();
            }
            assertTrue(stager.list().isEmpty(), "a partial upload is never listed as staged");
            AtomicLong firstReport = new AtomicLong(-1);
            StagedVideo staged = stager.stage(v, (vid, done, total) -> firstReport.compareAndSet(-1, done));
            assertTrue(firstReport.get() > 0, "resumed, not restarted: first progress at " + firstReport.get());
            assertEquals(sha(Path.of(v.location())), remoteSha(staged.location()));
            assertEquals(8_000_000, staged.sizeBytes());
        }
    }

    @Test
    void parallelUploadsAllArrive() throws Exception {
        String ws = workspace();
        try (SftpVideoStager stager = SftpVideoStager.builder(ssh(), ws).budgetBytes(50_000_000).parallelTransfers(2).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<StagedVideo>> all = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Video v = video("p" + i, 1_000_000 + i);
                    all.add(pool.submit(() -> stager.stage(v, null)));
                }
                for (Future<StagedVideo> f : all) {
                    assertFalse(f.get().location().endsWith(".part"));
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(4, stager.list().size());
        }
    }
}
