package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import dev.juggler.pipeline.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One TFLite interpreter of MediaPipe's person detector ({@code pose_detection.tflite}) with its input
 * buffer and output arrays: letterboxes a whole frame into the 224x224 input (values in {@code [-1, 1]})
 * and returns the people it finds. Not thread-safe: owners lend it to one thread at a time.
 */
final class DetectorInterpreter {

    private static final TwoOutputModel.Spec SPEC = new TwoOutputModel.Spec("pose detector", PoseDetections.SIZE,
            new int[] {1, PoseDetections.ANCHORS, PoseDetections.COORDS}, "boxes",
            new int[] {1, PoseDetections.ANCHORS, 1}, "scores");

    private final ByteBuffer input = ByteBuffer.allocateDirect(PoseDetections.SIZE * PoseDetections.SIZE * 3 * Float.BYTES)
            .order(ByteOrder.nativeOrder());
    private final float[][][] boxes = new float[1][PoseDetections.ANCHORS][PoseDetections.COORDS];
    private final float[][][] scores = new float[1][PoseDetections.ANCHORS][1];
    private final TwoOutputModel model;

    private DetectorInterpreter(Path modelFile, int threads, String owner) {
        this.model = TwoOutputModel.open(modelFile, threads, owner, SPEC, boxes, scores);
    }

    /**
     * Loads the detector with XNNPACK and {@code threads} threads, finding its outputs by shape.
     *
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not MediaPipe's pose detector
     */
    static DetectorInterpreter open(Path modelFile, int threads, String owner) {
        return new DetectorInterpreter(modelFile, threads, owner);
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
            model.run(input);
            for (PoseDetections.Detection d : PoseDetections.decode(boxes[0], scores[0], minScore, max)) {
                all.add(d.toFrame(toFrame));
            }
        }
        return views.size() == 1 ? all : PoseDetections.weightedNms(all, max);
    }

    void close() {
        model.close();
    }
}
