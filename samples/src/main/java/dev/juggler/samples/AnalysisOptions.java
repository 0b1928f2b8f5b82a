package dev.juggler.samples;

import dev.juggler.inference.pose.PoseModels;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that set up an analysis beyond its name, shared by {@code demo} (which forwards them to its
 * workers) and {@code worker}. A picocli mixin; not thread-safe (filled in by the parser, then read).
 */
final class AnalysisOptions {

    /** The OpenPose executable when {@code --openpose-bin} is not given. */
    static final String OPENPOSE_BIN_ENV = "JUGGLER_OPENPOSE_BIN";

    @Option(names = "--pose-model", description = "BlazePose model file or folder (default: the model cache, see "
            + "scripts/setup.d/30-pose-model.sh).")
    Path poseModel;

    @Option(names = "--pose-people", paramLabel = "all|one",
            description = "BlazePose: 'all' finds every person with MediaPipe's person detector and follows them from "
                    + "frame to frame; 'one' runs the pose model once per tile (see --pose-tiles). Default all, "
                    + "and one with --remote.")
    String posePeople;

    @Option(names = "--remote", split = ",", paramLabel = "URL",
            description = "BlazePose: decode and letterbox here, run the landmark model on these inference servers "
                    + "(Open Inference Protocol: juggler serve, Triton, KServe...), e.g. http://gpu1:8000,http://gpu2:8000. "
                    + "Calls go to the least busy server; one that fails is taken out and retried later.")
    List<URI> remote = new ArrayList<>();

    @Option(names = "--remote-model", defaultValue = Analyses.DEFAULT_REMOTE_MODEL,
            description = "The model's name on the servers, default ${DEFAULT-VALUE} (what juggler serve calls it).")
    String remoteModel;

    @Option(names = "--remote-token-env", paramLabel = "VAR",
            description = "Environment variable that holds the servers' bearer token (never given on the command line).")
    String remoteTokenEnv;

    @Option(names = "--remote-token-file", paramLabel = "FILE",
            description = "A file that holds the servers' bearer token (for batch jobs, whose environment a cluster may not pass on).")
    Path remoteTokenFile;

    @Option(names = "--pose-detector", description = "The person detector file pose_detection.tflite (default: next to "
            + "--pose-model, else the model cache).")
    Path poseDetector;

    @Option(names = "--pose-box-detector", paramLabel = "FILE|none",
            description = "The object detector file " + PoseModels.BOX_DETECTOR_FILE + ", which finds people the person "
                    + "detector misses (seen from behind, small); default: next to the person detector, else the model "
                    + "cache, else none. 'none' switches it off.")
    String poseBoxDetector;

    @Option(names = "--pose-tiles", defaultValue = "1x1",
            description = "With --pose-people one: BlazePose on a grid of crops (COLUMNSxROWS), default ${DEFAULT-VALUE}.")
    String poseTiles;

    @Option(names = "--openpose-bin", defaultValue = "${env:" + OPENPOSE_BIN_ENV + "}",
            description = "The OpenPose executable for the openpose-binary analysis (default: $" + OPENPOSE_BIN_ENV + ").")
    Path openposeBinary;

    @Option(names = "--openpose-arg", paramLabel = "ARG",
            description = "One more argument for OpenPose, repeatable; write values that start with a dash as "
                    + "--openpose-arg=--model_folder --openpose-arg=/opt/openpose/models.")
    List<String> openposeArguments = new ArrayList<>();

    @Option(names = "--num-gpu", defaultValue = "-1",
            description = "GPUs one OpenPose process uses, -1 for all it sees (default ${DEFAULT-VALUE}). Every worker "
                    + "gets the same setting: on a cluster the batch system's CUDA_VISIBLE_DEVICES decides which GPUs "
                    + "a job sees; the demo's local workers share this machine's.")
    int numGpu;

    @Option(names = "--num-gpu-start", defaultValue = "0", description = "First GPU OpenPose uses, default ${DEFAULT-VALUE}.")
    int numGpuStart;

    /**
     * The parsed settings, with the tile grid checked and paths made absolute (workers run in another
     * directory). The OpenPose settings are checked by {@link Analyses#check}.
     */
    Analyses.Options toOptions() {
        int[] tiles = Analyses.Options.parseTiles(poseTiles);
        boolean everyPerson = posePeople == null ? remote.isEmpty() : Analyses.Options.parsePeople(posePeople);
        String boxes = poseBoxDetector == null || poseBoxDetector.isBlank() ? null
                : Analyses.NO_BOX_DETECTOR.equals(poseBoxDetector.trim()) ? Analyses.NO_BOX_DETECTOR
                : absolute(Path.of(poseBoxDetector)).toString();
        return new Analyses.Options(absolute(poseModel), everyPerson, absolute(poseDetector), boxes,
                tiles[0], tiles[1], absolute(openposeBinary), openposeArguments, numGpu, numGpuStart,
                new Analyses.Remote(remote, remoteModel, remoteTokenEnv, absolute(remoteTokenFile)));
    }

    // Null for no path, including an empty $JUGGLER_OPENPOSE_BIN.
    private static Path absolute(Path path) {
        return path == null || path.toString().isBlank() ? null : path.toAbsolutePath().normalize();
    }

    /**
     * The same settings as arguments of {@code juggler worker}, in the {@code --name=value} form (so that a
     * value that starts with a dash or an {@code @} is taken as it is), with absolute paths.
     */
    List<String> toArguments() {
        Analyses.Options options = toOptions();
        List<String> args = new ArrayList<>();
        if (posePeople != null) {
            args.add("--pose-people=" + posePeople);
        }
        args.add("--pose-tiles=" + poseTiles);
        if (!remote.isEmpty()) {
            args.add("--remote=" + String.join(",", remote.stream().map(URI::toString).toList()));
            args.add("--remote-model=" + remoteModel);
        }
        if (remoteTokenEnv != null) {
            args.add("--remote-token-env=" + remoteTokenEnv);
        }
        if (options.remote().tokenFile() != null) {
            args.add("--remote-token-file=" + options.remote().tokenFile());
        }
        if (options.poseModel() != null) {
            args.add("--pose-model=" + options.poseModel());
        }
        if (options.poseDetector() != null) {
            args.add("--pose-detector=" + options.poseDetector());
        }
        if (options.poseBoxDetector() != null) {
            args.add("--pose-box-detector=" + options.poseBoxDetector());
        }
        if (options.openposeBinary() != null) {
            args.add("--openpose-bin=" + options.openposeBinary());
        }
        for (String argument : openposeArguments) {
            args.add("--openpose-arg=" + argument);
        }
        args.add("--num-gpu=" + numGpu);
        args.add("--num-gpu-start=" + numGpuStart);
        return args;
    }
}
