package dev.juggler.inference.pose;

import java.util.ArrayList;
import java.util.List;

/**
 * MediaPipe's pose detector output decoded without the model: its SSD anchors, box and keypoint
 * regression, score activation and weighted non-maximum suppression. The detector sees a 224x224
 * letterbox of the whole frame and proposes, per anchor, a face box and four keypoints (hip centre,
 * a point giving the body's size and direction, shoulder centre, a point giving the upper body's size);
 * the first two place the landmark model's {@link PoseRoi}. Pure arithmetic; thread-safe.
 */
final class PoseDetections {

    /** Width and height of the detector input. */
    static final int SIZE = 224;
    /** Anchors of the detector (28x28x2 + 14x14x2 + 7x7x6). */
    static final int ANCHORS = 2254;
    /** Values per anchor: box (x, y, w, h), then 4 keypoints (x, y). */
    static final int COORDS = 12;
    /** Raw scores are clipped to this before the sigmoid, as MediaPipe does. */
    static final float SCORE_CLIP = 100f;
    /** Intersection over union above which two proposals are one detection (weighted together). */
    static final float NMS_IOU = 0.3f;

    private static final float[][] ANCHOR_CENTRES = anchors();

    private PoseDetections() {
    }

    /**
     * One detected person in detector-input pixels.
     *
     * @param score probability that this is a person
     * @param box face box {@code xmin, ymin, xmax, ymax}
     * @param keypoints {@code x0, y0, ... x3, y3}
     */
    record Detection(float score, float[] box, float[] keypoints) {
        /** This detection in the frame, for a detector input that {@code toFrame} (axis-aligned) places there. */
        Detection toFrame(RoiTransform toFrame) {
            float[] b = {toFrame.x(box[0], box[1]), toFrame.y(box[0], box[1]), toFrame.x(box[2], box[3]),
                toFrame.y(box[2], box[3])};
            float[] k = new float[keypoints.length];
            for (int i = 0; i < k.length; i += 2) {
                k[i] = toFrame.x(keypoints[i], keypoints[i + 1]);
                k[i + 1] = toFrame.y(keypoints[i], keypoints[i + 1]);
            }
            return new Detection(score, b, k);
        }

        /** The landmark model's region for this person (coordinates as this detection's). */
        PoseRoi roi() {
            return PoseRoi.fromAlignment(keypoints[0], keypoints[1], keypoints[2], keypoints[3]);
        }
    }

    /**
     * SSD anchor centres (normalised) for 5 layers with strides 8, 16, 32, 32, 32 on a 224 input, two
     * anchors per cell and layer, layers of equal stride sharing cells; fixed anchor size 1.
     */
    private static float[][] anchors() {
        int[] strides = {8, 16, 32, 32, 32};
        List<float[]> out = new ArrayList<>(ANCHORS);
        int layer = 0;
        while (layer < strides.length) {
            int perCell = 0;
            int last = layer;
            while (last < strides.length && strides[last] == strides[layer]) {
                perCell += 2; // aspect ratio 1 plus the interpolated scale
                last++;
            }
            int cells = (int) Math.ceil((double) SIZE / strides[layer]);
            for (int y = 0; y < cells; y++) {
                for (int x = 0; x < cells; x++) {
                    for (int a = 0; a < perCell; a++) {
                        out.add(new float[] {(x + 0.5f) / cells, (y + 0.5f) / cells});
                    }
                }
            }
            layer = last;
        }
        if (out.size() != ANCHORS) {
            throw new IllegalStateException(out.size() + " anchors, expected " + ANCHORS);
        }
        return out.toArray(new float[0][]);
    }

    /**
     * Decodes raw detector output ({@code [ANCHORS][COORDS]} regressions and {@code [ANCHORS][1]} score
     * logits) into detections scoring at least {@code minScore}, merged by weighted non-maximum
     * suppression, best first, at most {@code max}.
     */
    static List<Detection> decode(float[][] raw, float[][] logits, float minScore, int max) {
        List<Detection> candidates = new ArrayList<>();
        for (int i = 0; i < ANCHORS; i++) {
            float logit = Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, logits[i][0]));
            float score = (float) (1.0 / (1.0 + Math.exp(-logit)));
            if (!(score >= minScore)) {
                continue;
            }
            float[] r = raw[i];
            float ax = ANCHOR_CENTRES[i][0] * SIZE;
            float ay = ANCHOR_CENTRES[i][1] * SIZE;
            float cx = r[0] + ax;
            float cy = r[1] + ay;
            float w = r[2];
            float h = r[3];
            if (!(w > 0 && h > 0) || !Float.isFinite(cx) || !Float.isFinite(cy)) {
                continue;
            }
            float[] keypoints = new float[8];
            for (int k = 0; k < 4; k++) {
                keypoints[2 * k] = r[4 + 2 * k] + ax;
                keypoints[2 * k + 1] = r[5 + 2 * k] + ay;
            }
            candidates.add(new Detection(score, new float[] {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2}, keypoints));
        }
        return weightedNms(candidates, max);
    }

    /**
     * Weighted non-maximum suppression: the best remaining proposal takes every proposal that overlaps it
     * by more than {@link #NMS_IOU}; their boxes and keypoints are averaged, weighted by score, under the
     * best one's score.
     */
    static List<Detection> weightedNms(List<Detection> candidates, int max) {
        List<Detection> remaining = new ArrayList<>(candidates);
        remaining.sort((a, b) -> Float.compare(b.score(), a.score()));
        List<Detection> out = new ArrayList<>();
        while (!remaining.isEmpty() && out.size() < max) {
            Detection best = remaining.get(0);
            float[] box = new float[4];
            float[] keypoints = new float[8];
            float total = 0;
            List<Detection> rest = new ArrayList<>(remaining.size());
            for (Detection d : remaining) {
                if (d == best || PoseNms.iou(best.box(), d.box()) > NMS_IOU) {
                    total += d.score();
                    for (int i = 0; i < 4; i++) {
                        box[i] += d.box()[i] * d.score();
                    }
                    for (int i = 0; i < 8; i++) {
                        keypoints[i] += d.keypoints()[i] * d.score();
                    }
                } else {
                    rest.add(d);
                }
            }
            for (int i = 0; i < 4; i++) {
                box[i] /= total;
            }
            for (int i = 0; i < 8; i++) {
                keypoints[i] /= total;
            }
            out.add(new Detection(best.score(), box, keypoints));
            remaining = rest;
        }
        return out;
    }
}
