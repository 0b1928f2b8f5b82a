package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;

/**
 * One TFLite interpreter of a BlazePose landmark model (lite, full or heavy) with its reusable output
 * arrays: runs one 256x256 RGB input and leaves the 39 raw landmarks and the pose score in place. Not
 * thread-safe: owners lend it to one thread at a time (through a {@link dev.juggler.inference.internal.NativePool}).
 */
final class LandmarkInterpreter {

    /** Floats in the raw landmark output (39 landmarks × 5 values). */
    static final int RAW_OUTPUT = Body25Mapping.RAW_LANDMARKS * Body25Mapping.VALUES_PER_LANDMARK;

    private final Interpreter interpreter;
    private final float[][] landmarks = new float[1][RAW_OUTPUT];
    private final float[][] score = new float[1][1];
    private final Map<Integer, Object> outputs = new HashMap<>();
    private final Object[] inputs = new Object[1];
    private final String owner;

    private LandmarkInterpreter(Interpreter interpreter, int landmarksOutput, int scoreOutput, String owner) {
        this.interpreter = interpreter;
        this.owner = owner;
        outputs.put(landmarksOutput, landmarks);
        outputs.put(scoreOutput, score);
    }

    /**
     * Loads {@code modelFile} with XNNPACK and {@code threads} threads and checks it is a BlazePose
     * landmark model, finding its outputs by shape (their names differ between the lite, full and heavy
     * exports).
     *
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not a landmark model
     */
    static LandmarkInterpreter open(Path modelFile, int threads, String owner) {
        Interpreter interpreter;
        try {
            Interpreter.Options options = new Interpreter.Options().setUseXNNPACK(true).setNumThreads(threads);
            interpreter = new Interpreter(modelFile.toFile(), options);
        } catch (RuntimeException e) {
            throw JugglerException.permanentFailure("cannot load the TFLite model " + modelFile + ": " + e.getMessage(), e);
        }
        try {
            Tensor in = interpreter.getInputTensor(0);
            int size = Letterbox.SIZE;
            if (!Arrays.equals(in.shape(), new int[] {1, size, size, 3})) {
                throw new JugglerException("model " + modelFile + " takes input " + Arrays.toString(in.shape())
                        + ", not the BlazePose landmark input [1, 256, 256, 3]");
            }
            int landmarks = -1;
            int score = -1;
            for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
                int[] shape = interpreter.getOutputTensor(i).shape();
                if (landmarks < 0 && Arrays.equals(shape, new int[] {1, RAW_OUTPUT})) {
                    landmarks = i;
                } else if (score < 0 && Arrays.equals(shape, new int[] {1, 1})) {
                    score = i;
                }
            }
            if (landmarks < 0 || score < 0) {
                throw new JugglerException("model " + modelFile + " lacks the BlazePose outputs [1, 195] (landmarks) "
                        + "and [1, 1] (pose score)");
            }
            return new LandmarkInterpreter(interpreter, landmarks, score, owner);
        } catch (RuntimeException e) {
            interpreter.close();
            throw e;
        }
    }

    /**
     * Runs one input ({@link Letterbox#FLOATS} floats, rewound here) and returns the pose score (a
     * probability); {@link #landmarks()} then holds the raw landmarks until the next run.
     *
     * @throws JugglerException (permanent) if TFLite fails
     */
    float run(ByteBuffer pixels) {
        pixels.rewind();
        inputs[0] = pixels;
        try {
            interpreter.runForMultipleInputsOutputs(inputs, outputs);
        } catch (RuntimeException e) {
            throw JugglerException.permanentFailure("TFLite inference failed on " + owner + ": " + e.getMessage(), e);
        }
        return score[0][0];
    }

    /** The raw landmarks of the last {@link #run}, in input pixels; overwritten by the next run. */
    float[] landmarks() {
        return landmarks[0];
    }

    void close() {
        interpreter.close();
    }
}
