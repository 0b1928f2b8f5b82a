package dev.juggler.inference.bench;

import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.pose.BlazePoseModel;
import dev.juggler.inference.pose.MarkerPoseModel;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.inference.video.VideoProbe;
import dev.juggler.pipeline.BoundedFramePipeline;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.FrameRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench/pipeline.sh}: decoding vs the ffmpeg CLI, the BlazePose pipeline vs a bare model loop, and
 * the peak RSS of a pipeline run over a 30,000-frame vs a 1,000-frame video (each in its own JVM). Appends a
 * "## pipeline" section to the benchmarks file and prints the RESULT line last.
 *
 * <p>Usage: {@code PipelineBenchmark --work DIR --out docs/benchmarks.md [--threads N]}; internally also
 * {@code --rss-child VIDEO} (one pipeline run, prints its peak RSS) and {@code --json-child DIR} (reads every
 * OpenPose file of DIR one at a time, as {@code juggler openpose check} does, and prints its peak RSS).
 */
public final class PipelineBenchmark {

    private PipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        FfmpegFrameSources.quietNativeLogging();
        if (opts.containsKey("--rss-child")) {
            rssChild(Path.of(opts.get("--rss-child")));
            return;
        }
        if (opts.containsKey("--json-child")) {
            jsonChild(Path.of(opts.get("--json-child")));
            return;
        }
        Path work = Files.createDirectories(Path.of(opts.getOrDefault("--work", "target/bench-pipeline")));
        Path out = Path.of(opts.getOrDefault("--out", "docs/benchmarks.md"));
        int threads = Integer.parseInt(opts.getOrDefault("--threads", Integer.toString(Runtime.getRuntime().availableProcessors())));

        log("generating videos in " + work + " (cached between runs)");
        Path decodeVideo = video(work.resolve("decode-640x480-3000.mp4"), 640, 480, 3000);
        Path small = video(work.resolve("rss-320x240-1000.mp4"), 320, 240, 1000);
        Path large = video(work.resolve("rss-320x240-30000.mp4"), 320, 240, 30_000);

        // 1. Decoding: our frame source vs the ffmpeg CLI decoding to nowhere, same thread count. I420 frames
        // are the decoder's planes in a Java array, as `-f null` keeps them in the decoder's format; BGR frames
        // are compared with the CLI converting to BGR too.
        double ours = 0;
        double oursBgr = 0;
        double cli = 0;
        double cliBgr = 0;
        for (int round = 0; round < 3; round++) {
            ours = Math.max(ours, decodeRate(decodeVideo, 3000, threads, PixelFormat.I420));
            oursBgr = Math.max(oursBgr, decodeRate(decodeVideo, 3000, threads, PixelFormat.BGR24));
            cli = Math.max(cli, ffmpegRate(decodeVideo, 3000, threads, false));
            cliBgr = Math.max(cliBgr, ffmpegRate(decodeVideo, 3000, threads, true));
        }
        // Real footage, when Debian's opencv-doc is installed: harder to decode than the synthetic video.
        Path vtest = Path.of("/usr/share/doc/opencv-doc/examples/data/vtest.avi");
        String vtestRow = "| decode vtest.avi 768x576 (real footage) | not installed | - | - | - |";
        if (Files.isReadable(vtest)) {
            int n = (int) VideoProbe.probe("vtest", vtest, null).frameCount();
            double o = 0;
            double c = 0;
            for (int round = 0; round < 3; round++) {
                o = Math.max(o, decodeRate(vtest, n, threads, PixelFormat.I420));
                c = Math.max(c, ffmpegRate(vtest, n, threads, false));
            }
            vtestRow = String.format(Locale.ROOT, "| decode vtest.avi 768x576, %d frames, %d threads (frames/s) | %.0f (I420) | %.0f "
                    + "(`-f null -`) | %.3f | >= 0.9 |", n, threads, o, c, o / c);
            log(String.format(Locale.ROOT, "decode vtest.avi: ours %.0f, ffmpeg %.0f frames/s", o, c));
        }
        double decodeRatio = ours / cli;
        log(String.format(Locale.ROOT, "decode: ours %.0f frames/s (I420), %.0f (BGR); ffmpeg %.0f frames/s, %.0f (BGR); ratio %.3f",
                ours, oursBgr, cli, cliBgr, decodeRatio));

