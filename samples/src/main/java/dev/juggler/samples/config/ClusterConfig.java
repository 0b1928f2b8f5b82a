package dev.juggler.samples.config;

import dev.juggler.slurm.ssh.SshConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code cluster:} section: where worker jobs run. One of {@link Local} ({@code type: local}),
 * {@link Slurm} ({@code type: slurm}), {@link Boxes} ({@code type: ssh-boxes}: GPU machines over SSH without a
 * batch system) or {@link Custom} ({@code type: com.example.MyBackendFactory}, a host's own backend). All
 * variants are immutable and thread-safe.
 */
public sealed interface ClusterConfig permits ClusterConfig.Local, ClusterConfig.Slurm, ClusterConfig.Boxes,
        ClusterConfig.Custom {

    /** Default {@code cluster.slots} of a local cluster. */
    int DEFAULT_LOCAL_SLOTS = 2;
    /** Default {@code cluster.timeLimit}: {@link dev.juggler.cluster.JobSpec#DEFAULT_TIME_LIMIT}. */
    Duration DEFAULT_TIME_LIMIT = dev.juggler.cluster.JobSpec.DEFAULT_TIME_LIMIT;
    /** Default {@code cluster.cpus} per job. */
    int DEFAULT_CPUS = 1;
    /** Default {@code cluster.arrayConcurrency}: 0 = no cap on array tasks running at once. */
    int DEFAULT_ARRAY_CONCURRENCY = 0;
    /** Default {@code cluster.outputDirectory} on the cluster. */
    String DEFAULT_OUTPUT_DIRECTORY = dev.juggler.slurm.cluster.SlurmClusterBackend.DEFAULT_OUTPUT_DIRECTORY;
    /** Default {@code cluster.minPollInterval}. */
    Duration DEFAULT_MIN_POLL_INTERVAL = dev.juggler.slurm.cluster.SlurmClusterBackend.DEFAULT_MIN_POLL_INTERVAL;

    /** Default {@code slots} of one box of an {@code ssh-boxes} cluster. */
    int DEFAULT_BOX_SLOTS = 1;

    /** {@code local}, {@code slurm}, {@code ssh-boxes} or the factory class name. */
    String type();

    /**
     * Worker processes on this machine.
     *
     * @param slots jobs running at once
     * @param outputDirectory where job output goes, if not the backend's default
     */
    record Local(int slots, Optional<Path> outputDirectory) implements ClusterConfig {
        public Local {
            Objects.requireNonNull(outputDirectory, "outputDirectory");
        }

        @Override
        public String type() {
            return "local";
        }
    }

    /**
     * How to reach a host over SSH.
     *
     * @param host host name or address
     * @param port SSH port
     * @param user remote user
     * @param identityFile private key file, if not the ssh-agent's keys
     * @param knownHosts known_hosts file, if not {@code ~/.ssh/known_hosts}
     * @param acceptNewHostKeys accept and add unknown host keys (never changed ones)
     * @param jumpHost a host to go through first (ProxyJump)
     */
    record Ssh(String host, int port, String user, Optional<Path> identityFile, Optional<Path> knownHosts,
            boolean acceptNewHostKeys, Optional<Ssh> jumpHost) {
        public Ssh {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(identityFile, "identityFile");
            Objects.requireNonNull(knownHosts, "knownHosts");
            Objects.requireNonNull(jumpHost, "jumpHost");
        }

        /** An {@link SshConfig} builder with these settings (the jump host built too); add a passphrase if any. */
        public SshConfig.Builder sshConfigBuilder() {
            SshConfig.Builder b = SshConfig.builder(host, user).port(port).acceptNewHostKeys(acceptNewHostKeys);
            identityFile.ifPresent(b::identity);
            knownHosts.ifPresent(b::knownHosts);
            jumpHost.ifPresent(j -> b.jumpHost(j.sshConfigBuilder().build()));
            return b;
        }
    }

    /**
     * SLURM over SSH.
     *
     * @param ssh the login node
     * @param partition {@code --partition}, if any
     * @param account {@code --account}, if any
     * @param qos {@code --qos}, if any
     * @param gpus GPUs per job
     * @param cpus CPUs per job
     * @param memoryBytes memory per job, if set
     * @param timeLimit the job time limit
     * @param arrayConcurrency array tasks running at once, 0 for no cap
     * @param prologue shell lines run before the worker (e.g. {@code module load java/17})
     * @param wrapper a command prefix (e.g. {@code apptainer exec img.sif})
     * @param outputDirectory absolute directory on the cluster for job output
     * @param tag marks this deployment's jobs so that a restarted juggler adopts them
     * @param minPollInterval calls to squeue closer together return the last snapshot
     */
    record Slurm(Ssh ssh, Optional<String> partition, Optional<String> account, Optional<String> qos, int gpus, int cpus,
            OptionalLong memoryBytes, Duration timeLimit, int arrayConcurrency, List<String> prologue,
            List<String> wrapper, String outputDirectory, String tag, Duration minPollInterval) implements ClusterConfig {
        public Slurm {
            Objects.requireNonNull(ssh, "ssh");
            Objects.requireNonNull(memoryBytes, "memoryBytes");
            prologue = List.copyOf(prologue);
            wrapper = List.copyOf(wrapper);
        }

        @Override
        public String type() {
            return "slurm";
        }

        /** Memory in MiB as SLURM's {@code --mem=<n>M} counts it (rounded up), if set. */
        public java.util.OptionalInt memoryMegabytes() {
            if (memoryBytes.isEmpty()) {
                return java.util.OptionalInt.empty();
            }
            long mib = (memoryBytes.getAsLong() + (1L << 20) - 1) >> 20;
            return java.util.OptionalInt.of((int) Math.min(Integer.MAX_VALUE, mib));
        }
    }

    /**
     * One GPU machine of an {@code ssh-boxes} cluster.
     *
     * @param name its name in messages (unique)
     * @param ssh how to reach it
     * @param slots jobs at once, one GPU each
     * @param workDirectory absolute directory on the box for job directories
     */
    record Box(String name, Ssh ssh, int slots, String workDirectory) {
        public Box {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(ssh, "ssh");
            Objects.requireNonNull(workDirectory, "workDirectory");
        }
    }

    /**
     * GPU machines reached over SSH, without a batch system: {@link dev.juggler.samples.boxes.SshBoxesBackend}.
     *
     * @param boxes the machines, at least one
     * @param timeLimit the job time limit (the box kills the job then)
     * @param prologue shell lines run before the worker (in {@code bash -l})
     * @param wrapper a command prefix
     * @param tag marks this deployment's jobs so that a restarted juggler adopts them
     */
    record Boxes(List<Box> boxes, Duration timeLimit, List<String> prologue, List<String> wrapper, String tag)
            implements ClusterConfig {
        public Boxes {
            boxes = List.copyOf(boxes);
            Objects.requireNonNull(timeLimit, "timeLimit");
            prologue = List.copyOf(prologue);
            wrapper = List.copyOf(wrapper);
            Objects.requireNonNull(tag, "tag");
        }

        @Override
        public String type() {
            return "ssh-boxes";
        }
    }

    /**
     * A host's own backend, made by the named factory class with the free-form options.
     *
     * @param factoryClass fully qualified class name
     * @param options {@code cluster.options}, strings by key
     */
    record Custom(String factoryClass, Map<String, String> options) implements ClusterConfig {
        public Custom {
            Objects.requireNonNull(factoryClass, "factoryClass");
            options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
        }

        @Override
        public String type() {
            return factoryClass;
        }
    }
}
