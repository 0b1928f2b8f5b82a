package dev.juggler.samples;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.openpose.OpenPoseBinaryPipeline;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.BlazePoseModel;
import dev.juggler.inference.pose.BlazePoseServedModel;
import dev.juggler.inference.pose.MarkerPoseModel;
import dev.juggler.inference.pose.MultiPersonBlazePose;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.inference.pose.RemoteBlazePose;
import dev.juggler.inference.remote.client.RemoteAccelerator;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.samples.config.TokenSource;
import dev.juggler.samples.config.WorkerConfig;
import dev.juggler.pipeline.BoundedFramePipeline;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.accel.Accelerator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The analyses this tool knows, by name, composed from the public API: a frame source, a model on an
 * accelerator, and an encoder. Stateless; thread-safe.
 */
final class Analyses {

    /** Colour-marker pose (no model download); writes OpenPose BODY_25 JSON. */
    static final String MARKER_POSE = "marker-pose";
    /** MediaPipe BlazePose lite on TFLite; writes OpenPose BODY_25 JSON. */
    static final String BLAZEPOSE = "blazepose-body25";
    /** MediaPipe BlazePose full. */
    static final String BLAZEPOSE_FULL = "blazepose-full-body25";
    /** MediaPipe BlazePose heavy. */
    static final String BLAZEPOSE_HEAVY = "blazepose-heavy-body25";

    /** The real OpenPose binary as an external process (it decodes the video itself); writes its own JSON. */
    static final String OPENPOSE_BINARY = "openpose-binary";

    static final List<String> NAMES = List.of(MARKER_POSE, BLAZEPOSE, BLAZEPOSE_FULL, BLAZEPOSE_HEAVY, OPENPOSE_BINARY);

    /** The name {@code juggler serve} gives a BlazePose landmark model, and {@code --remote-model}'s default. */
    static final String DEFAULT_REMOTE_MODEL = BlazePoseServedModel.DEFAULT_NAME;
    /** The {@code --pose-box-detector} value that switches the object detector off. */
    static final String NO_BOX_DETECTOR = WorkerConfig.NO_BOX_DETECTOR;
    // Measured by bench/remote.sh: batches of 4 frames with 3 in flight per server keep its interpreters fed
    // while the next batch travels, without queueing so much that frames wait.
    private static final int REMOTE_BATCH = 4;
    private static final int REMOTE_IN_FLIGHT = 3;

    /**
     * Where a BlazePose analysis runs its landmark model: here (no endpoints) or on inference servers.
     * Immutable and thread-safe.
     *
     * @param endpoints the servers' URLs; empty to run in this process
     * @param model the model's name on the servers
     * @param tokenEnv the environment variable holding their bearer token, or {@code null}
     * @param tokenFile a file holding their bearer token, or {@code null}
     */
    record Remote(List<URI> endpoints, String model, String tokenEnv, Path tokenFile) {
        static final Remote NONE = new Remote(List.of(), DEFAULT_REMOTE_MODEL, null, null);

        Remote {
            endpoints = List.copyOf(endpoints);
            model = model == null || model.isBlank() ? DEFAULT_REMOTE_MODEL : model.strip();
        }

        /** The bearer token, from the environment variable or the file, if one was named. */
        java.util.Optional<String> token() {
            return TokenSource.read("--remote-token-env", tokenEnv, "--remote-token-file", tokenFile, System.getenv());
        }

        boolean isRemote() {
            return !endpoints.isEmpty();
        }
    }

