package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.inference.testing.PoseLabels;
import dev.juggler.inference.testing.Requirements;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import dev.juggler.pipeline.PixelFormat;
import dev.juggler.video.FrameRange;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real detector and landmark models on real footage: the people of hand-labelled {@code vtest.avi}
 * frames, agreement with the whole-frame model where there is one person, and the detector calls that
 * tracking saves. Skips without the models or footage; fails then under CI=true.
 */
class MultiPersonBlazePoseTest {

    @TempDir
    Path tmp;

    /**
     * Frames decoded before each labelled frame, so that tracking has settled as it would in a run. The labelled
     * frame is then mostly a detection frame; {@code bench/pose.sh} scores other phases of the cycle too.
     */
    private static final int LEAD_IN = 20;

    /** Both detectors, as the {@code juggler} tool runs it where the setup step has run. */
    private static MultiPersonBlazePose.Builder builder(PoseModels.Variant variant) {
        return poseDetectorOnly(variant).boxDetector(Requirements.boxDetector());
    }

    private static MultiPersonBlazePose.Builder poseDetectorOnly(PoseModels.Variant variant) {
        return MultiPersonBlazePose.builder(Requirements.poseModel(variant), Requirements.poseDetector());
    }

    private static Map<Long, PoseFrame> run(MultiPersonBlazePose model, Path video, long from, long to,
            PixelFormat format) {
        Map<Long, PoseFrame> found = new HashMap<>();
        try (FrameSource source = FfmpegFrameSources.builder().pixelFormat(format).build()
                .open(video.toString(), FrameRange.of(from, to))) {
            for (Frame f = source.next(); f != null; f = source.next()) {
                found.put(f.index(), model.infer(List.of(model.preprocess(f))).get(0));
            }
        }
        return found;
    }

    private static PoseLabels.Score vtestScore(MultiPersonBlazePose.Builder builder) {
        return labelledScore(builder, Requirements.footage(Requirements.VTEST), "pose-labels/vtest.csv");
    }

    /** The people found on each labelled frame of {@code video}, each after {@value #LEAD_IN} frames of tracking. */
    private static PoseLabels.Score labelledScore(MultiPersonBlazePose.Builder builder, Path video, String labelFile) {
        PoseLabels labels = PoseLabels.resource(labelFile);
        Map<Long, PoseFrame> found = new HashMap<>();
        try (MultiPersonBlazePose model = builder.build()) {
            for (long frame : labels.frames()) {
                found.put(frame, run(model, video, frame - LEAD_IN, frame + 1, PixelFormat.I420).get(frame));
            }
        }
        return labels.score(found);
    }

    @Test
    void findsTheHandLabelledPedestriansOfVtestWithTheirKeypointsInPlace() {
        PoseLabels.Score score = vtestScore(builder(PoseModels.Variant.FULL));
        System.out.println("vtest.avi hand labels, pose and box detectors: " + score);
        // The goal is recall >= 0.9: 54 of 59 here (0.915), against 40 with the pose detector alone.
        // Still missed: two people half behind a sign (frames 120 and 480), two in a row of three shoulder to
        // shoulder (one the detectors never box, one the landmark model scores 0.33 even in a region placed on
        // his label), and one the detectors do not box on the frames they run (documented). The floor is one
        // person below what it reaches, so that a regression shows and float noise across CPUs does not.
        assertTrue(score.recall() >= 0.89, score.toString());
        assertTrue(score.precision() >= 0.9, score.toString());
        assertTrue(score.meanPck() >= 0.8, score.toString());
    }

    @Test
    void findsTheCharactersOfMegamindAviInCloseUp() {
        Path video = Requirements.footage(Requirements.VTEST.resolveSibling("Megamind.avi"));
        PoseLabels.Score score = labelledScore(builder(PoseModels.Variant.FULL), video, "pose-labels/megamind.csv");
        System.out.println("Megamind.avi hand labels, pose and box detectors: " + score);
        // Close-ups are this path's weak case (documented): it finds 9 of the 10 characters whose face is in the
        // frame (not a blurred man in the background on frame 40) and reports 14 people. The 5 others are a
        // small skeleton on a hand holding a glass, three on a woman seen from behind (her head and shoulder on
        // frame 100, her hair twice on frame 130; the labels leave out heads seen from behind), and one on a
        // blurred shape in the background. The floors are one person below what it reaches.
        assertTrue(score.recall() >= 0.8, score.toString());
        assertTrue(score.precision() >= 0.55, score.toString());
    }

