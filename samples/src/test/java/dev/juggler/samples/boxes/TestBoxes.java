package dev.juggler.samples.boxes;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.juggler.slurm.ssh.SshConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The test's "boxes": the local sshd of the test environment (JUGGLER_SLURM_SSH_*) listed twice, one slot each,
 * with different work directories under {@code /var/tmp/juggler-boxes-test-<random>}. That sshd runs on this
 * machine, so the jobs' files are read directly.
 */
final class TestBoxes {

    final String root = "/var/tmp/juggler-boxes-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final SshConfig ssh;

    private TestBoxes(SshConfig ssh) {
        this.ssh = ssh;
    }

    /** The settings; the test is skipped without them, and fails when CI=true. */
    static TestBoxes require() {
        String host = System.getenv("JUGGLER_SLURM_SSH_HOST");
        String key = System.getenv("JUGGLER_SLURM_SSH_KEY");
        String knownHosts = System.getenv("JUGGLER_SLURM_SSH_KNOWN_HOSTS");
        String user = System.getenv("JUGGLER_SLURM_SSH_USER");
        if (host == null || key == null || knownHosts == null || user == null) {
            String reason = "no local sshd to use as GPU boxes (JUGGLER_SLURM_SSH_HOST/USER/KEY/KNOWN_HOSTS unset):"
                    + " source /tmp/jtest-env.sh or run scripts/full-test.sh as root";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + reason);
            }
            abort(reason);
        }
        int port = Integer.parseInt(System.getenv().getOrDefault("JUGGLER_SLURM_SSH_PORT", "22"));
        return new TestBoxes(SshConfig.builder(host, user).port(port).identity(Path.of(key)).knownHosts(Path.of(knownHosts))
                .useAgent(false).build());
    }

    SshConfig ssh() {
        return ssh;
    }

    /** Two boxes of one slot each on the one sshd. */
    List<Box> two() {
        return List.of(new Box("box-a", ssh, 1, root + "/a"), new Box("box-b", ssh, 1, root + "/b"));
    }

    /** A folder the jobs write and the test reads. */
    Path shared() {
        return Path.of(root, "shared");
    }
}
