package dev.juggler.slurm.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.JugglerException;
import dev.juggler.slurm.RealSlurm;
import dev.juggler.slurm.ssh.RemoteCommand;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.slurm.ssh.SshConfig;
import dev.juggler.stage.ImageFolderStagerContract;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.VideoStagerContract;
import dev.juggler.video.Video;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The stager over the real OpenSSH server of the test setup (skips without it, fails with CI=true): the
 * {@link VideoStagerContract} and the shared scenarios over SFTP, plus the rsync transfer (rsync is
 * installed there by the setup script).
 */
class RealSshStagerTest extends StagerScenarios {

    static RealSlurm slurm;
    static SshClient client;

    @BeforeAll
    static void up() {
        slurm = RealSlurm.require();
        client = SshClient.open(slurm.ssh().build());
    }

    @AfterAll
    static void down() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    SshClient ssh() {
        return client;
    }

    @Override
    String workspace() {
        return slurm.workdir + "/workspace/test-" + UUID.randomUUID();
    }

    /** The contract, over SFTP to the real sshd. */
    @Nested
    class Contract extends VideoStagerContract {
        @Override
        protected Workspace newWorkspace() {
            return new RemoteWorkspace(client, workspace());
        }
    }

    /** The contract with the bytes moved by rsync. */
    @Nested
    class RsyncContract extends VideoStagerContract {
        @Override
        protected Workspace newWorkspace() {
            return new RemoteWorkspace(client, workspace(), b -> b.transfer(Transfer.RSYNC).rsyncSsh(config()));
        }
    }

    /** Image folders, over SFTP to the real sshd. */
    @Nested
    class ImageFolders extends ImageFolderStagerContract {
        @Override
        protected VideoStagerContract.Workspace newWorkspace() {
            return new RemoteWorkspace(client, workspace());
        }
    }

    /** Image folders with rsync configured: their archive exists only as a stream, so it goes by SFTP. */
    @Nested
    class RsyncImageFolders extends ImageFolderStagerContract {
        @Override
        protected VideoStagerContract.Workspace newWorkspace() {
            return new RemoteWorkspace(client, workspace(), b -> b.transfer(Transfer.RSYNC).rsyncSsh(config()));
        }
    }

    // ---------------------------------------------------------------- rsync transfer

    SshConfig config() {
        return slurm.ssh().build();
    }

    SftpVideoStager rsyncStager(String ws, Transfer mode) {
        return SftpVideoStager.builder(client, ws).budgetBytes(50_000_000).transfer(mode).rsyncSsh(config()).build();
    }

    boolean remoteExists(String path) {
        return client.exec(RemoteCommand.of("test", "-e", path)).ok();
    }

    @Test
    void rsyncStagesVerifiesAndLists() throws Exception {
        String ws = workspace();
        Video v = video("rsync-plain", 3_000_000);
        List<Long> progress = new ArrayList<>();
        try (SftpVideoStager stager = rsyncStager(ws, Transfer.RSYNC)) {
            assertEquals(Transfer.RSYNC, stager.effectiveTransfer());
            StagedVideo staged = stager.stage(v, (vid, done, total) -> progress.add(done));
            assertEquals(3_000_000, staged.sizeBytes());
            assertFalse(staged.location().endsWith(".part"));
            assertFalse(remoteExists(staged.location() + ".part"));
            assertEquals(sha(Path.of(v.location())), remoteSha(staged.location()));
            assertEquals(0L, progress.get(0));
            assertEquals(3_000_000L, progress.get(progress.size() - 1));
            assertEquals(3_000_000, stager.usage().usedBytes());
        }
        try (SftpVideoStager again = SftpVideoStager.builder(client, ws).budgetBytes(50_000_000).build()) {
            List<StagedVideo> listed = again.list();
            assertEquals(1, listed.size());
            assertEquals("rsync-plain", listed.get(0).videoId());
        }
    }

    @Test
    void rsyncResumesAPartialUpload() throws Exception {
        String ws = workspace();
        Video v = video("rsync-resume", 6_000_000);
        byte[] all = Files.readAllBytes(Path.of(v.location()));
        String part = ws + "/rsync-resume.v.mp4.part";
        client.files().mkdirs(ws);
        client.files().write(new ByteArrayInputStream(Arrays.copyOf(all, 2_500_000)), part, false, total -> { });
        List<Long> progress = new ArrayList<>();
        try (SftpVideoStager stager = rsyncStager(ws, Transfer.RSYNC)) {
            StagedVideo staged = stager.stage(v, (vid, done, total) -> progress.add(done));
            assertEquals(2_500_000L, progress.get(0), "resumed at the partial file's end");
            assertTrue(progress.stream().allMatch(p -> p >= 2_500_000L), progress.toString());
            assertEquals(6_000_000, staged.sizeBytes());
            assertEquals(sha(Path.of(v.location())), remoteSha(staged.location()));
            assertFalse(remoteExists(part));
        }
    }

