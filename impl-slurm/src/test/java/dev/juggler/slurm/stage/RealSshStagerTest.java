package dev.juggler.slurm.stage;

import dev.juggler.slurm.RealSlurm;
import dev.juggler.slurm.ssh.SshClient;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The stager over the real OpenSSH server of the test setup (skips without it, fails with CI=true). */
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
}
