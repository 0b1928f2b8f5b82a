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

    @Option(names = "--pose-tiles", defaultValue = "1x1",
            description = "BlazePose on a grid of crops (COLUMNSxROWS) to find several or small people, default ${DEFAULT-VALUE}.")
    String poseTiles;

    @Option(names = "--openpose-bin", defaultValue = "${env:" + OPENPOSE_BIN_ENV + "}",
            description = "The OpenPose executable for the openpose-binary analysis (default: $" + OPENPOSE_BIN_ENV + ").")
    Path openposeBinary;

    @Option(names = "--openpose-arg", paramLabel = "ARG",
            description = "One more argument for OpenPose, repeatable; write values that start with a dash as "
                    + "--openpose-arg=--model_folder --openpose-arg=/opt/openpose/models.")
    List<String> openposeArguments = new ArrayList<>();

    @Option(names = "--num-gpu", defaultValue = "-1",
            description = "GPUs one OpenPose process uses, -1 for all it sees (default ${DEFAULT-VALUE}).")
    int numGpu;

    @Option(names = "--num-gpu-start", defaultValue = "0", description = "First GPU OpenPose uses, default ${DEFAULT-VALUE}.")
    int numGpuStart;

    /** The parsed, validated settings. */
    Analyses.Options toOptions() {
        int[] tiles = Analyses.Options.parseTiles(poseTiles);
        return new Analyses.Options(poseModel, tiles[0], tiles[1], openposeBinary, List.copyOf(openposeArguments),
                numGpu, numGpuStart);
    }

    /** The same settings as arguments of {@code juggler worker}, in the {@code --name=value} form. */
    List<String> toArguments() {
        List<String> args = new ArrayList<>();
        args.add("--pose-tiles=" + poseTiles);
        if (poseModel != null) {
            args.add("--pose-model=" + poseModel);
        }
        if (openposeBinary != null) {
            args.add("--openpose-bin=" + openposeBinary);
        }
        for (String argument : openposeArguments) {
            args.add("--openpose-arg=" + argument);
        }
        args.add("--num-gpu=" + numGpu);
        args.add("--num-gpu-start=" + numGpuStart);
        return args;
    }
}
