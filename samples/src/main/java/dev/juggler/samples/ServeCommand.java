package dev.juggler.samples;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.djl.OnnxServedModel;
import dev.juggler.inference.pose.BlazePoseServedModel;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.inference.remote.ServedModel;
import dev.juggler.inference.remote.server.InferenceServer;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.config.TokenSource;
import dev.juggler.samples.config.Units;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code juggler serve}: serves the BlazePose landmark model, or any ONNX model ({@code --onnx}, through DJL's
 * ONNX Runtime engine), over the Open Inference Protocol (KServe v2 over HTTP, as Triton speaks it) until
 * Ctrl-C, so that workers without an accelerator can send their crops to a machine that has one. Binds
 * {@code 127.0.0.1:8000} by default; another address needs a token, given as the name of an environment
 * variable ({@code --token-env}) or a file ({@code --token-file}), never on the command line, where it would
 * land in shell histories and process lists. Not thread-safe: picocli runs a command once.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serves the BlazePose landmark model, or any ONNX model (--onnx), over the Open Inference Protocol "
                + "(KServe v2 / Triton HTTP) until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {

    /** Opens the model to serve; a seam for tests and for other models. */
    @FunctionalInterface
    interface ModelOpener {
        ServedModel open(String name, Path modelFile, int interpreters, int threadsPerInterpreter, int maxBatchSize);
    }

    /** The longest model name the server takes. */
    static final int MAX_NAME = ServedModel.MAX_NAME;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The model's name in URLs, default " + Analyses.DEFAULT_REMOTE_MODEL + " (what juggler worker "
                    + "--remote calls), or with --onnx the file's base name.")
    String name;

    @Option(names = "--model", paramLabel = "PATH",
            description = "The BlazePose landmark model (.tflite) or a folder holding pose_landmark_lite.tflite; default "
                    + "the cached lite model ($" + PoseModels.ENV_MODEL_DIR + " or ~/.cache/juggler/models/mediapipe-pose).")
    Path model;

    @Option(names = "--onnx", paramLabel = "PATH",
            description = "Serve this ONNX model (through DJL and ONNX Runtime) instead of BlazePose; its inputs and outputs "
                    + "are the model's own, and its first dimension must be dynamic (the batch). Not with --model.")
    Path onnx;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = InferenceServer.DEFAULT_HOST + ":"
            + InferenceServer.DEFAULT_PORT,
            description = "Where to listen, default ${DEFAULT-VALUE}; any address but loopback needs a token.")
    String bind;

    @Option(names = "--token-env", paramLabel = "VAR",
            description = "The environment variable holding the access token (Authorization: Bearer).")
    String tokenEnv;

    @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the access token.")
    Path tokenFile;

    @Option(names = "--max-batch", paramLabel = "ROWS", defaultValue = "8",
            description = "Crops per model run at most, default ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-queue-delay", paramLabel = "DURATION", defaultValue = "2ms",
            description = "How long the oldest request waits for a batch to fill, default ${DEFAULT-VALUE} (0ms: never waits).")
    String maxQueueDelay;

    @Option(names = "--max-queue", paramLabel = "ROWS",
            description = "Crops that may wait at once; more are refused with 503. Default 64 batches.")
    Integer maxQueue;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Interpreters (with --onnx: predictors), each running one batch at a time, default "
                    + "${DEFAULT-VALUE}; the machine's cores are shared among them.")
    int threads;

    @Option(names = "--interpreter-threads", paramLabel = "N",
            description = "XNNPACK threads inside each interpreter; default the machine's cores divided by --threads. "
                    + "Give 1 when several servers share one machine, or their threads fight over the cores. "
                    + "BlazePose only.")
    Integer interpreterThreads;

    @Spec
    CommandSpec spec;

    private Map<String, String> env = System.getenv();
    private ModelOpener opener = ServeCommand::openBlazePose;
    private int cores = Runtime.getRuntime().availableProcessors();
    private final Foreground<Serving> foreground = new Foreground<>("serve");

    /** The model and its server, closed together (the server first). */
    private record Serving(ServedModel model, InferenceServer server) implements AutoCloseable {
        @Override
        public void close() {
            try (ServedModel m = model) {
                server.close();
            }
        }
    }

    /** For tests: the environment that {@code --token-env} reads. */
    ServeCommand environment(Map<String, String> variables) {
        this.env = Map.copyOf(variables);
        return this;
    }

    /** For tests: the model to serve in place of BlazePose. */
    ServeCommand opener(ModelOpener value) {
        this.opener = value;
        return this;
    }

    /** Ends a running {@link #call()} as Ctrl-C would. */
    void stop() {
        foreground.stop();
    }

    /** Completes with the server once it listens. */
    CompletableFuture<InferenceServer> started() {
        return foreground.started().thenApply(Serving::server);
    }

    /** The BlazePose landmark model, with as many interpreters as batches may run at once. */
    static ServedModel openBlazePose(String name, Path modelFile, int interpreters, int threadsPerInterpreter, int maxBatchSize) {
        return BlazePoseServedModel.open(name, modelFile, interpreters, threadsPerInterpreter, maxBatchSize);
    }

    /**
     * The ONNX model in {@code file}, with one predictor per batch that may run at once; {@code --threads}
     * sets how many.
     */
    static ServedModel openOnnx(String name, Path file, int predictors, int maxBatchSize) {
        return OnnxServedModel.open(name, file, maxBatchSize, predictors);
    }

    /**
     * The name a model file gets when {@code --name} is not given: its base name without the extension,
     * with every character the protocol's URLs do not take replaced by {@code _}.
     */
    static String nameOf(Path file) {
        String base = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        String clean = base.replaceAll("[^A-Za-z0-9._-]", "_");
        clean = clean.length() > MAX_NAME ? clean.substring(0, MAX_NAME) : clean;
        return clean.isEmpty() ? "model" : clean;
    }

    /** Opens the model the options name: the ONNX file, or BlazePose through the {@link ModelOpener}. */
    private ServedModel openModel() {
        if (onnx != null) {
            return openOnnx(name != null ? name : nameOf(onnx), onnx, threads, maxBatch);
        }
        Path modelFile = model != null && Files.isRegularFile(model) ? model
                : PoseModels.system().locate(PoseModels.Variant.LITE, model);
        return opener.open(name != null ? name : Analyses.DEFAULT_REMOTE_MODEL, modelFile, threads, threadsPerInterpreter(),
                maxBatch);
    }

    @Override
    public Integer call() {
        if (onnx != null && model != null) {
            throw usage("give one model: --model (BlazePose) or --onnx, not both");
        }
        InferenceServer.Builder builder = builder();
        PrintWriter out = spec.commandLine().getOut();
        return foreground.run(() -> {
            ServedModel served = openModel();
            try {
                return new Serving(served, start(builder.model(served)));
            } catch (RuntimeException e) {
                served.close();
                throw e;
            }
        }, serving -> {
            InferenceServer server = serving.server();
            out.println("juggler serve: " + server.url() + "/v2 serving " + String.join(", ", server.modelNames())
                    + " (" + (tokenEnv != null || tokenFile != null ? "token required" : "no token, loopback only")
                    + "); Ctrl-C stops it");
            out.flush();
        });
    }

    private int threadsPerInterpreter() {
        if (interpreterThreads == null) {
            return Math.max(1, cores / threads);
        }
        if (interpreterThreads < 1 || interpreterThreads > 256) {
            throw usage("--interpreter-threads " + interpreterThreads + ": must be in 1..256");
        }
        return interpreterThreads;
    }

    /** Binds; a setting that only the model could check (a bind without a token, a batch too large) is a usage error. */
    private InferenceServer start(InferenceServer.Builder builder) {
        try {
            return builder.start();
        } catch (InvalidConfigException e) {
            throw usage(e.getMessage());
        }
    }

    /** The server's settings from the options, checked before the model is loaded. */
    private InferenceServer.Builder builder() {
        try {
            InferenceServer.Builder b = InferenceServer.builder().bind(bind).maxBatchSize(maxBatch)
                    .modelThreads(InvalidConfigException.requireInRange("--threads", threads, 1, 64))
                    .maxQueueDelay(duration());
            if (maxQueue != null) {
                b.maxQueueRows(maxQueue);
            }
            token().ifPresent(b::token);
            return b;
        } catch (InvalidConfigException e) {
            throw usage(e.getMessage());
        }
    }

    private Optional<String> token() {
        return TokenSource.read("--token-env", tokenEnv, "--token-file", tokenFile, env);
    }

    private Duration duration() {
        try {
            return Units.parseDuration(maxQueueDelay);
        } catch (IllegalArgumentException e) {
            throw usage("--max-queue-delay " + Escape.quoted(maxQueueDelay) + ": " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
