package dev.juggler.samples;

import dev.juggler.JugglerException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.LocalClusterBackend;
import dev.juggler.jdbc.JdbcLedger;
import dev.juggler.ledger.ChunkQuery;
import dev.juggler.ledger.ChunkState;
import dev.juggler.ledger.ChunkView;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackSpec;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.run.Juggler;
import dev.juggler.run.JugglerStatus;
import dev.juggler.stage.LocalVideoStager;
import dev.juggler.stage.VideoStager;
import dev.juggler.video.Video;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code juggler demo}: the whole system on one machine with the embedded defaults. Registers a folder
 * of videos (or a few it generates) in an H2 ledger, runs the Juggler with the local backend and N
 * worker processes that pull chunks from the ledger, shows progress, exports one OpenPose JSON file per
 * frame and prints a summary. A second run over the same work directory does no work twice.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the whole system on this machine: H2 ledger, local worker processes, local workspace.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--videos", description = "Folder of videos to analyse (default: generate a few into the work dir).")
    Path videos;

    @Option(names = "--work-dir", defaultValue = "juggler-demo",
            description = "Holds the ledger, workspace, logs and JSON output, default ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(names = "--workers", defaultValue = "2", description = "Worker processes at once, default ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--chunk", defaultValue = "100", description = "Frames of a worker's first claim, default ${DEFAULT-VALUE}.")
    long chunk;

    @Option(names = "--frames-per-worker", defaultValue = "400",
            description = "Frames one worker job is sized for, default ${DEFAULT-VALUE}.")
    long framesPerWorker;

    @Option(names = "--workspace-mb", defaultValue = "2048", description = "Workspace budget in MiB, default ${DEFAULT-VALUE}.")
    long workspaceMegabytes;

    @Option(names = "--timeout", defaultValue = "PT15M", description = "Give up after this long, default ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--analysis", defaultValue = "auto",
            description = "Analysis: auto (BlazePose when its model is installed, else marker-pose), or one of "
                    + "marker-pose, blazepose-body25, blazepose-full-body25, blazepose-heavy-body25, openpose-binary. "
                    + "Default ${DEFAULT-VALUE}.")
    String analysis;

    @Mixin
    AnalysisOptions analysisOptions;

    @Option(names = "--no-progress", description = "Print status lines instead of a progress bar.")
    boolean noProgress;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        analysis = chooseAnalysis(); // fails before any work starts when a chosen model is missing
        Analyses.Options options = analysisOptions.toOptions(); // likewise for bad settings
        Analyses.check(analysis, options);
        if (Analyses.OPENPOSE_BINARY.equals(analysis)) {
            out.printf("Analysis: %s (%s)%n", analysis, options.openposeBinary());
        }
        Path work = workDir.toAbsolutePath().normalize();
        Path videoDir = videos != null ? videos.toAbsolutePath().normalize() : work.resolve("videos");
        Path output = work.resolve("openpose-json");
        Files.createDirectories(work);
        if (videos == null) {
            DemoVideos.ensure(videoDir, out);
        } else if (!Files.isDirectory(videoDir)) {
            throw new JugglerException("--videos " + videoDir + " is not a folder");
        }

        String ledgerUrl = JdbcLedger.h2FileUrl(work.resolve("ledger").resolve("juggler"));
        try (WorkLedger ledger = JdbcLedger.builder().url(ledgerUrl).build()) {
            List<String> skipped = new ArrayList<>();
            int registered = register(ledger, videoDir, skipped);
            Progress before = ledger.reader().progress();
            out.printf("Ledger: %s%n%d video(s) registered, %d of %d frames already done.%n", work.resolve("ledger"),
                    registered, before.frames().doneFrames(), before.frames().totalFrames());

            Instant start = Instant.now();
            boolean finished = runJuggler(ledger, work, ledgerUrl, before);
            Duration wall = Duration.between(start, Instant.now());

            long files = OpenPoseExport.exportAll(ledger, output);
            printSummary(ledger, before, wall, skipped, files, output, work.resolve("logs"));
            if (!finished) {
                out.printf("Timed out after %s; run again to continue where it stopped.%n", timeout);
                return JugglerCli.TIMED_OUT;
            }
            return JugglerCli.OK;
        }
    }

    /** Probes every file of the folder and registers the readable ones; the others are reported. */
    private int register(WorkLedger ledger, Path folder, List<String> skipped) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        int registered = 0;
        for (Path file : files) {
            String id = file.getFileName().toString();
            try {
                Video video = dev.juggler.inference.video.VideoProbe.probe(id, file, Map.of("folder", folder.getFileName().toString()));
                if (video.frameCount() == 0) {
                    skipped.add(id + ": no frames");
                    continue;
                }
                ledger.registerVideo(video);
                ledger.addTrack(TrackSpec.whole(video, analysis));
                registered++;
            } catch (JugglerException e) {
                skipped.add(id + ": " + e.getMessage());
            }
        }
        return registered;
    }

    private boolean runJuggler(WorkLedger ledger, Path work, String ledgerUrl, Progress before) {
        JobSpec workerJob = JobSpec.builder("juggler-worker", workerCommand(ledgerUrl))
                .timeLimit(timeout.plusMinutes(1))
                .outputDirectory(work.resolve("logs"))
                .workingDirectory(work)
                .environment("JUGGLER_LOG_LEVEL", "INFO")
                .build();
        Instant deadline = Instant.now().plus(timeout);
        try (ClusterBackend backend = LocalClusterBackend.builder().slots(workers).outputDirectory(work.resolve("logs")).build();
                VideoStager stager = LocalVideoStager.builder(work.resolve("workspace"))
                        .budgetBytes(workspaceMegabytes * 1024 * 1024).build();
                StatusView view = new StatusView(before.frames().totalFrames(), noProgress || System.console() == null, out,
                        java.time.Clock.systemUTC(), Duration.ofSeconds(2));
                Juggler juggler = Juggler.builder(ledger, backend, stager, workerJob)
                        .pollInterval(Duration.ofMillis(500))
                        .maxActiveJobs(workers)
                        .maxQueuedJobs(workers)
                        .framesPerWorker(framesPerWorker)
                        .listener(view)
                        .build()) {
            // This program is the host, so it may install a hook: on Ctrl-C or SIGTERM its workers get SIGTERM
            // too (and are killed after the grace period) instead of running on as orphans. Frames a worker
            // could not return before the ledger closed go back to pending when its lease expires; the next
            // run continues where this one stopped.
            Thread onExit = new Thread(() -> {
                out.println("Stopping: ending the workers; run again to continue where this run stopped.");
                out.flush();
                juggler.close();
                backend.close();
            }, "juggler-demo-exit");
            Runtime.getRuntime().addShutdownHook(onExit);
            try {
                juggler.start();
                while (Instant.now().isBefore(deadline)) {
                    JugglerStatus status = juggler.status().orElse(null);
                    if (status != null && status.isIdle()) {
                        return true;
                    }
                    sleep(Duration.ofMillis(200));
                }
                return false;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException shuttingDown) {
                    // The JVM is already exiting: the hook is running.
                }
            }
        }
    }

    /**
     * Resolves {@code auto}: real pose (BlazePose lite) when its model is on this machine or can be fetched
     * now ({@link ModelFetch}: the setup step's verified npm path); the download-free marker model, with the
     * reason, only when that is impossible (no npm, no network, no setup script next to this program). An explicit BlazePose choice whose model
     * is missing fails here, with the command that gets it, before anything is registered.
     */
    private String chooseAnalysis() {
        dev.juggler.inference.pose.PoseModels models = dev.juggler.inference.pose.PoseModels.system();
        Analyses.Remote remote = analysisOptions.toOptions().remote();
        if (remote.isRemote() && ("auto".equals(analysis) || Analyses.isBlazePose(analysis))) {
            String chosen = "auto".equals(analysis) ? Analyses.BLAZEPOSE : analysis;
            // the model lives on the servers: nothing to find or fetch here
            out.printf("Analysis: %s (landmark model '%s' on %s)%n", chosen, remote.model(),
                    String.join(", ", remote.endpoints().stream().map(Object::toString).toList()));
            return chosen;
        }
        if ("auto".equals(analysis)) {
            try {
                locateModels(models, dev.juggler.inference.pose.PoseModels.Variant.LITE);
                out.printf("Analysis: %s (%s)%n", Analyses.BLAZEPOSE, modelsText());
                return Analyses.BLAZEPOSE;
            } catch (JugglerException missing) {
                Optional<String> why = analysisOptions.poseModel != null ? Optional.of(missing.getMessage())
                        : ModelFetch.script().map(script -> ModelFetch.fetch(script, Map.of(), out))
                                .orElse(Optional.of(missing.getMessage()));
                if (why.isEmpty()) {
                    try {
                        locateModels(models, dev.juggler.inference.pose.PoseModels.Variant.LITE);
                        out.printf("Analysis: %s (%s)%n", Analyses.BLAZEPOSE, modelsText());
                        return Analyses.BLAZEPOSE;
                    } catch (JugglerException stillMissing) {
                        why = Optional.of(stillMissing.getMessage());
                    }
                }
                out.printf("Analysis: %s, the colour-marker stand-in, because %s%n", Analyses.MARKER_POSE, why.get());
                return Analyses.MARKER_POSE;
            }
        }
        if (!Analyses.NAMES.contains(analysis)) {
            throw dev.juggler.InvalidConfigException.of("analysis", analysis, "must be auto or one of " + Analyses.NAMES);
        }
        if (Analyses.isBlazePose(analysis)) {
            locateModels(models, Analyses.variant(analysis));
            out.printf("Analysis: %s (%s)%n", analysis, modelsText());
        }
        return analysis;
    }

    /** Finds the model, and the person detector when every person is wanted, so that workers get their paths. */
    private void locateModels(dev.juggler.inference.pose.PoseModels models, dev.juggler.inference.pose.PoseModels.Variant variant) {
        analysisOptions.poseModel = models.locate(variant, analysisOptions.poseModel);
        Analyses.Options options = analysisOptions.toOptions();
        if (options.everyPerson()) {
            analysisOptions.poseDetector = Analyses.detector(models, options);
            analysisOptions.poseBoxDetector = Analyses.boxDetector(models, options, analysisOptions.poseDetector)
                    .map(Path::toString).orElse(Analyses.NO_BOX_DETECTOR);
        }
    }

    private String modelsText() {
        return "model " + analysisOptions.poseModel
                + (analysisOptions.poseDetector == null ? "" : ", person detector " + analysisOptions.poseDetector)
                + boxDetectorText(analysisOptions.poseBoxDetector);
    }

    private static String boxDetectorText(String boxDetector) {
        if (boxDetector == null) {
            return "";
        }
        return Analyses.NO_BOX_DETECTOR.equals(boxDetector) ? ", no object detector" : ", object detector " + boxDetector;
    }

    /** The worker command: this same program, on the same class path, in a new JVM. */
    private List<String> workerCommand(String ledgerUrl) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-cp", Deployment.ownClassPath(), JugglerCli.class.getName(), "worker", "--ledger-url",
                ledgerUrl, "--analysis", analysis, "--initial-chunk", Long.toString(chunk), "--lease", "PT1M",
                "--safety-margin", "PT5S"));
        command.addAll(analysisOptions.toArguments());
        return command;
    }

    private void printSummary(WorkLedger ledger, Progress before, Duration wall, List<String> skipped, long files,
            Path output, Path logs) {
        Progress after = ledger.reader().progress();
        long newFrames = after.frames().doneFrames() - before.frames().doneFrames();
        double seconds = Math.max(wall.toMillis(), 1) / 1000.0;
        out.println();
        out.println("Summary");
        out.println("-------");
        out.printf(Locale.ROOT, "%-32s %12s %8s%n", "track (video / analysis)", "frames done", "state");
        long offset = 0;
        while (true) {
            List<TrackView> page = ledger.reader().tracks(new TrackQuery(java.util.Optional.empty(), java.util.Optional.empty(),
                    TrackQuery.Sort.VIDEO, offset, 500));
            for (TrackView track : page) {
                out.printf(Locale.ROOT, "%-32s %5d/%-6d %8s%n", abbreviate(track.videoId() + " / " + track.analysis(), 32),
                        track.framesDone(), track.range().length(), track.state());
            }
            if (page.size() < 500) {
                break;
            }
            offset += page.size();
        }
        out.printf(Locale.ROOT, "Frames done this run: %d in %.1f s (%.1f frames/s); all runs: %d of %d.%n", newFrames, seconds,
                newFrames / seconds, after.frames().doneFrames(), after.frames().totalFrames());
        List<ChunkView> failed = ledger.reader().chunks(ChunkQuery.inState(ChunkState.FAILED, 100));
        if (!failed.isEmpty()) {
            out.println("Failed ranges (re-schedule once the cause is fixed):");
            failed.forEach(c -> out.printf("  %s %s after %d attempt(s): %s%n", c.videoId(), c.range(), c.attempts(),
                    c.failureReason().orElse("?")));
        }
        if (!skipped.isEmpty()) {
            out.println("Files not registered (could not be read as video):");
            skipped.forEach(s -> out.println("  " + s));
        }
        out.printf("OpenPose JSON: %d file(s) under %s%nWorker logs: %s%n", files, output, logs);
        out.flush();
    }

    /** Fits a name into a table cell; control characters (a newline in a file name) are shown, not obeyed. */
    private static String abbreviate(String text, int width) {
        StringBuilder visible = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                visible.append(String.format("\\x%02x", c));
            } else {
                visible.appendCodePoint(c);
            }
        });
        String shown = visible.toString();
        return shown.length() <= width ? shown : shown.substring(0, width - 1) + "…";
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JugglerException.permanentFailure("interrupted", e);
        }
    }
}
