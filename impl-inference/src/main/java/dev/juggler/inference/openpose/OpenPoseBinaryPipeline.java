package dev.juggler.inference.openpose;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.inference.internal.ImageArchive;
import dev.juggler.ledger.FrameResult;
import dev.juggler.pipeline.FramePipeline;
import dev.juggler.pipeline.LatencyRecorder;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.pipeline.ResultDelivery;
import dev.juggler.pipeline.RunGate;
import dev.juggler.pipeline.StageStats;
import dev.juggler.video.FrameRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real OpenPose binary as an external process, for clusters that have it: OpenPose decodes the
 * video and runs the network itself, so this is a whole {@link FramePipeline} (a decoding stage of ours
 * would only waste a core) that plugs into the {@code Worker} like the in-process pipelines.
 *
 * <p>Each run starts
 * <pre>OPENPOSE --video V --frame_first FROM --frame_last TO-1 --write_json DIR --num_gpu N --num_gpu_start S
 *          --display 0 --render_pose 0 [extra arguments]</pre>
 * in a fresh private output folder, and ingests OpenPose's per-frame files
 * ({@code <video base name>_<12-digit frame>_keypoints.json}) in frame order as they appear: a file counts
 * as complete once the next frame's file exists or the process has ended (OpenPose writes them one after
 * the other). Each file is validated with {@link OpenPoseJson}, delivered to the sink as it was written
 * (face and hand arrays included), and deleted, so the folder never holds more than a few frames.
 * Like every pipeline it keeps no checkpoint policy: it reports each frame done to the request
 * ({@link ResultDelivery}) and the run's owner decides when to flush and checkpoint. A checkpoint listener
 * that says stop, or the request's stop signal, ends the process tree (SIGTERM, then SIGKILL after a grace
 * period).
 *
 * <p><b>Image folders.</b> When the video's location is a folder, its frames are its images in natural order
 * ({@link dev.juggler.inference.video.ImageFolders}), which is not the plain name order OpenPose's
 * {@code --image_dir} sorts by. So each run links the range's images into a private folder under names
 * {@code <folder base name>_<12-digit frame>.<ext>}, whose plain order is frame order, and runs OpenPose with
 * {@code --image_dir} on it: OpenPose then writes exactly the file names it writes for a video, and ingesting
 * is the same. The images' headers are checked first; the run stops before the first damaged image and reports
 * it as a {@link dev.juggler.video.DamagedFrameException} at its frame (OpenPose would end the whole process on
 * it), after the frames before it were delivered.
 *
 * <p>Errors name the cause and keep the frames before it: an executable that cannot be started; an exit
 * status other than 0 (with the signal name when killed by one, and the last lines of stderr); a clean
 * exit that wrote fewer frames than asked; an invalid JSON file; no new file for
 * {@link Builder#stallTimeout}. Failures whose stderr shows a GPU out-of-memory or CUDA driver problem are
 * transient (another node may succeed); the others are permanent.
 *
 * <p>Thread-safe; runs are serialised. {@link #close()} ends a running process.
 */
public final class OpenPoseBinaryPipeline implements FramePipeline {

    /** Default number of GPUs OpenPose uses: -1, all it sees. */
    public static final int DEFAULT_NUM_GPU = -1;
    /** Default time without a new frame file after which the process is considered hung. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofMinutes(10);

    private static final int STDERR_TAIL_LINES = 20;
    // Flags command() sets, and other inputs or frame selections that would make OpenPose write other files.
    private static final java.util.Set<String> RESERVED_FLAGS = new java.util.TreeSet<>(List.of("video", "image_dir",
            "camera", "ip_camera", "flir_camera", "frame_first", "frame_last", "frame_step", "write_json", "num_gpu",
            "num_gpu_start", "display", "render_pose"));
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration TERMINATE_GRACE = Duration.ofSeconds(5);

    private final Path executable;
    private final int numGpu;
    private final int numGpuStart;
    private final List<String> extraArguments;
    private final Duration stallTimeout;
    private final Path tempParent;
    private final Clock clock;
    private final RunGate gate = new RunGate();
    private volatile Process running;

    private OpenPoseBinaryPipeline(Builder b) {
        this.executable = b.executable;
        this.numGpu = b.numGpu;
        this.numGpuStart = b.numGpuStart;
        this.extraArguments = List.copyOf(b.extraArguments);
        this.stallTimeout = b.stallTimeout;
        this.tempParent = b.tempParent;
        this.clock = b.clock;
    }

    /** A builder for the OpenPose executable at {@code executable} (e.g. {@code build/examples/openpose/openpose.bin}). */
    public static Builder builder(Path executable) {
        return new Builder(executable);
    }

    /**
     * The command line of one run over an image folder: OpenPose reads the folder {@code imageDir} that
     * this runner filled with links to the range's images (see the class comment), so no frame flags.
     */
    public List<String> imageDirCommand(Path imageDir, Path jsonDir) {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(),
                "--image_dir", imageDir.toString(),
                "--write_json", jsonDir.toString(),
                "--num_gpu", Integer.toString(numGpu),
                "--num_gpu_start", Integer.toString(numGpuStart),
                "--display", "0",
                "--render_pose", "0"));
        cmd.addAll(extraArguments);
        return cmd;
    }

    /** The command line of one run, for logs and tests. */
    public List<String> command(String video, FrameRange range, Path jsonDir) {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(),
                "--video", video,
                "--frame_first", Long.toString(range.from()),
                "--frame_last", Long.toString(range.to() - 1),
                "--write_json", jsonDir.toString(),
                "--num_gpu", Integer.toString(numGpu),
                "--num_gpu_start", Integer.toString(numGpuStart),
                "--display", "0",
                "--render_pose", "0"));
        cmd.addAll(extraArguments);
        return cmd;
    }

    @Override
    public PipelineReport run(PipelineRequest request) {
        Run run = new Run(Objects.requireNonNull(request, "request"));
        return gate.run(run::execute);
    }

    @Override
    public void close() {
        if (gate.close()) {
            Process p = running;
            if (p != null) {
                stop(p);
            }
        }
    }

    /** One run's state. */
    private final class Run {
        private final PipelineRequest request;
        private final FrameRange range;
        /** The frames given to the process: the range, or for an image folder its part before a damaged image. */
        private FrameRange processRange;
        /** An image folder's damaged image at {@code processRange.to()}, reported once the frames before it are in. */
        private JugglerException afterProcess;
        private final String baseName;
        private final LatencyRecorder loopLatency = new LatencyRecorder();
        private boolean stopped;

        Run(PipelineRequest request) {
            this.request = request;
            this.range = request.range();
            this.processRange = range;
            this.baseName = OpenPoseFiles.baseName(Path.of(request.videoLocation()));
        }

        PipelineReport execute() {
            long start = System.nanoTime();
            if (range.isEmpty()) {
                return report(range.from(), null, start);
            }
            Path dir;
            try {
                Files.createDirectories(tempParent);
                dir = Files.createTempDirectory(tempParent, "openpose-json-");
            } catch (IOException e) {
                return report(range.from(), JugglerException.transientFailure("cannot create a folder for OpenPose's JSON under "
                        + tempParent + ": " + e, e), start);
            }
            Path stderr = dir.resolve(".stderr.txt");
            List<String> cmd;
            Path location = Path.of(request.videoLocation());
            if (Files.isDirectory(location) || ImageArchive.isArchive(location)) {
                try {
                    OpenPoseImageLinks links = OpenPoseImageLinks.link(request.videoLocation(), location, range, baseName,
                            dir.resolve(".images"));
                    processRange = links.linked();
                    afterProcess = links.after();
                    cmd = imageDirCommand(links.dir(), dir);
                } catch (JugglerException e) {
                    deleteQuietly(dir);
                    return report(range.from(), e, start);
                }
                if (processRange.isEmpty()) {
                    deleteQuietly(dir);
                    return report(range.from(), afterProcess, start);
                }
            } else {
                cmd = command(request.videoLocation(), range, dir);
            }
            Process process;
            try {
                process = new ProcessBuilder(cmd).redirectErrorStream(false)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(stderr.toFile()).start();
            } catch (IOException e) {
                deleteQuietly(dir);
                return report(range.from(), JugglerException.permanentFailure("cannot start OpenPose " + executable + ": " + e.getMessage()
                        + " (is it installed and executable?)", e), start);
            }
            running = process;
            long next = range.from();
            JugglerException failure = null;
            try {
                IngestResult result = ingest(process, dir, stderr);
                next = result.next;
                failure = result.failure;
                if (failure == null && !stopped && next == processRange.to() && afterProcess != null) {
                    failure = afterProcess;
                }
            } finally {
                if (process.isAlive()) {
                    stop(process);
                }
                running = null;
                deleteQuietly(dir);
            }
            return report(next, failure, start);
        }

        private record IngestResult(long next, JugglerException failure) {
        }

        private IngestResult ingest(Process process, Path dir, Path stderr) {
            ResultDelivery delivery = new ResultDelivery(request);
            Instant lastProgress = clock.instant();
            long frameStart = System.nanoTime();
            while (delivery.next() < processRange.to()) {
                long next = delivery.next();
                if (request.stopRequested().getAsBoolean() || gate.isClosed()) {
                    stopped = true;
                    break;
                }
                Path file = dir.resolve(OpenPoseFiles.fileName(baseName, next));
                Path following = dir.resolve(OpenPoseFiles.fileName(baseName, next + 1));
                boolean exited = !process.isAlive();
                boolean complete = Files.exists(file) && (exited || Files.exists(following));
                if (!complete) {
                    if (exited) {
                        return end(delivery, exitFailure(process, stderr, next));
                    }
                    if (!clock.instant().isBefore(lastProgress.plus(stallTimeout))) {
                        return end(delivery, JugglerException.transientFailure("OpenPose wrote no frame file for "
                                + stallTimeout + " while waiting for frame " + next + " of " + request.videoLocation()
                                + "; stopped it" + stderrTail(stderr), null));
                    }
                    waitFor(process);
                    continue;
                }
                String json;
                try {
                    json = Files.readString(file, StandardCharsets.UTF_8).strip();
                    OpenPoseJson.read(json, file.getFileName().toString()); // validate before it counts
                    Files.deleteIfExists(file);
                } catch (OpenPoseFormatException e) {
                    return end(delivery, JugglerException.permanentFailure("OpenPose wrote an invalid file for frame "
                            + next + ": " + e.getMessage(), e));
                } catch (IOException e) {
                    return end(delivery, JugglerException.transientFailure("cannot read OpenPose's file " + file
                            + ": " + e, e));
                }
                boolean more = delivery.deliver(new FrameResult(request.trackId(), next, json));
                long now = System.nanoTime();
                loopLatency.record(now - frameStart);
                frameStart = now;
                lastProgress = clock.instant();
                if (!more) {
                    stopped = delivery.stopped();
                    return end(delivery, null);
                }
            }
            if (!stopped) {
                // All frames are in; OpenPose should end by itself now. A non-zero exit still fails the run.
                try {
                    if (process.waitFor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS) && process.exitValue() != 0) {
                        return end(delivery, exitFailure(process, stderr, delivery.next()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return end(delivery, null);
        }

        /**
         * Ends the ingest: flushes the sink and reports the frames delivered. The run's own failure (if any)
         * stays the reported one; otherwise a failing sink is.
         */
        private IngestResult end(ResultDelivery delivery, JugglerException failure) {
            long next = delivery.finish();
            return new IngestResult(next, failure != null ? failure : delivery.failure().orElse(null));
        }

        private JugglerException exitFailure(Process process, Path stderr, long next) {
            int code = process.exitValue();
            String tail = stderrTail(stderr);
            boolean transientFailure = tail.toLowerCase(Locale.ROOT).matches("(?s).*(out of memory|cuda driver|cudaerror|cuda error).*");
            String status = code > 128 && code < 160 ? "was killed by signal " + (code - 128) + " (exit status " + code + ")"
                    : "exited with status " + code;
            String what = code == 0
                    ? "OpenPose exited normally but wrote frames only up to " + (next - 1) + " of " + range
                    : "OpenPose " + status + " after frame " + (next - 1) + " of " + range;
            return new JugglerException(what + " (" + request.videoLocation() + ")" + tail, transientFailure, null);
        }

        private PipelineReport report(long doneUntil, JugglerException failure, long startNanos) {
            return new PipelineReport(range, doneUntil, java.util.Optional.ofNullable(failure), stopped && failure == null,
                    Duration.ofNanos(System.nanoTime() - startNanos), StageStats.EMPTY, StageStats.EMPTY, loopLatency.snapshot());
        }
    }

    /** The last lines of OpenPose's stderr, prefixed for an error message, or empty. */
    private static String stderrTail(Path stderr) {
        try {
            if (!Files.exists(stderr)) {
                return "";
            }
            Deque<String> tail = new ArrayDeque<>();
            try (Stream<String> lines = Files.lines(stderr, StandardCharsets.UTF_8)) {
                lines.filter(l -> !l.isBlank()).forEach(l -> {
                    tail.addLast(l);
                    if (tail.size() > STDERR_TAIL_LINES) {
                        tail.removeFirst();
                    }
                });
            }
            return tail.isEmpty() ? "" : "; stderr: " + String.join(" | ", tail);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JugglerException.transientFailure("interrupted while waiting for OpenPose", e);
        }
    }

    /** SIGTERM to the whole tree, then SIGKILL after a grace period (OpenPose may run helpers). */
    private static void stop(Process process) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        process.toHandle().descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover temp folder is harmless
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }

    /** Configures an {@link OpenPoseBinaryPipeline}; each setter checks its value and names it. Not thread-safe. */
    public static final class Builder {
        private final Path executable;
        private int numGpu = DEFAULT_NUM_GPU;
        private int numGpuStart;
        private final List<String> extraArguments = new ArrayList<>();
        private Duration stallTimeout = DEFAULT_STALL_TIMEOUT;
        private Path tempParent = Path.of(System.getProperty("java.io.tmpdir"));
        private Clock clock = Clock.systemUTC();

        private Builder(Path executable) {
            this.executable = InvalidConfigException.required(executable, "executable");
        }

        /** {@code --num_gpu}: GPUs to use, -1 (default) for all. */
        public Builder numGpu(int count) {
            if (count < -1 || count == 0) {
                throw InvalidConfigException.of("numGpu", count, "must be -1 (all) or >= 1");
            }
            this.numGpu = count;
            return this;
        }

        /** {@code --num_gpu_start}: first GPU index; default 0 (with thermal groups, the group's first device). */
        public Builder numGpuStart(int index) {
            if (index < 0) {
                throw InvalidConfigException.of("numGpuStart", index, "must be >= 0");
            }
            this.numGpuStart = index;
            return this;
        }

        /**
         * More OpenPose arguments, e.g. {@code --model_pose COCO}, {@code --net_resolution -1x368},
         * {@code --model_folder /opt/openpose/models}.
         *
         * @throws InvalidConfigException for a flag this runner sets itself (input, frame range, output, GPUs,
         *     display): OpenPose would take the last one given, and the run would read the wrong frames or write
         *     where nobody looks
         */
        public Builder extraArguments(String... arguments) {
            for (String a : arguments) {
                InvalidConfigException.required(a, "argument");
                if (a.startsWith("-")) {
                    String flag = a.replaceFirst("^-+", "");
                    int eq = flag.indexOf('=');
                    if (RESERVED_FLAGS.contains(eq < 0 ? flag : flag.substring(0, eq))) {
                        throw InvalidConfigException.of("extraArguments", a, "is set by Juggler itself; the reserved "
                                + "flags are " + RESERVED_FLAGS);
                    }
                }
                extraArguments.add(a);
            }
            return this;
        }

        /** Time without a new frame file after which the run fails as hung; default 10 min. */
        public Builder stallTimeout(Duration timeout) {
            InvalidConfigException.requirePositive("stallTimeout", timeout);
            this.stallTimeout = timeout;
            return this;
        }

        /** Where each run's private JSON folder is made; default the system temp folder. */
        public Builder tempDirectory(Path dir) {
            this.tempParent = InvalidConfigException.required(dir, "dir");
            return this;
        }

        /** The clock for stall timing. */
        public Builder clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        public OpenPoseBinaryPipeline build() {
            return new OpenPoseBinaryPipeline(this);
        }
    }
}
