package dev.juggler.slurm.cluster;

import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.ClusterBackendContract;
import dev.juggler.cluster.JobSpec;
import dev.juggler.slurm.RealSlurm;
import dev.juggler.slurm.ssh.SshClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract on the real single-node SLURM over sshd (skipped without it, failed when CI=true).
 * The node is this machine, so the jobs' shared folder is read directly.
 */
class SlurmClusterBackendContractTest extends ClusterBackendContract {

    static RealSlurm slurm;
    static SshClient ssh;

    private final List<ClusterBackend> opened = new ArrayList<>();

    @BeforeAll
    static void up() {
        slurm = RealSlurm.require();
        ssh = SshClient.open(slurm.ssh().build());
    }

    @AfterAll
    static void down() {
        if (ssh != null) {
            ssh.close();
        }
    }

    @Override
    protected ClusterBackend newBackend(String tag) {
        // Jobs outlive a closed backend, as in production: each test cancels what it leaves running.
        ClusterBackend backend = SlurmClusterBackend.builder(ssh).tag(tag).minPollInterval(Duration.ZERO).controllerCallsPerSecond(50)
                .outputDirectory(slurm.workdir + "/out/contract").cancelOnClose(false).build();
        opened.add(backend);
        return backend;
    }

    @Override
    protected JobSpec.Builder spec(String name, List<String> command) {
        JobSpec.Builder b = JobSpec.builder(name, command);
        if (slurm.partition != null) {
            b.partition(slurm.partition);
        }
        return b;
    }

    @Override
    protected Path sharedDirectory() {
        return Path.of(slurm.workdir, "contract-" + UUID.randomUUID());
    }

    @Override
    protected boolean adoptsEarlierJobs() {
        return true;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(ClusterBackend::close);
    }
}
