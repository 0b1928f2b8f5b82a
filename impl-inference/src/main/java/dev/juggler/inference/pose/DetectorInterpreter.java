package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.Interpreter;
import dev.juggler.pipeline.Frame;

/**
 * One TFLite interpreter of MediaPipe's person detector ({@code pose_detection.tflite}) with its input
 * buffer and output arrays: letterboxes a whole frame into the 224x224 input (values in {@code [-1, 1]})
 * and returns the people it finds. Not thread-safe: owners lend it to one thread at a time.
 */
final class DetectorInterpreter {

    private final Interpreter interpreter;
    private final ByteBuffer input = ByteBuffer.allocateDirect(PoseDetections.SIZE * PoseDetections.SIZE * 3 * Float.BYTES)
            .order(ByteOrder.nativeOrder());
    private final float[][][] boxes = new float[1][PoseDetections.ANCHORS][PoseDetections.COORDS];
    private final float[][][] scores = new float[1][PoseDetections.ANCHORS][1];
    private final Map<Integer, Object> outputs = new HashMap<>();
    private final Object[] inputs = new Object[1];
    private final String owner;

    private DetectorInterpreter(Interpreter interpreter, int boxOutput, int scoreOutput, String owner) {
        this.interpreter = interpreter;
        this.owner = owner;
        outputs.put(boxOutput, boxes);
        outputs.put(scoreOutput, scores);
    }

    /**
     * Loads the detector with XNNPACK and {@code threads} threads, finding its outputs by shape.
     *
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not MediaPipe's pose detector
     */
    static DetectorInterpreter open(Path modelFile, int threads, String owner) {
        Interpreter interpreter;
        try {
            interpreter = new Interpreter(modelFile.toFile(),
                    new Interpreter.Options().setUseXNNPACK(true).setNumThreads(threads));
        } catch (RuntimeException e) {
            throw JugglerException.permanentFailure("cannot load the TFLite model " + modelFile + ": " + e.getMessage(), e);
        }
        try {
            int size = PoseDetections.SIZE;
            if (!Arrays.equals(interpreter.getInputTensor(0).shape(), new int[] {1, size, size, 3})) {
                throw new JugglerException("model " + modelFile + " takes input "
                        + Arrays.toString(interpreter.getInputTensor(0).shape()) + ", not the pose detector input [1, 224, 224, 3]");
            }
            int box = -1;
            int score = -1;
            for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
                int[] shape = interpreter.getOutputTensor(i).shape();
                if (Arrays.equals(shape, new int[] {1, PoseDetections.ANCHORS, PoseDetections.COORDS})) {
                    box = i;
                } else if (Arrays.equals(shape, new int[] {1, PoseDetections.ANCHORS, 1})) {
                    score = i;
                }
            }
            if (box < 0 || score < 0) {
                throw new JugglerException("model " + modelFile + " lacks the pose detector outputs [1, 2254, 12] "
                        + "(boxes) and [1, 2254, 1] (scores)");
            }
            return new DetectorInterpreter(interpreter, box, score, owner);
        } catch (RuntimeException e) {
            interpreter.close();
            throw e;
        }
    }

    /**
     * The people in {@code frame} scoring at least {@code minScore}, at most {@code max}, best first: the
     * detector runs on each of {@code views} (axis-aligned maps of its input into the frame: the whole
     * frame, or tiles in which small people look larger), and the proposals of all views are merged.
     *
     * @throws JugglerException (permanent) if TFLite fails
     */
    List<PoseDetections.Detection> detect(Frame frame, List<RoiTransform> views, float minScore, int max) {
        List<PoseDetections.Detection> all = new ArrayList<>();
        for (RoiTransform toFrame : views) {
            input.clear();
            AffineSampler.sample(frame, toFrame, PoseDetections.SIZE, -1f, 1f, input.asFloatBuffer());
            input.rewind();
            inputs[0] = input;
            try {
                interpreter.runForMultipleInputsOutputs(inputs, outputs);
            } catch (RuntimeException e) {
                throw JugglerException.permanentFailure("TFLite person detection failed on " + owner + ": " + e.getMessage(), e);
            }
            for (PoseDetections.Detection d : PoseDetections.decode(boxes[0], scores[0], minScore, max)) {
                all.add(d.toFrame(toFrame));
            }
        }
        return views.size() == 1 ? all : PoseDetections.weightedNms(all, max);
    }

    void close() {
        interpreter.close();
    }
}
