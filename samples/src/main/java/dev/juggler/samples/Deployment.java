package dev.juggler.samples;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.LocalClusterBackend;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.run.Juggler;
import dev.juggler.run.JugglerListener;
import dev.juggler.samples.boxes.Box;
import dev.juggler.samples.boxes.SshBoxesBackend;
import dev.juggler.samples.config.ClusterConfig;
import dev.juggler.samples.config.JugglerConfig;
import dev.juggler.samples.config.LedgerConfig;
import dev.juggler.samples.config.WorkerConfig;
import dev.juggler.samples.config.WorkspaceConfig;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.deploy.DeployLayout;
import dev.juggler.samples.deploy.Release;
import dev.juggler.slurm.cluster.SlurmClusterBackend;
import dev.juggler.slurm.ssh.SshClient;
import dev.juggler.slurm.stage.SftpVideoStager;
import dev.juggler.slurm.stage.Transfer;
import dev.juggler.stage.LocalVideoStager;
import dev.juggler.stage.VideoStager;
import java.nio.file.Path;
import dev.juggler.run.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of one deployment, opened from its config: the ledger, the SSH connection (when the cluster
 * or the workspace is reached over SSH), the cluster backend, the workspace stager and the worker job.
 * Closing it closes what it opened, in reverse order; the worker jobs themselves are left to the cluster
 * (a SLURM backend does not cancel them; the local backend ends its processes, which would otherwise be
 * orphans). Not thread-safe; its parts are.
 */
final class Deployment implements AutoCloseable {

    /** The job name of worker jobs (squeue shows it). */
    static final String WORKER_JOB_NAME = "juggler-worker";

    private final JugglerConfig config;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private WorkLedger ledger;
    private SshClient ssh;
    private ClusterBackend backend;
    private VideoStager stager;
    private Optional<Release> release = Optional.empty();

    private Deployment(JugglerConfig config) {
        this.config = config;
    }

    /** Opens the ledger only (for commands that need nothing else). */
    static WorkLedger openLedger(JugglerConfig config) {
        return config.ledger().builder().build();
    }