    @Test
    void withThePoseDetectorAloneItMissesPeopleSeenFromBehind() {
        PoseLabels.Score score = vtestScore(poseDetectorOnly(PoseModels.Variant.FULL));
        System.out.println("vtest.avi hand labels, pose detector alone: " + score);
        // The face-based detector misses people seen from behind or under ~70 px (documented); the floor is
        // one person below what it reaches (40 of 59, 44 found), so that a regression shows.
        assertTrue(score.recall() >= 0.66, score.toString());
        assertTrue(score.precision() >= 0.88, score.toString());
    }

    /**
     * No regression where the old path works: on a crop of {@code vtest.avi} that one walking person fills,
     * the multi-person model finds him on at least as many frames as the whole-frame model, and places the
     * hand-labelled keypoints at least as well.
     */
    @Test
    void onOnePersonFillingTheFrameItDoesAtLeastAsWellAsTheWholeFrameModel() throws Exception {
        Path video = Requirements.footage(Requirements.VTEST);
        Path crop = tmp.resolve("one person.avi");
        // x 560..760, y 150..410 of frames 0..60 holds only the man labelled at x 617..650 on frame 60.
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i",
                video.toString(), "-vf", "crop=200:260:560:150", "-frames:v", "61", "-c:v", "mpeg4", "-q:v", "2",
                crop.toString()).redirectErrorStream(true).start();
        String said = new String(ffmpeg.getInputStream().readAllBytes());
        assertEquals(0, ffmpeg.waitFor(), said);
        int frames = 61;
        Map<Long, PoseFrame> multi;
        try (MultiPersonBlazePose model = builder(PoseModels.Variant.FULL).build()) {
            multi = run(model, crop, 0, frames, PixelFormat.BGR24);
        }
        Map<Long, PoseFrame> single = new HashMap<>();
        try (BlazePoseModel model = BlazePoseModel.builder(Requirements.poseModel(PoseModels.Variant.FULL)).build();
             FrameSource source = FfmpegFrameSources.create().open(crop.toString(), FrameRange.of(0, frames))) {
            for (Frame f = source.next(); f != null; f = source.next()) {
                single.put(f.index(), model.infer(List.of(model.preprocess(f))).get(0));
            }
        }
        long singleFound = single.values().stream().filter(p -> !p.isEmpty()).count();
        long multiFound = multi.values().stream().filter(p -> !p.isEmpty()).count();
        PoseLabels labels = PoseLabels.resource("pose-labels/vtest-one-person-crop.csv");
        PoseLabels.Score multiScore = labels.score(Map.of(60L, multi.get(60L)));
        PoseLabels.Score singleScore = labels.score(Map.of(60L, single.get(60L)));
        String summary = String.format("one-person crop: a person on %d of %d frames (whole-frame model: %d);"
                + " labelled frame: %s (whole-frame model: %s)", multiFound, frames, singleFound, multiScore, singleScore);
        System.out.println(summary);
        assertTrue(multiFound >= singleFound, summary);
        assertTrue(multiFound >= frames * 0.8, summary);
        assertEquals(1, multiScore.matched(), summary);
        assertEquals(1.0, multiScore.precision(), summary);
        assertTrue(multiScore.meanPck() >= Math.max(0.75, singleScore.meanPck()), summary);
    }

    @Test
    void trackingRunsTheDetectorOnAFractionOfTheFrames() {
        Path video = Requirements.footage(Requirements.VTEST);
        MultiPersonBlazePose.Stats tracked;
        MultiPersonBlazePose.Stats everyFrame;
        try (MultiPersonBlazePose model = builder(PoseModels.Variant.LITE).build()) {
            run(model, video, 100, 200, PixelFormat.I420);
            tracked = model.stats();
        }
        try (MultiPersonBlazePose model = builder(PoseModels.Variant.LITE).detectEvery(1).build()) {
            run(model, video, 100, 200, PixelFormat.I420);
            everyFrame = model.stats();
        }
        String summary = "tracked " + tracked + ", detector on every frame " + everyFrame;
        System.out.println(summary);
        assertEquals(100, tracked.frames());
        assertEquals(100, everyFrame.detectorCalls(), summary);
        assertTrue(everyFrame.detectorCalls() >= 5 * tracked.detectorCalls(), summary);
        // what the detections cost, the passes near people just lost included
        assertTrue(everyFrame.detectorPasses() >= 5 * tracked.detectorPasses(), summary);
        assertTrue(tracked.detectorPasses() > tracked.detectorCalls() + tracked.nearDetections(), "a detection has many views");
        assertTrue(tracked.landmarkCalls() >= 100, "people were followed between detections: " + summary);
    }

    @Test
    void refusesWhatItCannotUse() {
        Path missing = Path.of("/nonexistent/pose_detection.tflite");
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> MultiPersonBlazePose.builder(missing, missing).build());
        assertTrue(e.getMessage().contains(PoseModels.SETUP_COMMAND), e.getMessage());
        MultiPersonBlazePose.Builder b = MultiPersonBlazePose.builder(missing, missing);
        assertThrows(InvalidConfigException.class, () -> b.detectorTiles(0, 1));
        assertThrows(InvalidConfigException.class, () -> b.detectEvery(0));
        assertThrows(InvalidConfigException.class, () -> b.maxPeople(0));
        assertThrows(InvalidConfigException.class, () -> b.minDetectionScore(0f));
        assertThrows(InvalidConfigException.class, () -> b.minDetectionScore(Float.NaN));
        assertThrows(InvalidConfigException.class, () -> b.minBoxScore(0f));
        assertThrows(InvalidConfigException.class, () -> b.minBoxScore(1.5f));
        Path landmarks = Requirements.poseModel(PoseModels.Variant.LITE);
        Path detector = Requirements.poseDetector();
        ModelNotFoundException noBoxes = assertThrows(ModelNotFoundException.class,
                () -> MultiPersonBlazePose.builder(landmarks, detector).boxDetector(missing.resolveSibling("boxes.tflite")).build());
        assertTrue(noBoxes.getMessage().contains("boxes.tflite"), noBoxes.getMessage());
        // The pose detector is not the box detector: refused by its shape, with both named.
        JugglerException wrong = assertThrows(JugglerException.class,
                () -> MultiPersonBlazePose.builder(landmarks, detector).boxDetector(detector).build());
        assertTrue(wrong.getMessage().contains("[1, 300, 300, 3]"), wrong.getMessage());
    }

    @Test
    void automaticTilesFollowTheFrameSize() {
        assertEquals(4, MultiPersonBlazePose.autoTiles(768, MultiPersonBlazePose.AUTO_TILE_SIDE, 6));
        assertEquals(3, MultiPersonBlazePose.autoTiles(576, MultiPersonBlazePose.AUTO_TILE_SIDE, 4));
        assertEquals(6, MultiPersonBlazePose.autoTiles(1920, MultiPersonBlazePose.AUTO_TILE_SIDE, 6));
        assertEquals(4, MultiPersonBlazePose.autoTiles(1080, MultiPersonBlazePose.AUTO_TILE_SIDE, 4));
        assertEquals(1, MultiPersonBlazePose.autoTiles(100, MultiPersonBlazePose.AUTO_TILE_SIDE, 6));
        assertEquals(2, MultiPersonBlazePose.autoTiles(768, MultiPersonBlazePose.BOX_TILE_SIDE, 4));
        assertEquals(2, MultiPersonBlazePose.autoTiles(576, MultiPersonBlazePose.BOX_TILE_SIDE, 3));
        assertEquals(4, MultiPersonBlazePose.autoTiles(1920, MultiPersonBlazePose.BOX_TILE_SIDE, 4));
        assertEquals(3, MultiPersonBlazePose.autoTiles(1080, MultiPersonBlazePose.BOX_TILE_SIDE, 3));
    }
}
