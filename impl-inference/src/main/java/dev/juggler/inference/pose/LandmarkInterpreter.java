package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One TFLite interpreter of a BlazePose landmark model (lite, full or heavy) with its reusable output
 * arrays: runs one 256x256 RGB input and leaves the 39 raw landmarks and the pose score in place. Not
 * thread-safe: owners lend it to one thread at a time (through a {@link dev.juggler.inference.internal.NativePool}).
 */
final class LandmarkInterpreter {

    /** Floats in the raw landmark output (39 landmarks × 5 values). */
    static final int RAW_OUTPUT = Body25Mapping.RAW_LANDMARKS * Body25Mapping.VALUES_PER_LANDMARK;

    private static final TwoOutputModel.Spec SPEC = new TwoOutputModel.Spec("BlazePose landmark model", Letterbox.SIZE,
            new int[] {1, RAW_OUTPUT}, "landmarks", new int[] {1, 1}, "pose score");

    private final float[][] landmarks = new float[1][RAW_OUTPUT];
    private final float[][] score = new float[1][1];
    private final TwoOutputModel model;

    private LandmarkInterpreter(Path modelFile, int threads, String owner) {
        this.model = TwoOutputModel.open(modelFile, threads, owner, SPEC, landmarks, score);
    }

    /**
     * Loads {@code modelFile} with XNNPACK and {@code threads} threads and checks it is a BlazePose
     * landmark model, finding its outputs by shape (their names differ between the lite, full and heavy
     * exports).
     *
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not a landmark model
     */
    static LandmarkInterpreter open(Path modelFile, int threads, String owner) {
        return new LandmarkInterpreter(modelFile, threads, owner);
    }

    /**
     * Runs one input ({@link Letterbox#FLOATS} floats, rewound here) and returns the pose score (a
     * probability); {@link #landmarks()} then holds the raw landmarks until the next run.
     *
     * @throws JugglerException (permanent) if TFLite fails
     */
    float run(ByteBuffer pixels) {
        model.run(pixels);
        return score[0][0];
    }

    /** The raw landmarks of the last {@link #run}, in input pixels; overwritten by the next run. */
    float[] landmarks() {
        return landmarks[0];
    }

    void close() {
        model.close();
    }
}
