package dev.juggler.slurm.stage;

import dev.juggler.slurm.ssh.MinaAccess;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.stage.ImageFolderStagerContract;
import dev.juggler.stage.VideoStagerContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The stager over the in-process SSH/SFTP server (the contract and the scenarios): runs everywhere, no setup needed. */
class SftpVideoStagerTest extends StagerScenarios {

    @TempDir
    static Path serverDir;
    static MinaAccess mina;

    @BeforeAll
    static void up() throws Exception {
        mina = MinaAccess.start(Files.createDirectories(serverDir.resolve("ssh")));
    }

    @AfterAll
    static void down() throws Exception {
        mina.close();
    }

    @Override
    SshClient ssh() {
        return mina.client();
    }

    @Override
    String workspace() {
        return serverDir.resolve("ws-" + UUID.randomUUID()).toAbsolutePath().toString();
    }

    /** The contract, over SFTP to the in-process server. */
    @Nested
    class Contract extends VideoStagerContract {
        @Override
        protected Workspace newWorkspace() {
            return new RemoteWorkspace(ssh(), workspace());
        }
    }

    /** Image folders, over SFTP to the in-process server. */
    @Nested
    class ImageFolders extends ImageFolderStagerContract {
        @Override
        protected VideoStagerContract.Workspace newWorkspace() {
            return new RemoteWorkspace(ssh(), workspace());
        }
    }
}
