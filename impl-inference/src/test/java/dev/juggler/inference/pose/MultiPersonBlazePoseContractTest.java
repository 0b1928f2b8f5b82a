package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.accel.Accelerator;
import dev.juggler.accel.AcceleratorContract;
import dev.juggler.inference.testing.Requirements;
import dev.juggler.inference.video.FfmpegFrameSources;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link AcceleratorContract} on a {@link MultiPersonBlazePose} (lite landmarks). Input {@code n} is frame
 * {@code n % FRAMES} of a few taken {@value #STEP} frames apart from real footage; no two follow each
 * other, so each is detected afresh and its expected output is what a separate instance found on that
 * frame alone. Skipped with a reason when the models or the footage are not installed.
 */
class MultiPersonBlazePoseContractTest extends AcceleratorContract<MultiPersonBlazePose.Input, PoseFrame> {

    private static final int FRAMES = 16;
    private static final int STEP = 7;

    private static final List<Frame> frames = new ArrayList<>();

    private static Path landmarks;
    private static Path detector;
    private static MultiPersonBlazePose forInputs;
    private static List<PoseFrame> expected;

    @BeforeAll
    static void referenceOutputs() {
        landmarks = Requirements.poseModel(PoseModels.Variant.LITE);
        detector = Requirements.poseDetector();
        Path video = Requirements.footage(Requirements.VTEST.resolveSibling("Megamind.avi"));
        try (FrameSource source = FfmpegFrameSources.create().open(video.toString(), 0, (long) FRAMES * STEP)) {
            for (Frame f = source.next(); f != null; f = source.next()) {
                if (f.index() % STEP == 0) {
                    frames.add(f); // never recycled, so the source does not reuse its pixels
                }
            }
        }
        assertEquals(FRAMES, frames.size());
        forInputs = builder().name("inputs").build();
        expected = new ArrayList<>();
        try (MultiPersonBlazePose reference = builder().name("reference").build()) {
            for (int f = 0; f < FRAMES; f++) {
                expected.add(reference.infer(List.of(reference.preprocess(frames.get(f)))).get(0));
            }
        }
        assertTrue(new HashSet<>(expected).size() > FRAMES / 2, "distinct outputs: " + new HashSet<>(expected).size());
    }

    @AfterAll
    static void closeInputs() {
        if (forInputs != null) {
            forInputs.close();
        }
    }

    private static MultiPersonBlazePose.Builder builder() {
        return MultiPersonBlazePose.builder(landmarks, detector).maxBatchSize(4);
    }

    @Override
    protected Accelerator<MultiPersonBlazePose.Input, PoseFrame> newAccelerator() {
        return builder().name("multi-person-contract").build();
    }

    @Override
    protected MultiPersonBlazePose.Input input(int index) {
        return forInputs.preprocess(frames.get(index % FRAMES));
    }

    @Override
    protected void assertOutput(int index, PoseFrame output) {
        assertEquals(expected.get(index % FRAMES), output, "output of frame " + index % FRAMES);
    }

    @Override
    protected int batchesPerThread() {
        return 4;
    }
}
