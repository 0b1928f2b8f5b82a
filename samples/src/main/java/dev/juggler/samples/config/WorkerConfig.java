package dev.juggler.samples.config;

import dev.juggler.inference.remote.client.OipEndpoint;
import dev.juggler.run.Worker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code worker:} section: what a worker job runs and how it sizes its claims. Paths here are on the
 * machine that runs the worker (a compute node for SLURM) and are taken as written, without {@code ${VAR}}
 * expansion; with a local cluster a relative path resolves against the config's folder. Immutable and
 * thread-safe.
 *
 * @param analysis one of {@link #ANALYSES}
 * @param model the BlazePose model file or folder, if not the model cache
 * @param posePeople {@code all} (the person detector finds every person) or {@code one} (one pass per tile)
 * @param detector the person detector file, if not next to {@code model} or in the model cache
 * @param boxDetector the object detector file (or {@code none}), if not next to the person detector, in the
 *        model cache or in the deployed release
 * @param poseTiles BlazePose tile grid {@code COLUMNSxROWS}, for {@code posePeople: one}
 * @param remote the inference servers that run the BlazePose landmark model, if not the worker itself
 * @param openpose the OpenPose binary's settings (analysis {@code openpose-binary})
 * @param initialChunk frames of a worker's first claim
 * @param maxChunk most frames of one claim
 * @param lease lease duration
 * @param safetyMargin time kept free before the job's end
 * @param targetChunk time one claim should take at the worker's measured rate
 * @param checkpointFrames the worker checkpoints (stores results, heartbeats) at least every this many frames
 * @param checkpointInterval and at least this often
 * @param framesPerWorker frames one worker job is sized for (the Juggler's submission arithmetic)
 * @param java the java executable on the worker's machine
 * @param jvmOptions JVM options of the worker
 * @param deployDirectory where {@code juggler deploy} puts the jar on the cluster, if set
 */
public record WorkerConfig(String analysis, Optional<String> model, String posePeople, Optional<String> detector,
        Optional<String> boxDetector, String poseTiles, Optional<Remote> remote, OpenPose openpose, long initialChunk,
        long maxChunk, Duration lease, Duration safetyMargin, Duration targetChunk, int checkpointFrames,
        Duration checkpointInterval, long framesPerWorker, String java, List<String> jvmOptions,
        Optional<String> deployDirectory) {

    /** The analyses the {@code juggler} tool knows (the same list as {@code juggler worker --analysis}). */
    public static final List<String> ANALYSES = List.of("marker-pose", "blazepose-body25", "blazepose-full-body25",
            "blazepose-heavy-body25", "openpose-binary");
    /** The values of {@code worker.posePeople}; the first is the default. */
    public static final List<String> POSE_PEOPLE = List.of("all", "one");
    /** Default {@code worker.poseTiles}. */
    public static final String DEFAULT_POSE_TILES = "1x1";
    /** The {@code worker.boxDetector} value that switches the object detector off. */
    public static final String NO_BOX_DETECTOR = "none";
    /** Default {@code worker.java}. */
    public static final String DEFAULT_JAVA = "java";

    public WorkerConfig {
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(posePeople, "posePeople");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(boxDetector, "boxDetector");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(openpose, "openpose");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(safetyMargin, "safetyMargin");
        Objects.requireNonNull(targetChunk, "targetChunk");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(java, "java");
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(deployDirectory, "deployDirectory");
    }

    /**
     * The OpenPose executable and its settings.
     *
     * @param binary the executable, if set
     * @param args extra arguments
     * @param numGpu GPUs per OpenPose process, -1 for all it sees
     * @param numGpuStart the first GPU
     */
    public record OpenPose(Optional<String> binary, List<String> args, int numGpu, int numGpuStart) {
        public OpenPose {
            Objects.requireNonNull(binary, "binary");
            args = List.copyOf(args);
        }
    }

    /**
     * The {@code worker.remote} section: inference servers (Open Inference Protocol: {@code juggler serve},
     * Triton, KServe...) that run the BlazePose landmark model while the worker decodes and letterboxes.
     *
     * @param endpoints the servers' URLs, at least one
     * @param model the model's name on the servers
     * @param tokenFile a file on the worker's machine holding the servers' bearer token, if they need one
     */
    public record Remote(List<String> endpoints, String model, Optional<String> tokenFile) {
        /** The model name {@code juggler serve} gives BlazePose. */
        public static final String DEFAULT_MODEL = dev.juggler.inference.pose.BlazePoseServedModel.DEFAULT_NAME;

        public Remote {
            endpoints = List.copyOf(endpoints);
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(tokenFile, "tokenFile");
        }

        static Optional<Remote> read(Section r, boolean localCluster) {
            if (!r.present()) {
                return Optional.empty();
            }
            List<String> endpoints = r.strings("endpoints", List.of()).stream().map(String::trim).toList();
            if (endpoints.isEmpty()) {
                r.error("endpoints", "is required: the servers' URLs, e.g. [http://gpu1:8000, http://gpu2:8000]");
            }
            for (String url : endpoints) {
                try {
                    OipEndpoint.normalise(URI.create(url));
                } catch (IllegalArgumentException | dev.juggler.InvalidConfigException e) {
                    r.error("endpoints", Section.show(url) + " is not an http(s) URL without user, query or fragment; write "
                            + "e.g. http://gpu1:8000");
                }
            }
            String model = r.string("model", DEFAULT_MODEL).trim();
            Optional<String> tokenFile = Optional.ofNullable(workerPath(r, "tokenFile", localCluster));
            r.finish();
            return Optional.of(new Remote(endpoints, model, tokenFile));
        }
    }

    /** Applies the claim settings to a Worker builder (analysis, lease, chunk sizes, safety margin). */
    public Worker.Builder applyTo(Worker.Builder builder) {
        return builder.analysis(analysis).leaseDuration(lease).initialChunkFrames(initialChunk).maxChunkFrames(maxChunk)
                .safetyMargin(safetyMargin).targetChunkDuration(targetChunk).checkpointEveryFrames(checkpointFrames)
                .checkpointInterval(checkpointInterval);
    }

    static WorkerConfig read(Section s, boolean localCluster) {
        String analysis = s.text("analysis");
        if (analysis == null) {
            s.error("analysis", "is required: write one of " + String.join(", ", ANALYSES));
            analysis = ANALYSES.get(0);
        } else if (!ANALYSES.contains(analysis.trim())) {
            s.error("analysis", Section.show(analysis) + " is not an analysis; write one of " + String.join(", ", ANALYSES)
                    + Suggest.didYouMean(analysis.trim(), ANALYSES));
            analysis = ANALYSES.get(0);
        }
        analysis = analysis.trim();
        Optional<String> model = Optional.ofNullable(workerPath(s, "model", localCluster));
        String tiles = s.string("poseTiles", DEFAULT_POSE_TILES).trim();
        if (!tiles.matches("[1-8]x[1-8]")) {
            s.error("poseTiles", Section.show(tiles) + " is not a tile grid; write COLUMNSxROWS with each in 1..8, e.g. 3x3");
            tiles = DEFAULT_POSE_TILES;
        }
        Optional<Remote> remote = Remote.read(s.section("remote"), localCluster);
        if (remote.isPresent() && !analysis.startsWith("blazepose")) {
            s.error("remote", "runs the BlazePose analyses only, not " + analysis);
        }
        // Following people alternates the detector and the landmark model on every frame: only one pass per tile
        // can run remotely, so that is the default with a remote section.
        String people = s.string("posePeople", remote.isPresent() ? "one" : POSE_PEOPLE.get(0)).trim();
        if (!POSE_PEOPLE.contains(people)) {
            s.error("posePeople", Section.show(people) + " is not one of " + String.join(", ", POSE_PEOPLE)
                    + ": all finds every person with the person detector, one runs the pose model once per tile");
            people = POSE_PEOPLE.get(0);
        } else if (people.equals("all") && remote.isPresent()) {
            s.error("posePeople", "all cannot run remotely (the detector and the landmark model alternate on every frame "
                    + "on the worker); with a remote section write posePeople: one, or leave it out");
        } else if (people.equals("all") && !tiles.equals(DEFAULT_POSE_TILES)) {
            s.error("poseTiles", tiles + " applies to posePeople: one; with posePeople: all the person detector finds"
                    + " people (remove poseTiles, or write posePeople: one)");
        }
        Optional<String> detector = Optional.ofNullable(workerPath(s, "detector", localCluster));
        String boxes = s.string("boxDetector", null);
        Optional<String> boxDetector = boxes != null && boxes.trim().equals(NO_BOX_DETECTOR) ? Optional.of(NO_BOX_DETECTOR)
                : Optional.ofNullable(workerPath(s, "boxDetector", localCluster));
        Section o = s.section("openpose");
        OpenPose openpose = new OpenPose(Optional.ofNullable(workerPath(o, "binary", localCluster)),
                o.strings("args", List.of()), o.integer("numGpu", -1, -1, 64), o.integer("numGpuStart", 0, 0, 63));
        if (analysis.equals("openpose-binary") && openpose.binary().isEmpty()) {
            o.error("binary", "is required for analysis openpose-binary: the OpenPose executable on the worker's "
                    + "machine, e.g. /opt/openpose/build/examples/openpose/openpose.bin");
        }
        o.finish();
        long initial = s.integer("initialChunk", Worker.DEFAULT_INITIAL_CHUNK_FRAMES, 1, Long.MAX_VALUE);
        long max = s.integer("maxChunk", Worker.DEFAULT_MAX_CHUNK_FRAMES, 1, Long.MAX_VALUE);
        if (initial > max) {
            s.error("initialChunk", initial + " is larger than maxChunk " + max + "; lower it or raise maxChunk");
        }
        Duration lease = s.duration("lease", Worker.DEFAULT_LEASE_DURATION, Duration.ofSeconds(10));
        Duration margin = s.duration("safetyMargin", Worker.DEFAULT_SAFETY_MARGIN, Duration.ZERO);
        Duration target = s.duration("targetChunk", Worker.DEFAULT_TARGET_CHUNK_DURATION, Duration.ofSeconds(1));
        int checkpointFrames = s.integer("checkpointFrames", Worker.DEFAULT_CHECKPOINT_FRAMES, 1, Integer.MAX_VALUE);
        // Unset, it follows a short lease so that three heartbeats fall in every lease; set, it is the user's word.
        Duration checkpointDefault = Worker.DEFAULT_CHECKPOINT_INTERVAL.compareTo(lease.dividedBy(3)) <= 0
                ? Worker.DEFAULT_CHECKPOINT_INTERVAL : lease.dividedBy(3);
        Duration checkpointInterval = s.duration("checkpointInterval", checkpointDefault, Duration.ofSeconds(1));
        if (checkpointInterval.compareTo(lease) >= 0) {
            s.error("checkpointInterval", Units.formatDuration(checkpointInterval) + " is not shorter than the lease "
                    + Units.formatDuration(lease) + ": leases would expire between heartbeats; shorten it or raise worker.lease");
        }
        long perWorker = s.integer("framesPerWorker", dev.juggler.run.Juggler.DEFAULT_FRAMES_PER_WORKER, 1, Long.MAX_VALUE);
        String java = s.string("java", DEFAULT_JAVA);
        List<String> jvm = s.strings("jvmOptions", List.of());
        Optional<String> deploy = Optional.ofNullable(s.string("deployDirectory", null));
        deploy.filter(d -> !d.startsWith("/")).ifPresent(d -> s.error("deployDirectory", Section.show(d)
                + " is not absolute; write an absolute path on the cluster"));
        s.finish();
        return new WorkerConfig(analysis, model, people, detector, boxDetector, tiles, remote, openpose, initial, max, lease, margin, target, checkpointFrames,
                checkpointInterval, perWorker,
                java, jvm, deploy);
    }

    private static String workerPath(Section s, String key, boolean localCluster) {
        String value = s.string(key, null);
        if (value == null || !localCluster) {
            return value;
        }
        return s.localPath(key, null).toString();
    }
}
