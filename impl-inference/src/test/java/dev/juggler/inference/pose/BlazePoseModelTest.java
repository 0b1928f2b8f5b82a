package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.testing.Requirements;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.inference.video.SyntheticVideo;
import dev.juggler.ledger.FrameResult;
import dev.juggler.pipeline.BoundedFramePipeline;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import dev.juggler.pipeline.FrameSourceFactory;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.pipeline.PipelineReport;
import dev.juggler.pipeline.PipelineRequest;
import dev.juggler.video.FrameRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real BlazePose model on TFLite (skips without the model; fails then under CI=true). */
class BlazePoseModelTest {

    private static final FrameSourceFactory I420 = FfmpegFrameSources.builder().pixelFormat(PixelFormat.I420).build();

    @TempDir
    Path tmp;

    /** Runs {@code model} over {@code [0, frames)} of {@code video}; every result, in frame order. */
    private static List<PoseFrame> poses(Path model, int columns, int rows, FrameSourceFactory source, Path video,
            int frames) {
        List<FrameResult> results = new ArrayList<>();
        try (BlazePoseModel pose = BlazePoseModel.builder(model).tiles(columns, rows).interpreters(2).build();
             BoundedFramePipeline<BlazePoseModel.Input, PoseFrame> pipeline = BoundedFramePipeline
                     .builder(source, pose::preprocess, pose, (info, out) -> OpenPoseJson.toJson(out))
                     .inferenceThreads(2).recycleFrames(true).build()) {
            PipelineReport report = pipeline.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, frames),
                    results::add));
            assertTrue(report.isComplete(), report.toString());
        }
        assertEquals(frames, results.size());
        List<PoseFrame> poses = new ArrayList<>();
        for (FrameResult r : results) {
            assertEquals(poses.size(), r.frame());
            poses.add(OpenPoseJson.read(r.payload(), "frame " + r.frame()));
        }
        return poses;
    }

    private static void assertKeypointsInside(List<PoseFrame> poses, int width, int height) {
        for (int f = 0; f < poses.size(); f++) {
            for (Person p : poses.get(f).people()) {
                assertEquals(25, p.keypointCount());
                for (int k = 0; k < 25; k++) {
                    if (p.confidence(k) > 0) {
                        assertTrue(p.x(k) >= 0 && p.x(k) < width && p.y(k) >= 0 && p.y(k) < height,
                                "frame " + f + " keypoint " + k + " at " + p.x(k) + "," + p.y(k));
                    }
                }
            }
        }
    }

    private static long framesWithPeople(List<PoseFrame> poses) {
        return poses.stream().filter(p -> !p.isEmpty()).count();
    }

    /** Distance between keypoint k of two people, or NaN if either is missing it. */
    private static double distance(Person a, Person b, int k) {
        if (a.confidence(k) <= 0 || b.confidence(k) <= 0) {
            return Double.NaN;
        }
        return Math.hypot(a.x(k) - b.x(k), a.y(k) - b.y(k));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = PoseModels.Variant.class, names = {"FULL", "HEAVY"})
    void theFullAndHeavyModelsRunInThePipelineAndFindTheCharactersOfMegamindAvi(PoseModels.Variant variant) {
        // All three variants share the pre- and postprocessing that BlazePoseMappingTest checks to the pixel;
        // this proves the bigger models load (outputs found by shape), run and give plausible people. The
        // variants need not agree with each other: without a person detector in front, each landmark model
        // may pick a different one of the two characters in a close-up.
        Path video = Requirements.footage(Requirements.VTEST.resolveSibling("Megamind.avi"));
        Path model = Requirements.poseModel(variant);
        int frames = 30;
        long start = System.nanoTime();
        List<PoseFrame> poses = poses(model, 1, 1, I420, video, frames);
        System.out.printf(java.util.Locale.ROOT, "BlazePose %s: %.1f ms/frame here, people in %d of %d frames%n", variant,
                (System.nanoTime() - start) / 1e6 / frames, framesWithPeople(poses), frames);
        assertKeypointsInside(poses, 720, 528);
        assertTrue(framesWithPeople(poses) >= 5, variant + " found people in " + framesWithPeople(poses) + " frames");
        List<Float> widths = new ArrayList<>();
        for (PoseFrame frame : poses) {
            for (Person p : frame.people()) {
                widths.add(boxWidth(p));
            }
        }
        java.util.Collections.sort(widths);
        // A close-up character spans a good part of the frame; a scale error would shrink it to a corner.
        float median = widths.get(widths.size() / 2);
        assertTrue(median > 0.1 * 720, variant + ": people are " + median + " px wide (median)");
    }

    private static float boxWidth(Person p) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int k = 0; k < p.keypointCount(); k++) {
            if (p.confidence(k) > 0) {
                min = Math.min(min, p.x(k));
                max = Math.max(max, p.x(k));
            }
        }
        return max - min;
    }

    @Test
    void i420AndBgrFramesGiveTheSamePoses() {
        // The same pictures reach the model through two colour paths (ours from I420, FFmpeg's to BGR):
        // rounding differs by a level or two, which may tip a person whose score is at the threshold, but
        // must not move keypoints.
        Path video = Requirements.footage(Requirements.VTEST.resolveSibling("Megamind.avi"));
        Path model = Requirements.poseModel(PoseModels.Variant.LITE);
        int frames = 20;
        List<PoseFrame> fromI420 = poses(model, 1, 1, I420, video, frames);
        List<PoseFrame> fromBgr = poses(model, 1, 1, FfmpegFrameSources.create(), video, frames);
        int sameCount = 0;
        List<Double> moves = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            if (fromBgr.get(f).people().size() != fromI420.get(f).people().size()) {
                continue;
            }
            sameCount++;
            for (int i = 0; i < fromBgr.get(f).people().size(); i++) {
                for (int k = 0; k < 25; k++) {
                    double d = distance(fromBgr.get(f).people().get(i), fromI420.get(f).people().get(i), k);
                    if (!Double.isNaN(d) && fromBgr.get(f).people().get(i).confidence(k) > 0.5f) {
                        moves.add(d);
                    }
                }
            }
        }
        assertTrue(sameCount >= frames - 2, "people counts agree in only " + sameCount + " of " + frames + " frames");
        assertTrue(moves.size() > 100, "confident keypoints compared: " + moves.size());
        java.util.Collections.sort(moves);
        double median = moves.get(moves.size() / 2);
        double p90 = moves.get((int) (moves.size() * 0.9));
        System.out.printf(java.util.Locale.ROOT, "I420 vs BGR: keypoints moved %.2f px (median), %.2f px (90th percentile),"
                + " %.2f px (worst) of %d%n", median, p90, moves.get(moves.size() - 1), moves.size());
        assertTrue(median < 4 && p90 < 10, "keypoints moved " + median + " px (median), " + p90 + " px (90th percentile)");
    }

    @Test
    void theGlitchedMegamindCopyIsAnalysedFrameByFrameLikeAnyOtherVideo() {
        // Megamind_bugy.avi shows blocky glitches, but they were encoded into a valid stream (FFmpeg reports
        // 0 decoding errors): there is nothing to report, and every frame gets its pose result.
        Path video = Requirements.footage(Requirements.VTEST.resolveSibling("Megamind_bugy.avi"));
        Path model = Requirements.poseModel(PoseModels.Variant.LITE);
        long frames = dev.juggler.inference.video.VideoProbe.probe("bugy", video, null, true).frameCount();
        assertEquals(270, frames);
        List<PoseFrame> poses = poses(model, 1, 1, I420, video, (int) frames);
        assertKeypointsInside(poses, 720, 528);
        assertTrue(framesWithPeople(poses) > 0, "the animated characters are found in some frames");
    }

    @Test
    void findsPedestriansInMostFramesOfVtestAviWithKeypointsInsideTheImage() {
        Path video = Requirements.footage(Requirements.VTEST);
        Path model = Requirements.poseModel(PoseModels.Variant.LITE);
        List<FrameResult> results = new ArrayList<>();
        // The street scene has small people: a 3x3 grid of crops gives the landmark model a chance.
        try (BlazePoseModel pose = BlazePoseModel.builder(model).tiles(3, 3).interpreters(2).build();
             BoundedFramePipeline<BlazePoseModel.Input, PoseFrame> pipeline = BoundedFramePipeline
                     .builder(I420, pose::preprocess, pose, (info, out) -> OpenPoseJson.toJson(out))
                     .inferenceThreads(2).maxBatchSize(2).build()) {
            PipelineReport report = pipeline.run(PipelineRequest.simple(1, video.toString(), FrameRange.of(0, 100),
                    results::add));
            assertTrue(report.isComplete(), report.toString());
        }
        assertEquals(100, results.size());
        int framesWithPeople = 0;
        int keypoints = 0;
        for (FrameResult r : results) {
            PoseFrame frame = OpenPoseJson.read(r.payload(), "frame " + r.frame());
            if (!frame.isEmpty()) {
                framesWithPeople++;
            }
            for (Person p : frame.people()) {
                assertEquals(25, p.keypointCount());
                for (int k = 0; k < 25; k++) {
                    if (p.confidence(k) > 0) {
                        keypoints++;
                        assertTrue(p.x(k) >= 0 && p.x(k) < 768 && p.y(k) >= 0 && p.y(k) < 576,
                                "frame " + r.frame() + " keypoint " + k + " at " + p.x(k) + "," + p.y(k));
                    }
                }
                assertEquals(0f, p.confidence(20), "BlazePose has no small toe");
            }
        }
        assertTrue(framesWithPeople > 50, "people in only " + framesWithPeople + " of 100 frames");
        assertTrue(keypoints > 50 * 15, "keypoints found: " + keypoints);
    }

    @Test
    void runsOnGeneratedFramesReusesBuffersAndRejectsAConsumedInput() {
        Path model = Requirements.poseModel(PoseModels.Variant.LITE);
        try (BlazePoseModel pose = BlazePoseModel.builder(model).build()) {
            assertEquals(BlazePoseModel.DEFAULT_MAX_BATCH_SIZE, pose.maxBatchSize());
            List<BlazePoseModel.Input> inputs = new ArrayList<>();
            for (int f = 0; f < 3; f++) {
                Frame frame = new Frame(new FrameInfo(f, f / 25.0, 320, 240), SyntheticVideo.render(f, 320, 240, true), 960);
                inputs.add(pose.preprocess(frame));
            }
            List<PoseFrame> out = pose.infer(inputs);
            assertEquals(3, out.size());
            for (PoseFrame frame : out) {
                assertTrue(frame.people().size() <= 1);
            }
            assertThrows(IllegalArgumentException.class, () -> pose.infer(List.of(inputs.get(0))));
        }
    }

    @Test
    void aFileThatIsNotAModelIsAClearError() throws Exception {
        Requirements.poseModel(PoseModels.Variant.LITE); // the native library must be there too
        Path junk = Files.writeString(tmp.resolve("junk.tflite"), "not a flatbuffer");
        dev.juggler.JugglerException e = assertThrows(dev.juggler.JugglerException.class,
                () -> BlazePoseModel.builder(junk).build());
        assertTrue(e.getMessage().contains("junk.tflite"), e.getMessage());
        assertThrows(ModelNotFoundException.class, () -> BlazePoseModel.builder(tmp.resolve("absent.tflite")).build());
    }
}