    /** Opens every part; on a failure closes what was opened and rethrows. */
    static Deployment open(JugglerConfig config) {
        Deployment d = new Deployment(config);
        try {
            d.ledger = d.keep(openLedger(config));
            d.release = d.readRelease();
            d.backend = d.keep(d.openBackend());
            d.stager = d.keep(d.openStager());
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    WorkLedger ledger() {
        return ledger;
    }

    ClusterBackend backend() {
        return backend;
    }

    VideoStager stager() {
        return stager;
    }

    /** A Juggler over these parts with the config's loop settings; the caller closes it before this. */
    Juggler juggler(JugglerListener listener) {
        Juggler.Builder b = Juggler.builder(ledger, backend, stager, workerJob())
                .framesPerWorker(config.worker().framesPerWorker())
                .arrayConcurrency(config.cluster() instanceof ClusterConfig.Slurm s ? s.arrayConcurrency() : 0)
                .listener(listener);
        if (config.cluster() instanceof ClusterConfig.Slurm slurm) {
            b.runKey(slurm.tag()); // the job records of one run, across restarts: the same key as the jobs' tag
        } else if (config.cluster() instanceof ClusterConfig.Boxes boxes) {
            b.runKey(boxes.tag()); // the boxes adopt earlier jobs by their tag, as SLURM does
        }
        return config.juggler().applyTo(b).build();
    }

    /** What one worker job runs: {@code juggler worker} with this config's ledger and analysis. */
    JobSpec workerJob() {
        return workerJob(config, WORKER_JOB_NAME, List.of(), release);
    }

    /** The deployed release the workers run from (read at open), when {@code worker.deployDirectory} applies. */
    Optional<Release> release() {
        return release;
    }

    /**
     * The worker job of {@code config} under another job name, with {@code extraArguments} after the worker's
     * own (e.g. {@code --check} for {@code juggler doctor}'s probe job).
     *
     * @param release the deployed release (see {@link #usesDeployDirectory}); the job runs from it: its argument
     *        file (the class path of its cas files) and, when the analysis needs one and {@code worker.model} is
     *        not set, its model. Recorded here, so jobs already submitted keep their release when another is deployed
     * @throws JugglerException if the config runs from a deploy directory and no (fitting) release is given
     */
    static JobSpec workerJob(JugglerConfig config, String jobName, List<String> extraArguments, Optional<Release> release) {
        WorkerConfig worker = config.worker();
        List<String> command = new ArrayList<>();
        command.add(worker.java());
        command.addAll(worker.jvmOptions());
        command.add("-Djava.awt.headless=true");
        Optional<String> deployedModel = Optional.empty();
        Optional<String> deployedDetector = Optional.empty();
        Optional<String> deployedBoxDetector = Optional.empty();
        if (usesDeployDirectory(config)) {
            Release r = release.orElseThrow(() -> notDeployed(config));
            command.add("@" + r.argsFile());
            deployedModel = deployedModel(config, r);
            deployedDetector = deployedDetector(config, r);
            deployedBoxDetector = deployedBoxDetector(config, r);
        } else if ((config.cluster() instanceof ClusterConfig.Custom || config.cluster() instanceof ClusterConfig.Boxes)
                && worker.deployDirectory().isPresent()) {
            // A host's own backend, or boxes the release was copied to: the newest release's argument file.
            command.add("@" + DeployLayout.of(worker.deployDirectory().get()).currentArgsFile());
        } else {
            command.add("-cp");
            command.add(ownClassPath());
        }
        command.add(JugglerCli.class.getName());
        command.addAll(workerArguments(config));
        deployedModel.ifPresent(m -> command.add("--pose-model=" + m));
        deployedDetector.ifPresent(d -> command.add("--pose-detector=" + d));
        deployedBoxDetector.ifPresent(d -> command.add("--pose-box-detector=" + d));
        command.addAll(extraArguments);
        JobSpec.Builder job = JobSpec.builder(jobName, command).environment("JUGGLER_LOG_LEVEL", "INFO");
        config.ledger().password().ifPresent(pw -> job.secretEnvironment(WorkerCommand.PASSWORD_ENV, pw));
        if (config.cluster() instanceof ClusterConfig.Slurm slurm) {
            job.timeLimit(slurm.timeLimit()).cpus(slurm.cpus()).gpus(slurm.gpus()).prologue(slurm.prologue())
                    .wrapper(slurm.wrapper()).outputDirectory(slurm.outputDirectory());
            slurm.memoryMegabytes().ifPresent(job::memoryMegabytes);
            slurm.partition().ifPresent(job::partition);
            slurm.account().ifPresent(job::account);
            slurm.qos().ifPresent(job::qos);
        } else if (config.cluster() instanceof ClusterConfig.Boxes boxes) {
            // One GPU slot per job: the box sets CUDA_VISIBLE_DEVICES.
            job.timeLimit(boxes.timeLimit()).gpus(1).prologue(boxes.prologue()).wrapper(boxes.wrapper());
        } else if (config.cluster() instanceof ClusterConfig.Local local) {
            local.outputDirectory().ifPresent(job::outputDirectory);
        }
        return job.build();
    }

    /**
     * This program's class path with every entry absolute: workers start in another directory, so a relative
     * entry ({@code java -jar samples/target/juggler.jar}) would not be found there.
     */
    static String ownClassPath() {
        String separator = java.io.File.pathSeparator;
        return java.util.Arrays.stream(System.getProperty("java.class.path", "").split(java.util.regex.Pattern.quote(separator)))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> java.nio.file.Path.of(entry).toAbsolutePath().normalize().toString())
                .collect(java.util.stream.Collectors.joining(separator));
    }

    /**
     * The arguments of {@code juggler worker} for this config: the ledger (never its password, which goes
     * through the job's secrets), the tables, the analysis and the claim settings.
     */
    static List<String> workerArguments(JugglerConfig config) {
        LedgerConfig ledger = config.ledger();
        WorkerConfig worker = config.worker();
        List<String> args = new ArrayList<>(List.of("worker", "--ledger-url=" + ledger.url(),
                "--table-prefix=" + ledger.tablePrefix(), "--analysis=" + worker.analysis(),
                "--initial-chunk=" + worker.initialChunk(), "--max-chunk=" + worker.maxChunk(),
                "--lease=" + worker.lease(), "--safety-margin=" + worker.safetyMargin(),
                "--pose-people=" + worker.posePeople(), "--pose-tiles=" + worker.poseTiles()));
        // Only when set: a release deployed before these options existed still starts with the defaults.
        if (!worker.targetChunk().equals(Worker.DEFAULT_TARGET_CHUNK_DURATION)) {
            args.add("--target-chunk=" + worker.targetChunk());
        }
        if (worker.checkpointFrames() != Worker.DEFAULT_CHECKPOINT_FRAMES) {
            args.add("--checkpoint-frames=" + worker.checkpointFrames());
        }
        if (!worker.checkpointInterval().equals(Worker.DEFAULT_CHECKPOINT_INTERVAL)) {
            args.add("--checkpoint-interval=" + worker.checkpointInterval());
        }
        ledger.user().ifPresent(u -> args.add("--ledger-user=" + u));
        ledger.schema().ifPresent(s -> args.add("--schema=" + s));
        worker.model().ifPresent(m -> args.add("--pose-model=" + m));
        worker.detector().ifPresent(d -> args.add("--pose-detector=" + d));
        worker.boxDetector().ifPresent(d -> args.add("--pose-box-detector=" + d));
        worker.remote().ifPresent(r -> {
            args.add("--remote=" + String.join(",", r.endpoints()));
            args.add("--remote-model=" + r.model());
            r.tokenFile().ifPresent(f -> args.add("--remote-token-file=" + f));
        });
        worker.openpose().binary().ifPresent(b -> args.add("--openpose-bin=" + b));
        worker.openpose().args().forEach(a -> args.add("--openpose-arg=" + a));
        args.add("--num-gpu=" + worker.openpose().numGpu());
        args.add("--num-gpu-start=" + worker.openpose().numGpuStart());
        return args;
    }

    /**
     * Whether workers run from a release that {@code juggler deploy} put into {@code worker.deployDirectory}: with a
     * SLURM cluster and the directory set. Otherwise they run this program's own class path (right for the local
     * cluster, and for a cluster that shares this machine's file system).
     */
    static boolean usesDeployDirectory(JugglerConfig config) {
        return config.cluster() instanceof ClusterConfig.Slurm && config.worker().deployDirectory().isPresent();
    }

    /** The release's model, when the analysis needs a model and {@code worker.model} does not name one. */
    private static Optional<String> deployedModel(JugglerConfig config, Release r) {
        PoseModels.Variant variant = Analyses.variant(config.worker().analysis());
        if (variant == null || config.worker().model().isPresent()) {
            return Optional.empty();
        }
        if (r.model().isEmpty() || !r.model().get().endsWith("-" + variant.fileName())) {
            throw JugglerException.permanentFailure("the deployed release " + r.id() + " has no " + variant.fileName() + " for analysis "
                    + config.worker().analysis() + " (it was deployed for another analysis); run juggler deploy --config FILE", null);
        }
        return r.model();
    }

    /** Whether the config's analysis finds every person with the detector (and so needs it on the cluster). */
    static boolean needsDetector(JugglerConfig config) {
        return Analyses.isBlazePose(config.worker().analysis()) && config.worker().posePeople().equals("all");
    }

    /** The release's person detector, when the analysis needs one and {@code worker.detector} does not name one. */
    private static Optional<String> deployedDetector(JugglerConfig config, Release r) {
        if (!needsDetector(config) || config.worker().detector().isPresent()) {
            return Optional.empty();
        }
        if (r.detector().isEmpty()) {
            throw JugglerException.permanentFailure("the deployed release " + r.id() + " has no "
                    + PoseModels.DETECTOR_FILE + " for worker.posePeople: all (it was deployed before, or for"
                    + " another analysis); run juggler deploy --config FILE", null);
        }
        return r.detector();
    }

    /**
     * The release's object detector, when the analysis finds every person and {@code worker.boxDetector} does
     * not say otherwise; none for a release deployed without it (its workers use the person detector alone).
     */
    private static Optional<String> deployedBoxDetector(JugglerConfig config, Release r) {
        return needsDetector(config) && config.worker().boxDetector().isEmpty() ? r.boxDetector() : Optional.empty();
    }

    private static JugglerException notDeployed(JugglerConfig config) {
        return JugglerException.permanentFailure("worker.deployDirectory " + Escape.visible(config.worker().deployDirectory().orElse(""))
                + " holds no release: run juggler deploy --config FILE first", null);
    }

    /** The current release in the deploy directory, read over SSH, when workers run from one. */
    private Optional<Release> readRelease() {
        if (!usesDeployDirectory(config)) {
            return Optional.empty();
        }
        Optional<Release> r = Release.readCurrent(ssh(), DeployLayout.of(config.worker().deployDirectory().get()));
        if (r.isEmpty()) {
            throw notDeployed(config);
        }
        deployedModel(config, r.get());
        return r;
    }


    private ClusterBackend openBackend() {
        ClusterConfig cluster = config.cluster();
        if (cluster instanceof ClusterConfig.Local local) {
            LocalClusterBackend.Builder b = LocalClusterBackend.builder().slots(local.slots());
            local.outputDirectory().ifPresent(b::outputDirectory);
            return b.build();
        }
        if (cluster instanceof ClusterConfig.Slurm slurm) {
            return SlurmClusterBackend.builder(ssh()).tag(slurm.tag()).outputDirectory(slurm.outputDirectory())
                    .minPollInterval(slurm.minPollInterval()).build();
        }
        if (cluster instanceof ClusterConfig.Boxes boxes) {
            return boxesBackend(boxes);
        }
        ClusterConfig.Custom custom = (ClusterConfig.Custom) cluster;
        return BackendFactory.load(custom.factoryClass()).create(custom.options());
    }

    /** The {@code ssh-boxes} backend of this config (it opens and closes one SSH connection per box). */
    static SshBoxesBackend boxesBackend(ClusterConfig.Boxes boxes) {
        SshBoxesBackend.Builder b = SshBoxesBackend.builder().tag(boxes.tag());
        for (ClusterConfig.Box box : boxes.boxes()) {
            b.box(new Box(box.name(), box.ssh().sshConfigBuilder().build(), box.slots(), box.workDirectory()));
        }
        return b.build();
    }

    private VideoStager openStager() {
        WorkspaceConfig workspace = config.workspace();
        if (workspace.type() == WorkspaceConfig.Type.LOCAL) {
            return LocalVideoStager.builder(workspace.localDirectory()).budgetBytes(workspace.budgetBytes()).build();
        }
        return SftpVideoStager.builder(ssh(), workspace.directory()).budgetBytes(workspace.budgetBytes())
                .verifyChecksum(workspace.verifyChecksum())
                .transfer(workspace.type() == WorkspaceConfig.Type.RSYNC ? Transfer.RSYNC : Transfer.SFTP).build();
    }

    /** The one SSH connection to the cluster, opened on first use. */
    private SshClient ssh() {
        if (ssh == null) {
            if (!(config.cluster() instanceof ClusterConfig.Slurm slurm)) {
                throw InvalidConfigException.of("workspace.type", config.workspace().type().key(),
                        "needs cluster.type slurm (its ssh settings reach the workspace)");
            }
            ssh = keep(SshClient.open(slurm.ssh().sshConfigBuilder().build()));
        }
        return ssh;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        opened.add(resource);
        return resource;
    }

    @Override
    public void close() {
        JugglerException first = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = JugglerException.permanentFailure("closing " + opened.get(i).getClass().getSimpleName() + " failed: " + e, e);
                }
            }
        }
        opened.clear();
        if (first != null) {
            throw first;
        }
    }

    /**
     * A host's own cluster backend for {@code cluster.type: <class name>}: the class must implement this
     * interface and have a public no-argument constructor. {@code create} gets {@code cluster.options}.
     */
    public interface BackendFactory {
        ClusterBackend create(Map<String, String> options);

        /** Loads and instantiates the named factory, with a clear error when that is impossible. */
        static BackendFactory load(String className) {
            try {
                Class<?> type = Class.forName(className);
                if (!BackendFactory.class.isAssignableFrom(type)) {
                    throw InvalidConfigException.of("cluster.type", className, "must implement "
                            + BackendFactory.class.getName());
                }
                return (BackendFactory) type.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw InvalidConfigException.of("cluster.type", className, "must be local, slurm, or a class on the class path"
                        + " with a public no-argument constructor (" + e + ")");
            }
        }
    }
}