        // 2. BlazePose lite: the whole pipeline (decode hidden behind inference) vs a bare loop on decoded frames.
        Path model = PoseModels.system().locate(PoseModels.Variant.LITE, null);
        int poseFrames = 600;
        List<Frame> decoded = new ArrayList<>();
        try (FrameSource src = FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build()
                .open(decodeVideo.toString(), 0, poseFrames)) {
            for (Frame f; (f = src.next()) != null; ) {
                decoded.add(f);
            }
        }
        double bareMs = Double.MAX_VALUE;
        double pipelineRate = 0;
        double pipelineRate2 = 0;
        double bareRate2 = 0;
        // Best of three rounds on each side, interleaved: a shared 2-core machine has pauses longer than a run.
        for (int round = 0; round < 3; round++) {
            bareMs = Math.min(bareMs, bareLoopMs(model, decoded, 1));
            pipelineRate = Math.max(pipelineRate, poseRate(model, decodeVideo, poseFrames, 1));
            bareRate2 = Math.max(bareRate2, 1000.0 / bareLoopMs(model, decoded, 2));
            pipelineRate2 = Math.max(pipelineRate2, poseRate(model, decodeVideo, poseFrames, 2));
        }
        double bareRate = 1000.0 / bareMs;
        double poseRatio = pipelineRate / bareRate;
        log(String.format(Locale.ROOT, "pose: bare %.2f ms/frame (%.1f frames/s), pipeline %.1f frames/s, ratio %.3f",
                bareMs, bareRate, pipelineRate, poseRatio));
        log(String.format(Locale.ROOT, "pose on 2 interpreters: bare %.1f frames/s, pipeline %.1f frames/s", bareRate2,
                pipelineRate2));

        // 3. Peak RSS of the same pipeline over 1,000 and 30,000 frames, each in a fresh JVM with the same flags.
        // A worker sizes its heap for the pipeline's bounded working set; a pipeline that kept anything per
        // frame would fail with OutOfMemoryError on 30,000 frames at 64 MiB. The loose 256 MiB cap shows the
        // JVM's lazy heap growth (garbage it has not collected yet), for comparison.
        long rssSmall = child("-Xmx64m", "--rss-child", small)[0];
        long rssLarge = child("-Xmx64m", "--rss-child", large)[0];
        double rssRatio = (double) rssLarge / rssSmall;
        long rssSmallLoose = child("-Xmx256m", "--rss-child", small)[0];
        long rssLargeLoose = child("-Xmx256m", "--rss-child", large)[0];

        // 4. OpenPose folders: reading 100,000 files one at a time (`juggler openpose check`) in a 64 MiB heap,
        // which holding the documents (about 1 KiB each) would overflow, vs 1,000 files.
        Path json1k = jsonFolder(work.resolve("openpose-1k"), 1_000);
        Path json100k = jsonFolder(work.resolve("openpose-100k"), 100_000);
        long[] read1k = child("-Xmx64m", "--json-child", json1k);
        long[] read100k = child("-Xmx64m", "--json-child", json100k);
        double jsonRssRatio = (double) read100k[0] / read1k[0];
        double jsonFilesPerSecond = 100_000 / (read100k[1] / 1e9);
        log(String.format(Locale.ROOT, "openpose folder: 100k files at %.0f files/s, peak RSS %d MiB vs %d MiB for 1k",
                jsonFilesPerSecond, read100k[0] / 1024, read1k[0] / 1024));
        log(String.format(Locale.ROOT, "peak RSS (-Xmx64m): 1k %d MiB, 30k %d MiB, ratio %.3f; (-Xmx256m): %d / %d MiB",
                rssSmall / 1024, rssLarge / 1024, rssRatio, rssSmallLoose / 1024, rssLargeLoose / 1024));

