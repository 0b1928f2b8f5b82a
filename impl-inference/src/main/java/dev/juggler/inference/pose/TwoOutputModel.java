package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.Interpreter;

/**
 * A TFLite model with one square RGB float input and two float outputs told apart by shape (their names
 * differ between MediaPipe's exports), loaded with XNNPACK, its outputs bound to arrays the caller reads
 * after each {@link #run}: what MediaPipe's pose detector, object detector and landmark models have in
 * common. Not thread-safe: owners lend it to one thread at a time.
 */
final class TwoOutputModel {

    /**
     * What a model must look like.
     *
     * @param what the model's name in error messages, e.g. "pose detector"
     * @param inputSide width and height of the {@code [1, side, side, 3]} input
     * @param first shape of the first output, e.g. {@code [1, 2254, 12]}
     * @param firstName what the first output holds, e.g. "boxes"
     * @param second shape of the second output
     * @param secondName what the second output holds
     */
    record Spec(String what, int inputSide, int[] first, String firstName, int[] second, String secondName) {
    }

    private final Interpreter interpreter;
    private final Object[] inputs = new Object[1];
    private final Map<Integer, Object> outputs = new HashMap<>();
    private final String failure;

    private TwoOutputModel(Interpreter interpreter, Map<Integer, Object> outputs, String failure) {
        this.interpreter = interpreter;
        this.outputs.putAll(outputs);
        this.failure = failure;
    }

    /**
     * Loads {@code modelFile} with XNNPACK and {@code threads} threads, checks it against {@code spec}, and
     * binds its outputs to {@code firstArray} and {@code secondArray} (float arrays of the spec's shapes).
     *
     * @param owner the accelerator's name, for error messages
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not the model {@code spec} describes
     */
    static TwoOutputModel open(Path modelFile, int threads, String owner, Spec spec, Object firstArray, Object secondArray) {
        Interpreter interpreter;
        try {
            interpreter = new Interpreter(modelFile.toFile(), new Interpreter.Options().setUseXNNPACK(true).setNumThreads(threads));
        } catch (RuntimeException e) {
            throw JugglerException.permanentFailure("cannot load the TFLite model " + modelFile + ": " + e.getMessage(), e);
        }
        try {
            int[] input = interpreter.getInputTensor(0).shape();
            int[] expected = {1, spec.inputSide(), spec.inputSide(), 3};
            if (!Arrays.equals(input, expected)) {
                throw new JugglerException("model " + modelFile + " takes input " + Arrays.toString(input)
                        + ", not the " + spec.what() + " input " + Arrays.toString(expected));
            }
            int first = -1;
            int second = -1;
            for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
                int[] shape = interpreter.getOutputTensor(i).shape();
                if (first < 0 && Arrays.equals(shape, spec.first())) {
                    first = i;
                } else if (second < 0 && Arrays.equals(shape, spec.second())) {
                    second = i;
                }
            }
            if (first < 0 || second < 0) {
                throw new JugglerException("model " + modelFile + " lacks the " + spec.what() + " outputs "
                        + Arrays.toString(spec.first()) + " (" + spec.firstName() + ") and "
                        + Arrays.toString(spec.second()) + " (" + spec.secondName() + ")");
            }
            return new TwoOutputModel(interpreter, Map.of(first, firstArray, second, secondArray),
                    "TFLite " + spec.what() + " failed on " + owner + ": ");
        } catch (RuntimeException e) {
            interpreter.close();
            throw e;
        }
    }

    /**
     * Runs one input (rewound here); the output arrays then hold its results until the next run.
     *
     * @throws JugglerException (permanent) if TFLite fails
     */
    void run(ByteBuffer input) {
        input.rewind();
        inputs[0] = input;
        try {
            interpreter.runForMultipleInputsOutputs(inputs, outputs);
        } catch (RuntimeException e) {
            throw JugglerException.permanentFailure(failure + e.getMessage(), e);
        }
    }

    void close() {
        interpreter.close();
    }
}