    @Test
    void interruptingTheStagingThreadStopsRsyncAndALaterStageCompletes() throws Exception {
        String ws = workspace();
        Video v = video("rsync-stop", 4_000_000);
        try (SftpVideoStager stager = rsyncStager(ws, Transfer.RSYNC)) {
            JugglerException e = assertThrows(JugglerException.class, () -> stager.stage(v, (vid, done, total) -> {
                Thread.currentThread().interrupt(); // at the first report: rsync is killed at its next poll
            }));
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
            assertTrue(e.isTransient(), e.getMessage());
            assertTrue(stager.list().isEmpty(), "a stopped upload is never listed as staged");
            StagedVideo staged = stager.stage(v, null);
            assertEquals(sha(Path.of(v.location())), remoteSha(staged.location()));
        }
    }

    @Test
    void rsyncCarriesHostileIdsAndPathsVerbatim() throws Exception {
        // The id is percent-encoded into the file name; the workspace path itself reaches rsync as is.
        String marker = "jg-pwned-" + UUID.randomUUID().toString().substring(0, 8);
        String ws = slurm.workdir + "/workspace/-t $(touch " + marker + ") `touch " + marker + "` 'q' \"d\"\n é✓;"
                + UUID.randomUUID();
        String id = "-cam 1 \"q\" 'x' $(touch " + marker + ")\n;`touch " + marker + "` é✓";
        Video v = video(id, 1_000_000);
        try (SftpVideoStager stager = rsyncStager(ws, Transfer.RSYNC)) {
            StagedVideo staged = stager.stage(v, null);
            assertTrue(staged.location().startsWith(ws + "/"));
            assertEquals(sha(Path.of(v.location())), remoteSha(staged.location()));
            List<StagedVideo> listed = stager.list();
            assertEquals(1, listed.size());
            assertEquals(id, listed.get(0).videoId());
            stager.purge(id);
            assertTrue(stager.list().isEmpty());
        }
        // No remote shell ran the id or the path: no marker in the login directory or the workspaces.
        assertFalse(remoteExists(marker));
        assertFalse(remoteExists(ws + "/" + marker));
        assertFalse(remoteExists(slurm.workdir + "/workspace/" + marker));
    }

    @Test
    void autoPicksRsyncWhenUsableAndSftpOtherwise() throws Exception {
        String ws = workspace();
        try (SftpVideoStager stager = rsyncStager(ws, Transfer.AUTO)) {
            assertEquals(Transfer.RSYNC, stager.effectiveTransfer());
            Video v = video("auto", 500_000);
            assertEquals(sha(Path.of(v.location())), remoteSha(stager.stage(v, null).location()));
        }
        SshConfig withPassphrase = slurm.ssh().passphrase("secret-pp".toCharArray()).build();
        try (SftpVideoStager stager = SftpVideoStager.builder(client, ws).budgetBytes(1_000_000)
                .transfer(Transfer.AUTO).rsyncSsh(withPassphrase).build()) {
            assertEquals(Transfer.SFTP, stager.effectiveTransfer(), "a passphrase-protected key falls back to SFTP");
        }
        try (SftpVideoStager stager = SftpVideoStager.builder(client, ws).budgetBytes(1_000_000)
                .transfer(Transfer.AUTO).build()) {
            assertEquals(Transfer.SFTP, stager.effectiveTransfer());
        }
    }

    @Test
    void rsyncRefusesAnUnknownHostKeyPermanently() throws Exception {
        SshConfig wrong = slurm.ssh().knownHosts(slurm.wrongKnownHosts).build();
        try (SftpVideoStager stager = SftpVideoStager.builder(client, workspace()).budgetBytes(1_000_000)
                .transfer(Transfer.RSYNC).rsyncSsh(wrong).build()) {
            JugglerException e = assertThrows(JugglerException.class, () -> stager.stage(video("hk", 1000), null));
            assertFalse(e.isTransient(), e.getMessage());
            assertTrue(e.getMessage().contains("Host key verification failed"), e.getMessage());
        }
    }
}