        String section = String.format(Locale.ROOT, """

                ## pipeline

                Run %s on %d cores, Java %s. `bench/pipeline.sh`; videos made by SyntheticVideo (MPEG-4 Part 2).

                | measurement | ours | baseline | ratio | goal |
                |---|---|---|---|---|
                | decode 640x480, 3000 frames, %d threads (frames/s) | %.0f (I420 frames) | %.0f (`ffmpeg -threads %d -i f -f null -`) | %.3f | >= 0.9 |
                | same, BGR frames, baseline also converting to BGR (frames/s) | %.0f | %.0f (`ffmpeg ... -pix_fmt bgr24 -f null -`) | %.3f | - |
                %s
                | BlazePose lite, %d frames of 640x480, 1 interpreter (frames/s) | %.1f (pipeline: decode I420 + letterbox + infer + JSON) | %.1f (bare loop: letterbox + infer on decoded I420 frames) | %.3f | >= 0.95 |
                | BlazePose lite, 2 interpreters (frames/s) | %.1f | %.1f (bare loop, 2 threads) | %.3f | - |
                | peak RSS, marker-pose pipeline, 320x240, JVM -Xmx64m (MiB) | %d (30,000 frames) | %d (1,000 frames) | %.3f | <= 1.15 |
                | same, JVM -Xmx256m (MiB) | %d | %d | %.3f | - |
                | peak RSS reading an OpenPose folder file by file, JVM -Xmx64m (MiB) | %d (100,000 files, %.0f files/s) | %d (1,000 files) | %.3f | - |

                BlazePose lite bare loop: %.2f ms/frame (TFLite 2.6.2, XNNPACK, 1 thread).
                """, Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                threads, ours, cli, threads, decodeRatio, oursBgr, cliBgr, oursBgr / cliBgr, vtestRow,
                poseFrames, pipelineRate, bareRate, poseRatio,
                pipelineRate2, bareRate2, pipelineRate2 / bareRate2,
                rssLarge / 1024, rssSmall / 1024, rssRatio, rssLargeLoose / 1024, rssSmallLoose / 1024,
                (double) rssLargeLoose / rssSmallLoose, read100k[0] / 1024, jsonFilesPerSecond, read1k[0] / 1024,
                jsonRssRatio, bareMs);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, section, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.printf(Locale.ROOT, "RESULT pipeline decode_vs_ffmpeg=%.2f pipeline_vs_bare_model=%.2f rss_30k_vs_1k=%.2f pose_ms_per_frame=%.2f%n",
                decodeRatio, poseRatio, rssRatio, bareMs);
    }

    private static void log(String line) {
        System.err.println("[pipeline bench] " + line);
    }

    private static Path video(Path file, int w, int h, int frames) {
        if (Files.isRegularFile(file)) {
            try {
                if (VideoProbe.probe("bench", file, null).frameCount() == frames) {
                    return file;
                }
            } catch (RuntimeException e) {
                // regenerate below
            }
        }
        log("writing " + file.getFileName());
        return SyntheticVideo.builder().size(w, h).frames(frames).fps(25).keyframeInterval(50).write(file);
    }

    private static double decodeRate(Path video, int frames, int threads, PixelFormat format) {
        FrameSourceFactory sources = FfmpegFrameSources.builder().decoderThreads(threads).pixelFormat(format).build();
        long start = System.nanoTime();
        long n = 0;
        try (FrameSource src = sources.open(video.toString(), 0, frames)) {
            for (Frame f; (f = src.next()) != null; ) {
                n++;
                src.recycle(f); // as the pipeline does: steady state without per-frame allocation
            }
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static double ffmpegRate(Path video, int frames, int threads, boolean bgr) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-threads",
                Integer.toString(threads), "-i", video.toString()));
        if (bgr) {
            cmd.addAll(List.of("-pix_fmt", "bgr24"));
        }
        cmd.addAll(List.of("-f", "null", "-"));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("ffmpeg failed with status " + p.exitValue());
        }
        return frames / ((System.nanoTime() - start) / 1e9);
    }

    private static double bareLoopMs(Path model, List<Frame> frames, int threads) throws InterruptedException {
        try (BlazePoseModel pose = BlazePoseModel.builder(model).interpreters(threads).build()) {
            for (int i = 0; i < 20; i++) { // warm-up: XNNPACK packs weights on the first calls
                pose.infer(List.of(pose.preprocess(frames.get(i))));
            }
            AtomicLong next = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    for (long i; (i = next.getAndIncrement()) < frames.size(); ) {
                        pose.infer(List.of(pose.preprocess(frames.get((int) i))));
                    }
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join();
            }
            return (System.nanoTime() - start) / 1e6 / frames.size();
        }
    }

    private static double poseRate(Path model, Path video, int frames, int threads) {
        try (BlazePoseModel pose = BlazePoseModel.builder(model).interpreters(threads).build();
             BoundedFramePipeline<BlazePoseModel.Input, PoseFrame> pipeline = BoundedFramePipeline.<BlazePoseModel.Input, PoseFrame>builder(
                             FfmpegFrameSources.builder().decoderThreads(1).pixelFormat(PixelFormat.I420).build(),
                             pose::preprocess, pose, (info, out) -> OpenPoseJson.toJson(out))
                     .inferenceThreads(threads).maxBatchSize(1).recycleFrames(true).build()) {
            // Warm-up run on the first frames, then the measured run.
            pipeline.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, 20), r -> { }));
            AtomicLong bytes = new AtomicLong();
            PipelineReport report = pipeline.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, frames),
                    r -> bytes.addAndGet(r.payload().length())));
            if (!report.isComplete()) {
                throw new IllegalStateException("pipeline run incomplete: " + report);
            }
            return report.framesPerSecond();
        }
    }

    /** Runs this class in a fresh JVM in one of its child modes; returns {peak RSS in KiB, nanoseconds of work}. */
    private static long[] child(String heap, String mode, Path input) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, heap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                PipelineBenchmark.class.getName(), mode, input.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(mode + " child failed: " + output);
        }
        long rss = -1;
        long nanos = -1;
        for (String line : output.split("\n")) {
            if (line.startsWith("RSS_KB=")) {
                rss = Long.parseLong(line.substring(7).trim());
            } else if (line.startsWith("NANOS=")) {
                nanos = Long.parseLong(line.substring(6).trim());
            }
        }
        if (rss < 0 || (mode.equals("--json-child") && nanos < 0)) {
            throw new IllegalStateException(mode + " child printed no RSS_KB (or NANOS): " + output);
        }
        return new long[] {rss, nanos};
    }

    private static void printPeakRss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                System.out.println("RSS_KB=" + line.replaceAll("[^0-9]", ""));
            }
        }
    }

    /** A folder of {@code files} OpenPose 1.3 documents with one BODY_25 person each (kept between runs). */
    private static Path jsonFolder(Path dir, int files) throws IOException {
        Path done = dir.resolve(".complete");
        if (Files.exists(done)) {
            return dir;
        }
        log("writing " + files + " OpenPose files to " + dir);
        Files.createDirectories(dir);
        java.util.Random random = new java.util.Random(files);
        for (int f = 0; f < files; f++) {
            float[] keypoints = new float[75];
            for (int k = 0; k < 25; k++) {
                keypoints[3 * k] = random.nextFloat() * 640;
                keypoints[3 * k + 1] = random.nextFloat() * 480;
                keypoints[3 * k + 2] = random.nextFloat();
            }
            PoseFrame frame = new PoseFrame(List.of(dev.juggler.inference.pose.Person.of(keypoints)));
            dev.juggler.inference.openpose.OpenPoseFiles.writeFrame(dir, "session", f, OpenPoseJson.toJson(frame));
        }
        Files.createFile(done);
        return dir;
    }

    /** Reads every file of the folder as `juggler openpose check` does; prints peak RSS and the time taken. */
    private static void jsonChild(Path dir) throws IOException {
        long start = System.nanoTime();
        AtomicLong people = new AtomicLong();
        long files = dev.juggler.inference.openpose.OpenPoseFiles.readAll(dir, (file, document, error) -> {
            if (error != null) {
                throw error;
            }
            people.addAndGet(document.people().size());
        });
        long nanos = System.nanoTime() - start;
        if (people.get() != files) {
            throw new IllegalStateException(files + " files but " + people.get() + " people");
        }
        System.out.println("NANOS=" + nanos);
        printPeakRss();
    }

    /** One pipeline run over the whole video with a cheap model; prints the process's peak RSS. */
    private static void rssChild(Path video) throws IOException {
        long frames = VideoProbe.probe("rss", video, null).frameCount();
        try (MarkerPoseModel model = MarkerPoseModel.create();
             BoundedFramePipeline<Frame, PoseFrame> pipeline = BoundedFramePipeline.<Frame, PoseFrame>builder(
                             FfmpegFrameSources.builder().decoderThreads(1).build(), (Frame f) -> f, model,
                             (info, out) -> OpenPoseJson.toJson(out))
                     .build()) {
            AtomicLong n = new AtomicLong();
            PipelineReport report = pipeline.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, frames),
                    r -> n.incrementAndGet()));
            if (!report.isComplete()) {
                throw new IllegalStateException("incomplete: " + report);
            }
        }
        printPeakRss();
    }
}
