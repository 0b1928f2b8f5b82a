package dev.juggler.slurm.cluster;

import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.ClusterBackendContract;
import dev.juggler.cluster.JobSpec;
import dev.juggler.slurm.CountingSsh;
import dev.juggler.slurm.RealSlurm;
import dev.juggler.slurm.ssh.ExecResult;
import dev.juggler.slurm.ssh.SshClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
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
    /** Each backend's own view of the shared connection, which {@link #forget} can tamper with. */
    private final Map<ClusterBackend, CountingSsh> views = new IdentityHashMap<>();

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
        CountingSsh view = new CountingSsh(ssh); // the backend never closes its client: nor the shared one
        ClusterBackend backend = SlurmClusterBackend.builder(view).tag(tag).minPollInterval(Duration.ZERO).controllerCallsPerSecond(50)
                .outputDirectory(slurm.workdir + "/out/contract").cancelOnClose(false).build();
        opened.add(backend);
        views.put(backend, view);
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

    @Override
    protected boolean canForget() {
        return true;
    }

    /**
     * What SLURM does after MinJobAge with accounting off: squeue no longer lists the job, and sacct says
     * "accounting storage is disabled". Only this backend's view changes; the job itself runs on.
     */
    @Override
    protected void forget(ClusterBackend backend, String jobId) {
        views.get(backend).tamper = (cmd, r) -> {
            String program = cmd.argv().get(0);
            if (program.equals("squeue") && r.ok()) {
                String kept = Arrays.stream(r.out().split("\n"))
                        .filter(line -> !line.split("\\|", -1)[0].trim().equals(jobId))
                        .collect(Collectors.joining("\n"));
                return new ExecResult(0, kept.getBytes(StandardCharsets.UTF_8), r.stderr(), r.elapsed());
            }
            if (program.equals("sacct")) {
                return new ExecResult(1, new byte[0], "sacct: error: Slurm accounting storage is disabled\n"
                        .getBytes(StandardCharsets.UTF_8), r.elapsed());
            }
            return r;
        };
    }

    @AfterEach
    void closeAll() {
        opened.forEach(ClusterBackend::close);
    }
}
