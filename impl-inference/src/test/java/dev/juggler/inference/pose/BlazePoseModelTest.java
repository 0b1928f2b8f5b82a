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

    @TempDir
    Path tmp;

    @Test
    void findsPedestriansInMostFramesOfVtestAviWithKeypointsInsideTheImage() {
        Path video = Requirements.footage(Requirements.VTEST);
        Path model = Requirements.poseModel(PoseModels.Variant.LITE);
        List<FrameResult> results = new ArrayList<>();
        // The street scene has small people: a 3x3 grid of crops gives the landmark model a chance.
        try (BlazePoseModel pose = BlazePoseModel.builder(model).tiles(3, 3).interpreters(2).build();
             BoundedFramePipeline<BlazePoseModel.Input, PoseFrame> pipeline = BoundedFramePipeline
                     .builder(FfmpegFrameSources.create(), pose::preprocess, pose, (info, out) -> OpenPoseJson.toJson(out))
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
