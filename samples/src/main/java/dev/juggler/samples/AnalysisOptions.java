package dev.juggler.samples;

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

    @Option(names = "--pose-people", defaultValue = "all", paramLabel = "all|one",
            description = "BlazePose: 'all' finds every person with MediaPipe's person detector and follows them from "
                    + "frame to frame; 'one' runs the pose model once per tile (see --pose-tiles). Default ${DEFAULT-VALUE}.")
    String posePeople;

    @Option(names = "--pose-detector", description = "The person detector file pose_detection.tflite (default: next to "
            + "--pose-model, else the model cache).")
    Path poseDetector;

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
        return new Analyses.Options(absolute(poseModel), Analyses.Options.parsePeople(posePeople), absolute(poseDetector),
                tiles[0], tiles[1], absolute(openposeBinary), openposeArguments, numGpu, numGpuStart);
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
        args.add("--pose-people=" + posePeople);
        args.add("--pose-tiles=" + poseTiles);
        if (options.poseModel() != null) {
            args.add("--pose-model=" + options.poseModel());
        }
        if (options.poseDetector() != null) {
            args.add("--pose-detector=" + options.poseDetector());
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
