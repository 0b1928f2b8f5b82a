package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import java.nio.file.Path;
import java.util.List;

/**
 * One TFLite interpreter of MediaPipe's person detector ({@code pose_detection.tflite}): 224x224
 * letterboxes of the whole frame and of tiles, 2,254 anchors decoded with their keypoints, proposals of all
 * views merged by weighted non-maximum suppression. Not thread-safe: owners lend it to one thread at a time.
 */
final class DetectorInterpreter extends SsdViewDetector<PoseDetections.Detection> {

    private static final TwoOutputModel.Spec SPEC = new TwoOutputModel.Spec("pose detector", PoseDetections.SIZE,
            new int[] {1, PoseDetections.ANCHORS, PoseDetections.COORDS}, "boxes",
            new int[] {1, PoseDetections.ANCHORS, 1}, "scores");

    private DetectorInterpreter(Path modelFile, int threads, String owner) {
        super(modelFile, threads, owner, SPEC);
    }

    /**
     * Loads the detector with XNNPACK and {@code threads} threads, finding its outputs by shape.
     *
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not MediaPipe's pose detector
     */
    static DetectorInterpreter open(Path modelFile, int threads, String owner) {
        return new DetectorInterpreter(modelFile, threads, owner);
    }

    @Override
    List<PoseDetections.Detection> decode(float[][] boxes, float[][] scores, float minScore, int max) {
        return PoseDetections.decode(boxes, scores, minScore, max);
    }

    @Override
    PoseDetections.Detection toFrame(PoseDetections.Detection d, RoiTransform toFrame) {
        return d.toFrame(toFrame);
    }

    @Override
    List<PoseDetections.Detection> merge(List<PoseDetections.Detection> all, int views, int max) {
        return views == 1 ? all : PoseDetections.weightedNms(all, max);
    }
}
