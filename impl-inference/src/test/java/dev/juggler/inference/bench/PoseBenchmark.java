package dev.juggler.inference.bench;

import dev.juggler.inference.pose.BlazePoseModel;
import dev.juggler.inference.pose.MultiPersonBlazePose;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.inference.pose.PoseModels;
import dev.juggler.inference.testing.DamageComparison;
import dev.juggler.inference.testing.PoseLabels;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.FrameRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Issue 13's pose benchmark, all in one run: people found on the hand-labelled frames of {@code vtest.avi}
 * and {@code Megamind.avi}, each reached at several phases of the detector's cycle (recall, precision,
 * PCK@0.2; the RESULT line's recall is over both sets and all phases), and on
 * {@code vtest.avi} frames/s of the multi-person path against the landmark-only path, detector
 * calls per frame with and without tracking, the cost of one more person, and frames lost on damaged
 * copies against what FFmpeg cannot decode ({@link DamageComparison}). Appends a section to {@code --out}
 * and prints the RESULT line last.
 *
 * <p>Usage: {@code PoseBenchmark --work DIR --out FILE [--frames N]}.
 */
public final class PoseBenchmark {

    private static final Path VTEST = Path.of("/usr/share/doc/opencv-doc/examples/data/vtest.avi");
    private static final Path MEGAMIND = VTEST.resolveSibling("Megamind.avi");
    /**
     * Frames decoded before each labelled frame. The detector runs on a range's first frame and then every
     * 10 frames (earlier after a loss), so with a lead-in of 20 alone the labelled frame is mostly a detection
     * frame, where people who entered since the last detection are found; in a run, most frames are not.
     */
    private static final int[] LEAD_INS = {20, 22, 24, 26, 28};

    private PoseBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        Path work = Path.of(opts.getOrDefault("--work", "target/bench-pose"));
        Path out = Path.of(opts.getOrDefault("--out", "target/bench-pose.md"));
        int frames = Integer.parseInt(opts.getOrDefault("--frames", "300"));
        Files.createDirectories(work);
        PoseModels models = PoseModels.system();
        Path full = models.locate(PoseModels.Variant.FULL, null);
        Path detector = models.locateDetector(null);
        Path boxes = models.locateBoxDetector(null, detector).orElseThrow(() -> new IllegalStateException(
                "the object detector " + PoseModels.BOX_DETECTOR_FILE + " is missing; run " + PoseModels.SETUP_COMMAND));

        Phased pedestrians = phased("vtest.avi", MultiPersonBlazePose.builder(full, detector).boxDetector(boxes), VTEST,
                "pose-labels/vtest.csv");
        Phased alonePhased = phased("vtest.avi, pose detector alone", MultiPersonBlazePose.builder(full, detector), VTEST,
                "pose-labels/vtest.csv");
        Phased closeUpsPhased = phased("Megamind.avi", MultiPersonBlazePose.builder(full, detector).boxDetector(boxes),
                MEGAMIND, "pose-labels/megamind.csv");
        PoseLabels.Score score = pedestrians.pooled();
        PoseLabels.Score alone = alonePhased.pooled();
        PoseLabels.Score closeUps = closeUpsPhased.pooled();
        PoseLabels.Score both = score.plus(closeUps);
        PoseLabels.Score bothFirst = pedestrians.byLeadIn().get(0).plus(closeUpsPhased.byLeadIn().get(0));