    /**
     * How an analysis is set up beyond its name: the BlazePose model, whether it finds every person (with the
     * detector, which is looked for next to the model unless given, and the object detector,
     * {@code poseBoxDetector}: a file, {@value #NO_BOX_DETECTOR}, or {@code null} to look for it next to the
     * person detector and in the model cache) or runs once per tile; the OpenPose
     * executable, its extra arguments and GPUs. Immutable and thread-safe (the argument list is copied).
     *
     * @throws InvalidConfigException if a tile grid is given for every person (the detector finds them)
     */
    record Options(Path poseModel, boolean everyPerson, Path poseDetector, String poseBoxDetector, int tileColumns,
            int tileRows, Path openposeBinary, List<String> openposeArguments, int numGpu, int numGpuStart, Remote remote) {
        static final Options DEFAULT = new Options(null, true, null, null, 1, 1, null, List.of(), -1, 0, Remote.NONE);

        Options {
            openposeArguments = List.copyOf(openposeArguments);
            remote = remote == null ? Remote.NONE : remote;
            if (everyPerson && remote.isRemote()) {
                throw InvalidConfigException.of("pose-people", "all", "cannot run remotely: following people from frame to "
                        + "frame runs the detector and the landmark model in turn on this node; with --remote the landmark "
                        + "model runs once per tile (--pose-people one, the default with --remote; see --pose-tiles)");
            }
            if (everyPerson && tileColumns * tileRows > 1) {
                throw InvalidConfigException.of("pose-tiles", tileColumns + "x" + tileRows, "applies to --pose-people one;"
                        + " with --pose-people all the person detector finds people (drop --pose-tiles, or add"
                        + " --pose-people one)");
            }
        }

        /** BlazePose settings only. */
        Options(Path poseModel, boolean everyPerson, int tileColumns, int tileRows) {
            this(poseModel, everyPerson, null, null, tileColumns, tileRows, null, List.of(), -1, 0, Remote.NONE);
        }

        /** Parses {@code all} (every person, the default) or {@code one}. */
        static boolean parsePeople(String people) {
            return switch (Objects.requireNonNull(people, "people").trim().toLowerCase(java.util.Locale.ROOT)) {
                case "all" -> true;
                case "one" -> false;
                default -> throw InvalidConfigException.of("pose-people", people, "must be all (every person, with the"
                        + " person detector) or one (one pass of the pose model per tile)");
            };
        }

        /**
         * The OpenPose executable, checked: {@link #OPENPOSE_BINARY} cannot run without one.
         *
         * @throws InvalidConfigException if none was given or it is not an executable file
         */
        Path requireOpenposeBinary() {
            if (openposeBinary == null) {
                throw InvalidConfigException.of("openpose-bin", null, "the " + OPENPOSE_BINARY + " analysis needs "
                        + "the OpenPose executable: --openpose-bin PATH or $" + AnalysisOptions.OPENPOSE_BIN_ENV);
            }
            if (!java.nio.file.Files.isRegularFile(openposeBinary) || !java.nio.file.Files.isExecutable(openposeBinary)) {
                throw InvalidConfigException.of("openpose-bin", openposeBinary, "is not an executable file");
            }
            return openposeBinary;
        }

        /**
         * Parses {@code CxR}, e.g. {@code 3x3}, with the model's own bounds, so that the demo refuses a
         * grid before registering work that every worker would then fail on.
         */
        static int[] parseTiles(String tiles) {
            String[] parts = Objects.requireNonNull(tiles, "tiles").toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                if (parts.length == 2) {
                    int columns = Integer.parseInt(parts[0].trim());
                    int rows = Integer.parseInt(parts[1].trim());
                    if (columns >= 1 && columns <= 8 && rows >= 1 && rows <= 8) {
                        return new int[] {columns, rows};
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw InvalidConfigException.of("pose-tiles", tiles, "must be COLUMNSxROWS with each in 1..8, e.g. 3x3");
        }
    }

    private Analyses() {
    }

    /** Whether {@code name} needs a BlazePose model. */
    static boolean isBlazePose(String name) {
        return variant(name) != null;
    }

    /** The model variant of a BlazePose analysis, or {@code null}. */
    static PoseModels.Variant variant(String name) {
        return switch (name) {
            case BLAZEPOSE -> PoseModels.Variant.LITE;
            case BLAZEPOSE_FULL -> PoseModels.Variant.FULL;
            case BLAZEPOSE_HEAVY -> PoseModels.Variant.HEAVY;
            default -> null;
        };
    }

    /** Builds the pipeline for an analysis with default options; the caller closes it. */
    static FramePipeline pipeline(String name) {
        return pipeline(name, Options.DEFAULT);
    }

    /**
     * Checks what an analysis needs without starting anything, so that the demo refuses bad settings before
     * it registers work that every worker would then fail on: the OpenPose executable and its settings.
     * (BlazePose models are located by the demo itself, which prints where.)
     *
     * @throws InvalidConfigException naming the setting that is wrong
     */
    static void check(String name, Options options) {
        if (!NAMES.contains(name)) {
            throw InvalidConfigException.of("analysis", name, "must be one of " + NAMES);
        }
        if (!isBlazePose(name)) {
            requireLocal(name, options);
        }
        if (OPENPOSE_BINARY.equals(name)) {
            openpose(options);
        }
    }

    // The OpenPose runner's settings, validated by its builder; build() starts nothing either.
    private static OpenPoseBinaryPipeline.Builder openpose(Options options) {
        return OpenPoseBinaryPipeline.builder(options.requireOpenposeBinary())
                .extraArguments(options.openposeArguments().toArray(String[]::new))
                .numGpu(options.numGpu())
                .numGpuStart(options.numGpuStart());
    }

    /**
     * Builds the pipeline for an analysis; the caller closes it (which also closes the model).
     *
     * @throws dev.juggler.inference.pose.ModelNotFoundException if a BlazePose model is not on this machine
     *     (the message says how to get it)
     * @throws InvalidConfigException if the name is unknown or a setting is wrong (e.g. no OpenPose executable)
     */
    static FramePipeline pipeline(String name, Options options) {
        if (options.remote().isRemote() && isBlazePose(name)) {
            return remotePipeline(name, options);
        }
        requireLocal(name, options);
        if (MARKER_POSE.equals(name)) {
            MarkerPoseModel model = MarkerPoseModel.create();
            return BoundedFramePipeline.builder(FfmpegFrameSources.create(), (Frame frame) -> frame, model,
                            (info, pose) -> OpenPoseJson.toJson(pose))
                    .closeAcceleratorOnClose(true)
                    .threadNamePrefix("juggler-" + name)
                    .build();
        }
        if (OPENPOSE_BINARY.equals(name)) {
            return openpose(options).build();
        }
        PoseModels.Variant variant = variant(name);
        if (variant == null) {
            throw InvalidConfigException.of("analysis", name, "must be one of " + NAMES);
        }
        PoseModels models = PoseModels.system();
        Path file = models.locate(variant, options.poseModel());
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        if (options.everyPerson()) {
            // Following people is sequential: one inference thread, whose TFLite interpreters use the cores.
            Path detector = detector(models, options);
            MultiPersonBlazePose model = MultiPersonBlazePose.builder(file, detector)
                    .boxDetector(boxDetector(models, options, detector).orElse(null))
                    .name("cpu-" + name).threads(threads).build();
            return posePipeline(name, model, model::preprocess, 1);
        }
        // Two interpreters on two inference threads keep a 2-core node busy while the decoder and the
        // preprocessing thread run between model calls.
        BlazePoseModel model = BlazePoseModel.builder(file)
                .interpreters(threads)
                .tiles(options.tileColumns(), options.tileRows())
                .build();
        return posePipeline(name, model, model::preprocess, threads);
    }

    private static void requireLocal(String name, Options options) {
        if (options.remote().isRemote()) {
            throw InvalidConfigException.of("remote", options.remote().endpoints(), "runs the BlazePose analyses only ("
                    + BLAZEPOSE + ", " + BLAZEPOSE_FULL + ", " + BLAZEPOSE_HEAVY + "), not " + name);
        }
    }

    /**
     * BlazePose with the landmark model on inference servers: frames are decoded and letterboxed here, in
     * batches of {@value #REMOTE_BATCH} frames, {@value #REMOTE_IN_FLIGHT} calls in flight per server.
     */
    private static FramePipeline remotePipeline(String name, Options options) {
        Remote remote = options.remote();
        RemoteBlazePose mapping = RemoteBlazePose.of(options.tileColumns(), options.tileRows(),
                BlazePoseModel.DEFAULT_TILE_OVERLAP, BlazePoseModel.DEFAULT_MIN_POSE_SCORE);
        RemoteAccelerator.Builder<BlazePoseModel.Input, PoseFrame> builder = RemoteAccelerator.builder(remote.model(), mapping)
                .name("remote-" + name).maxBatchSize(REMOTE_BATCH).maxInFlight(REMOTE_IN_FLIGHT);
        remote.endpoints().forEach(builder::endpoint);
        remote.token().ifPresent(builder::token);
        RemoteAccelerator<BlazePoseModel.Input, PoseFrame> model = builder.build();
        model.connect().forEach((url, why) -> System.err.printf("juggler: inference server %s is not usable now (%s); "
                + "it is tried again while the work goes on%n", url, why));
        int threads = Math.min(64, remote.endpoints().size() * REMOTE_IN_FLIGHT);
        return posePipeline(name, model, mapping::preprocess, threads);
    }

    /** The person detector: as given, else next to a given model, else the model cache. */
    static Path detector(PoseModels models, Options options) {
        if (options.poseDetector() != null) {
            return models.locateDetector(options.poseDetector());
        }
        if (options.poseModel() != null) {
            Path folder = Files.isDirectory(options.poseModel()) ? options.poseModel() : options.poseModel().getParent();
            if (folder != null && Files.isRegularFile(folder.resolve(PoseModels.DETECTOR_FILE))) {
                return folder.resolve(PoseModels.DETECTOR_FILE);
            }
        }
        return models.locateDetector(null);
    }

    /**
     * The object detector: none when switched off ({@value #NO_BOX_DETECTOR}), the file given, else the one
     * next to the person detector or in the model cache, else none (people are then found by the person
     * detector alone, which misses people seen from behind).
     */
    static Optional<Path> boxDetector(PoseModels models, Options options, Path detector) {
        String given = options.poseBoxDetector();
        if (given != null && NO_BOX_DETECTOR.equals(given.trim())) {
            return Optional.empty();
        }
        return models.locateBoxDetector(given == null ? null : Path.of(given), detector);
    }

    // I420 frames: no colour conversion of whole frames; both models convert only the pixels they sample, and
    // copy them in preprocessing, so the decoder's frames are recycled.
    private static <I> FramePipeline posePipeline(String name, Accelerator<I, PoseFrame> model,
            Function<Frame, I> preprocess, int inferenceThreads) {
        try {
            FrameSourceFactory frames = FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build();
            return BoundedFramePipeline.<I, PoseFrame>builder(frames, preprocess, model,
                            (info, pose) -> OpenPoseJson.toJson(pose))
                    .inferenceThreads(inferenceThreads)
                    .recycleFrames(true)
                    .closeAcceleratorOnClose(true)
                    .threadNamePrefix("juggler-" + name)
                    .build();
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
