package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import dev.juggler.pipeline.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One TFLite interpreter of MediaPipe's object detector ({@value PoseModels#BOX_DETECTOR_FILE}) with its
 * input buffer and output arrays: stretches each view of a frame onto the 300x300 input (values in
 * {@code [-1, 1]}, as MediaPipe feeds it) and returns the person boxes of all views, suppressed together.
 * Not thread-safe: owners lend it to one thread at a time.
 */
final class BoxDetectorInterpreter {

    private static final TwoOutputModel.Spec SPEC = new TwoOutputModel.Spec("object detector", PersonBoxes.SIZE,
            new int[] {1, PersonBoxes.ANCHORS, 4}, "boxes",
            new int[] {1, PersonBoxes.ANCHORS, PersonBoxes.CLASSES}, "class scores");

    private final ByteBuffer input = ByteBuffer.allocateDirect(PersonBoxes.SIZE * PersonBoxes.SIZE * 3 * Float.BYTES)
            .order(ByteOrder.nativeOrder());
    private final float[][][] boxes = new float[1][PersonBoxes.ANCHORS][4];
    private final float[][][] classes = new float[1][PersonBoxes.ANCHORS][PersonBoxes.CLASSES];
    private final TwoOutputModel model;

    private BoxDetectorInterpreter(Path modelFile, int threads, String owner) {
        this.model = TwoOutputModel.open(modelFile, threads, owner, SPEC, boxes, classes);
    }

    /**
     * Loads the detector with XNNPACK and {@code threads} threads, finding its outputs by shape.
     *
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not that detector
     */
    static BoxDetectorInterpreter open(Path modelFile, int threads, String owner) {
        return new BoxDetectorInterpreter(modelFile, threads, owner);
    }

    /**
     * The people in {@code frame} scoring at least {@code minScore}, at most {@code max}, best first, over
     * all {@code views} (axis-aligned maps of the detector input into the frame).
     *
     * @throws JugglerException (permanent) if TFLite fails
     */
    List<PersonBoxes.Box> detect(Frame frame, List<RoiTransform> views, float minScore, int max) {
        List<PersonBoxes.Box> all = new ArrayList<>();
        for (RoiTransform toFrame : views) {
            input.clear();
            AffineSampler.sample(frame, toFrame, PersonBoxes.SIZE, -1f, 1f, input.asFloatBuffer());
            model.run(input);
            for (PersonBoxes.Box b : PersonBoxes.decode(boxes[0], classes[0], minScore)) {
                all.add(b.toFrame(toFrame));
            }
        }
        return PersonBoxes.suppress(all, max);
    }

    void close() {
        model.close();
    }
}