        // Speed: the same frames through both paths, each in one thread, interleaved twice (best of two).
        double multiMs = Double.MAX_VALUE;
        double singleMs = Double.MAX_VALUE;
        MultiPersonBlazePose.Stats tracked = null;
        long peopleFound = 0;
        for (int round = 0; round < 2; round++) {
            try (MultiPersonBlazePose model = MultiPersonBlazePose.builder(full, detector).boxDetector(boxes).threads(1).build()) {
                long t0 = System.nanoTime();
                Map<Long, PoseFrame> poses = run(model, VTEST, 0, frames);
                multiMs = Math.min(multiMs, (System.nanoTime() - t0) / 1e6 / frames);
                tracked = model.stats();
                peopleFound = poses.values().stream().mapToLong(p -> p.people().size()).sum();
            }
            try (BlazePoseModel model = BlazePoseModel.builder(full).interpreters(1).build();
                 FrameSource source = source(VTEST, 0, frames)) {
                long t0 = System.nanoTime();
                for (Frame f = source.next(); f != null; f = source.next()) {
                    model.infer(List.of(model.preprocess(f)));
                }
                singleMs = Math.min(singleMs, (System.nanoTime() - t0) / 1e6 / frames);
            }
        }
        MultiPersonBlazePose.Stats everyFrame;
        try (MultiPersonBlazePose model = MultiPersonBlazePose.builder(full, detector).boxDetector(boxes).threads(1)
                .detectEvery(1).build()) {
            run(model, VTEST, 0, frames);
            everyFrame = model.stats();
        }
        double detectorPerFrame = tracked.detectorCallsPerFrame();
        double peoplePerFrame = (double) peopleFound / frames;
        double landmarkPerFrame = (double) tracked.landmarkCalls() / frames;
        double perPerson = peoplePerFrame == 0 ? Double.NaN : multiMs / peoplePerFrame;
        log(String.format(Locale.ROOT, "multi-person %.1f ms/frame (%.2f people, %.2f landmark passes, %.3f detector calls,"
                + " %.3f near detections, %.2f detector passes per frame); landmark-only %.1f ms/frame; detector on every"
                + " frame: %.2f calls, %.2f passes per frame", multiMs, peoplePerFrame, landmarkPerFrame, detectorPerFrame,
                tracked.nearDetectionsPerFrame(), tracked.detectorPassesPerFrame(), singleMs,
                everyFrame.detectorCallsPerFrame(), everyFrame.detectorPassesPerFrame()));

        DamageComparison.Result damage = DamageComparison.run(work.resolve("damaged"));
        log("damage: " + damage);

