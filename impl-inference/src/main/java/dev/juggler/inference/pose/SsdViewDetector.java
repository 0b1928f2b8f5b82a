package dev.juggler.inference.pose;

import dev.juggler.JugglerException;
import dev.juggler.pipeline.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An SSD detector with a box output and a score output, run on views of a frame: each view (an axis-aligned
 * map of the square input into the frame: the whole frame, or a tile in which small people look larger) is
 * sampled into the input with values in {@code [-1, 1]} and black beyond the frame, as MediaPipe feeds its
 * detectors; the detections of each view are decoded, placed in the frame, and merged across views.
 * Subclasses say how to decode, place and merge. Not thread-safe: owners lend it to one thread at a time.
 *
 * @param <D> a detection
 */
abstract class SsdViewDetector<D> {

    private final int side;
    private final ByteBuffer input;
    private final float[][][] boxes;
    private final float[][][] scores;
    private final TwoOutputModel model;

    /**
     * Loads the detector with XNNPACK and {@code threads} threads, finding its two outputs, of 3-dimensional
     * shapes, by shape.
     *
     * @throws JugglerException (permanent) if TFLite cannot load it or it is not the model {@code spec} describes
     */
    SsdViewDetector(Path modelFile, int threads, String owner, TwoOutputModel.Spec spec) {
        this.side = spec.inputSide();
        this.input = ByteBuffer.allocateDirect(side * side * 3 * Float.BYTES).order(ByteOrder.nativeOrder());
        this.boxes = new float[spec.first()[0]][spec.first()[1]][spec.first()[2]];
        this.scores = new float[spec.second()[0]][spec.second()[1]][spec.second()[2]];
        this.model = TwoOutputModel.open(modelFile, threads, owner, spec, boxes, scores);
    }

    /**
     * The detections in {@code frame} scoring at least {@code minScore}, at most {@code max}, best first,
     * over all {@code views}.
     *
     * @throws JugglerException (permanent) if TFLite fails
     */
    final List<D> detect(Frame frame, List<RoiTransform> views, float minScore, int max) {
        List<D> all = new ArrayList<>();
        for (RoiTransform toFrame : views) {
            input.clear();
            AffineSampler.sample(frame, toFrame, side, -1f, 1f, input.asFloatBuffer());
            model.run(input);
            for (D d : decode(boxes[0], scores[0], minScore, max)) {
                all.add(toFrame(d, toFrame));
            }
        }
        return merge(all, views.size(), max);
    }

    /** The detections of one run, in input pixels: {@code boxes} and {@code scores} hold one row per anchor. */
    abstract List<D> decode(float[][] boxes, float[][] scores, float minScore, int max);

    /** {@code d} in the frame, for an input that {@code toFrame} places there. */
    abstract D toFrame(D d, RoiTransform toFrame);

    /** The detections of all {@code views} views, merged: at most {@code max}, best first. */
    abstract List<D> merge(List<D> all, int views, int max);

    final void close() {
        model.close();
    }
}
