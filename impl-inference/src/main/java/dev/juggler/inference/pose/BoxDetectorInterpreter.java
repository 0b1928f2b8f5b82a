package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import java.nio.file.Path;
import java.util.List;

/**
 * One TFLite interpreter of MediaPipe's object detector ({@value PoseModels#BOX_DETECTOR_FILE}): 300x300
 * stretches of the whole frame and of tiles (views without letterbox, as MediaPipe feeds it), its
 * "Person" boxes ({@link PersonBoxes}) of all views suppressed together. Not thread-safe: owners lend it
 * to one thread at a time.
 */
final class BoxDetectorInterpreter extends SsdViewDetector<PersonBoxes.Box> {

    private static final TwoOutputModel.Spec SPEC = new TwoOutputModel.Spec("object detector", PersonBoxes.SIZE,
            new int[] {1, PersonBoxes.ANCHORS, 4}, "boxes",
            new int[] {1, PersonBoxes.ANCHORS, PersonBoxes.CLASSES}, "class scores");

    private BoxDetectorInterpreter(Path modelFile, int threads, String owner) {
        super(modelFile, threads, owner, SPEC);
    }

    /**
     * Loads the detector with XNNPACK and {@code threads} threads, finding its outputs by shape.
     *
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not that detector
     */
    static BoxDetectorInterpreter open(Path modelFile, int threads, String owner) {
        return new BoxDetectorInterpreter(modelFile, threads, owner);
    }

    @Override
    List<PersonBoxes.Box> decode(float[][] boxes, float[][] scores, float minScore, int max) {
        return PersonBoxes.decode(boxes, scores, minScore);
    }

    @Override
    PersonBoxes.Box toFrame(PersonBoxes.Box b, RoiTransform toFrame) {
        return b.toFrame(toFrame);
    }

    @Override
    List<PersonBoxes.Box> merge(List<PersonBoxes.Box> all, int views, int max) {
        return PersonBoxes.suppress(all, max);
    }
}
