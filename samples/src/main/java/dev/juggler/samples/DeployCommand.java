package dev.juggler.samples;

import dev.juggler.inference.pose.PoseModels;
import dev.juggler.samples.config.ClusterConfig;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.JugglerConfig;
import dev.juggler.samples.config.WorkerConfig;
import dev.juggler.samples.deploy.DeployLayout;
import dev.juggler.samples.deploy.Deployer;
import dev.juggler.samples.deploy.JavaCheck;
import dev.juggler.samples.deploy.Payload;
import dev.juggler.samples.deploy.UploadProgress;
import dev.juggler.samples.doctor.Texts;
import dev.juggler.slurm.ssh.SshClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler deploy --config FILE}: puts this program (its class path) and, for BlazePose, the model into
 * {@code worker.deployDirectory} on the SLURM cluster, content-addressed, resumable and verified, and makes it the
 * current release that {@code juggler run}'s worker jobs start from. First checks that the prologue gives the
 * compute nodes Java 17 or newer. See docs/config.md, "juggler deploy". Not thread-safe (one command, one run).
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Uploads the worker (this program's jars, and the BlazePose model when the analysis needs one) to "
                + "worker.deployDirectory on the cluster: content-addressed, resumable, verified; files already there "
                + "are skipped. Then workers of juggler run start from it.")
final class DeployCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The deployment's YAML config.")
    Path configFile;

    @Option(names = "--verify", description = "Also hash the files already on the cluster (sha256sum) and replace wrong ones.")
    boolean verify;

    @Option(names = "--no-progress", description = "Plain lines instead of progress bars (automatic without a terminal).")
    boolean noProgress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        JugglerConfig config = JugglerConfig.load(configFile);
        if (config.cluster() instanceof ClusterConfig.Local) {
            out.println("deploy: nothing to deploy for cluster.type local: workers run this machine's class path");
            out.flush();
            return JugglerCli.OK;
        }
        if (!(config.cluster() instanceof ClusterConfig.Slurm slurm)) {
            spec.commandLine().getErr().println("juggler deploy: cluster.type " + Escape.visible(config.cluster().type())
                    + (config.cluster() instanceof ClusterConfig.Boxes ? " runs workers from a path the boxes share with"
                    + " this machine" : " is a host's own backend") + "; juggler deploy reaches only a SLURM cluster (over SSH)");
            return JugglerCli.FAILED;
        }
        if (config.worker().deployDirectory().isEmpty()) {
            spec.commandLine().getErr().println("juggler deploy: worker.deployDirectory is not set; set it to an absolute "
                    + "directory on the cluster (e.g. /home/you/juggler), outside the workspace");
            return JugglerCli.FAILED;
        }
        DeployLayout layout = DeployLayout.of(config.worker().deployDirectory().get());
        Optional<Path> model = localModel(config, out);
        Optional<Path> detector = localDetector(config, out);
        Optional<Path> boxDetector = localBoxDetector(config, detector, out);
        try (SshClient ssh = SshClient.open(slurm.ssh().sshConfigBuilder().build())) {
            out.printf("deploy: to %s in %s%n", Escape.visible(ssh.target()), Escape.visible(layout.root()));
            JavaCheck.Result java = JavaCheck.run(ssh, slurm.prologue(), config.worker().java());
            out.printf("deploy: Java %d on the cluster after the prologue (%s)%n", java.version(), java.firstLine());
            out.flush();
            try (Payload payload = Payload.current(model, detector, boxDetector)) {
                out.printf("deploy: %d files, %s%n", payload.all().size(),
                        Texts.size(payload.all().stream().mapToLong(a -> a.size()).sum()));
                out.flush();
                boolean plain = noProgress || System.console() == null;
                Deployer.Summary summary = new Deployer(ssh, layout).deploy(payload, verify, new UploadProgress(out, plain));
                out.println(summary.line());
                out.printf("deploy: workers now run `%s @%s %s worker ...`%n", Escape.visible(config.worker().java()),
                        Escape.visible(summary.release().argsFile()), JugglerCli.class.getName());
                out.flush();
                return JugglerCli.OK;
            }
        }
    }

    /**
     * The model file to upload from this machine: for a BlazePose analysis without {@code worker.model} (which names
     * a file on the cluster), the one this machine's model cache holds. Other analyses need none.
     */
    private static Optional<Path> localDetector(JugglerConfig config, PrintWriter out) {
        if (!Deployment.needsDetector(config)) {
            return Optional.empty();
        }
        if (config.worker().detector().isPresent()) {
            out.printf("deploy: the person detector is worker.detector %s on the cluster (not uploaded)%n",
                    Escape.visible(config.worker().detector().get()));
            return Optional.empty();
        }
        return Optional.of(PoseModels.system().locateDetector(null));
    }

    /**
     * The object detector to upload from this machine: when the person detector is uploaded and
     * {@code worker.boxDetector} is not set, the one next to it or in the model cache, if this machine has it.
     */
    private static Optional<Path> localBoxDetector(JugglerConfig config, Optional<Path> detector, PrintWriter out) {
        if (detector.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> configured = config.worker().boxDetector();
        if (configured.isPresent()) {
            out.println(configured.get().equals(WorkerConfig.NO_BOX_DETECTOR)
                    ? "deploy: no object detector (worker.boxDetector: none); workers find people with the person detector alone"
                    : "deploy: the object detector is worker.boxDetector " + Escape.visible(configured.get())
                            + " on the cluster (not uploaded)");
            return Optional.empty();
        }
        Optional<Path> found = PoseModels.system().locateBoxDetector(null, detector.get());
        if (found.isEmpty()) {
            out.printf("deploy: no object detector %s on this machine (run %s to get it); workers will find people with"
                    + " the person detector alone, which misses people seen from behind%n", PoseModels.BOX_DETECTOR_FILE,
                    PoseModels.SETUP_COMMAND);
        }
        return found;
    }

    private static Optional<Path> localModel(JugglerConfig config, PrintWriter out) {
        PoseModels.Variant variant = Analyses.variant(config.worker().analysis());
        if (variant == null) {
            return Optional.empty();
        }
        if (config.worker().model().isPresent()) {
            out.printf("deploy: the model is worker.model %s on the cluster (not uploaded)%n",
                    Escape.visible(config.worker().model().get()));
            return Optional.empty();
        }
        return Optional.of(PoseModels.system().locate(variant, null));
    }
}