        String section = String.format(Locale.ROOT, """

                ## pose

                Run %s on %d cores, Java %s. `bench/pose.sh`; `vtest.avi` (768x576), BlazePose full with the person
                detector and the object detector, one inference thread, TFLite with 1 thread for the speed rows.
                Each labelled frame is reached after a lead-in of %s frames, one run each, so that it falls on
                %d phases of the detector's 10-frame cycle; the people rows count over all of them.

                | measurement | value | baseline | ratio | goal |
                |---|---|---|---|---|
                | people found on the hand-labelled `vtest.avi` frames (recall) | %.3f (%d of %d) | %.3f (%d of %d, person detector alone) | - | >= 0.9 |
                | precision | %.3f (%d found) | %.3f (%d found) | - | - |
                | recall by lead-in | %s | %s | - | - |
                | `Megamind.avi` close-ups: recall, precision | %.3f (%d of %d), %.3f (%d found) | - | - | - |
                | recall by lead-in | %s | - | - | - |
                | both label sets: recall (the RESULT line's) | %.3f (%d of %d) | %.3f (%d of %d, lead-in %d only) | - | >= 0.9 |
                | PCK@0.2 of torso, matched people with keypoint labels | %.3f (%d people) | - | - | >= 0.8 |
                | frames/s, %d frames, detector + tracking | %.2f | %.2f (landmark-only path, whole frame) | %.3f | - |
                | detector calls per frame | %.3f (detect every 10 frames and on loss) | %.3f (every frame) | %.1fx fewer | >= 5x fewer |
                | detector passes per frame (views of either detector, and %.3f near detections of one pass) | %.2f | %.2f (every frame) | %.1fx fewer | - |
                | ms per person found | %.1f (%.2f people/frame, %.2f landmark passes/frame) | %.1f (one landmark pass on the whole frame) | %.2f | - |
                | frames lost on damaged copies | %d | %d (frames FFmpeg cannot decode) | %.3f | 1.0 |

                %s
                """, Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Arrays.stream(LEAD_INS).mapToObj(Integer::toString).collect(Collectors.joining(", ")), LEAD_INS.length,
                score.recall(), score.matched(), score.present(), alone.recall(), alone.matched(), alone.present(),
                score.precision(), score.found(), alone.precision(), alone.found(), pedestrians.recalls(),
                alonePhased.recalls(), closeUps.recall(), closeUps.matched(), closeUps.present(), closeUps.precision(),
                closeUps.found(), closeUpsPhased.recalls(), both.recall(), both.matched(), both.present(),
                bothFirst.recall(), bothFirst.matched(), bothFirst.present(), LEAD_INS[0], score.meanPck(),
                score.pckPeople(), frames, 1000 / multiMs, 1000 / singleMs, singleMs / multiMs, detectorPerFrame,
                everyFrame.detectorCallsPerFrame(), everyFrame.detectorCallsPerFrame() / detectorPerFrame,
                tracked.nearDetectionsPerFrame(), tracked.detectorPassesPerFrame(), everyFrame.detectorPassesPerFrame(),
                everyFrame.detectorPassesPerFrame() / tracked.detectorPassesPerFrame(), perPerson,
                peoplePerFrame, landmarkPerFrame, singleMs, perPerson / singleMs, damage.lost(), damage.undecodable(),
                damage.ratio(), damage.table());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, section, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.print(section);
        System.out.printf(Locale.ROOT, "RESULT pose recall=%.3f mean_pck=%.3f damaged_frames_lost_vs_undecodable=%.3f"
                + " fps_multi=%.2f detector_calls_per_frame=%.3f%n", both.recall(), both.meanPck(), damage.ratio(),
                1000 / multiMs, detectorPerFrame);
    }

    /**
     * A label set's score for each lead-in of {@link #LEAD_INS}, and over all of them together.
     *
     * @param byLeadIn in the order of {@link #LEAD_INS}
     */
    private record Phased(List<PoseLabels.Score> byLeadIn, PoseLabels.Score pooled) {

        String recalls() {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < LEAD_INS.length; i++) {
                out.add(String.format(Locale.ROOT, "%d: %.3f", LEAD_INS[i], byLeadIn.get(i).recall()));
            }
            return String.join(", ", out);
        }
    }

    private static Phased phased(String name, MultiPersonBlazePose.Builder builder, Path video, String labelFile) {
        PoseLabels labels = PoseLabels.resource(labelFile);
        List<PoseLabels.Score> scores = new ArrayList<>();
        PoseLabels.Score pooled = null;
        for (int leadIn : LEAD_INS) {
            PoseLabels.Score score = labels.score(labelledFrames(builder, video, labels, leadIn));
            log(name + " hand labels, lead-in " + leadIn + ": " + score);
            scores.add(score);
            pooled = pooled == null ? score : pooled.plus(score);
        }
        log(name + " hand labels, all lead-ins: " + pooled);
        return new Phased(List.copyOf(scores), pooled);
    }

    /** Each labelled frame, after {@code leadIn} frames, so that tracking has settled as it would in a run. */
    private static Map<Long, PoseFrame> labelledFrames(MultiPersonBlazePose.Builder builder, Path video, PoseLabels labels,
            int leadIn) {
        Map<Long, PoseFrame> found = new HashMap<>();
        try (MultiPersonBlazePose model = builder.build()) {
            for (long frame : labels.frames()) {
                found.put(frame, run(model, video, frame - leadIn, frame + 1).get(frame));
            }
        }
        return found;
    }

    private static FrameSource source(Path video, long from, long to) {
        return FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build().open(video.toString(), FrameRange.of(from, to));
    }

    private static Map<Long, PoseFrame> run(MultiPersonBlazePose model, Path video, long from, long to) {
        Map<Long, PoseFrame> out = new HashMap<>();
        try (FrameSource source = source(video, from, to)) {
            for (Frame f = source.next(); f != null; f = source.next()) {
                out.put(f.index(), model.infer(List.of(model.preprocess(f))).get(0));
            }
        }
        return out;
    }

    static void log(String line) {
        System.err.println("[pose bench] " + line);
    }
}
