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
 * {@link AcceleratorContract} on a {@link BlazePoseModel} (the lite model, two interpreters, 2x1 tiles so
 * that an output can hold more than one person). Input {@code n} is frame {@code n % FRAMES} of a few taken
 * from real footage; its expected output is what a separate model instance found on that frame alone.
 * Skipped with a reason when the model ({@code JUGGLER_POSE_MODEL_DIR} or the cache) or the footage is
 * not installed.
 */
class BlazePoseContractTest extends AcceleratorContract<BlazePoseModel.Input, PoseFrame> {

    private static final int FRAMES = 16;
    /** Frames this far apart differ enough for the model to tell them apart. */
    private static final int STEP = 7;

    private static final List<Frame> frames = new ArrayList<>();

    private static Path model;
    private static BlazePoseModel forInputs;
    private static List<PoseFrame> expected;

    @BeforeAll
    static void referenceOutputs() {
        model = Requirements.poseModel(PoseModels.Variant.LITE);
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
        try (BlazePoseModel reference = builder().name("reference").interpreters(1).build()) {
            for (int f = 0; f < FRAMES; f++) {
                expected.add(reference.infer(List.of(reference.preprocess(frame(f)))).get(0));
            }
        }
        // The order checks need frames that the model tells apart.
        assertTrue(new HashSet<>(expected).size() > FRAMES / 2, "distinct outputs: " + new HashSet<>(expected).size());
    }

    @AfterAll
    static void closeInputs() {
        if (forInputs != null) {
            forInputs.close();
        }
    }

    private static BlazePoseModel.Builder builder() {
        return BlazePoseModel.builder(model).tiles(2, 1).interpreters(2);
    }

    private static Frame frame(int f) {
        return frames.get(f);
    }

    @Override
    protected Accelerator<BlazePoseModel.Input, PoseFrame> newAccelerator() {
        return builder().name("blazepose-contract").build();
    }

    /** Letterboxed by a model that stays open, so that inputs can still be made after the one under test closed. */
    @Override
    protected BlazePoseModel.Input input(int index) {
        return forInputs.preprocess(frame(index % FRAMES));
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
