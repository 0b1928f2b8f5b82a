package dev.juggler.inference.pose;

import java.util.ArrayList;
import java.util.List;

/**
 * Non-maximum suppression of people found in overlapping crops, without the model: overlapping tiles see
 * the same person twice, so of two people whose keypoint boxes overlap by more than a third (intersection
 * over union) the higher-scored one stays. Pure arithmetic; thread-safe.
 */
final class PoseNms {

    /** Intersection over union above which two people are one. */
    static final float MAX_IOU = 1f / 3f;

    private PoseNms() {
    }

    /** A person with the pose score of the crop it was found in. */
    record Scored(Person person, float score) {
    }

    /**
     * Keeps one person per place: of any two whose boxes overlap by more than {@link #MAX_IOU}, the
     * higher-scored one. Sorts {@code found} by score.
     */
    static PoseFrame merge(List<Scored> found) {
        if (found.size() <= 1) {
            return found.isEmpty() ? PoseFrame.EMPTY : PoseFrame.of(found.get(0).person());
        }
        found.sort((a, b) -> Float.compare(b.score(), a.score()));
        List<Person> kept = new ArrayList<>();
        List<float[]> boxes = new ArrayList<>();
        for (Scored s : found) {
            float[] box = box(s.person());
            boolean duplicate = false;
            for (float[] other : boxes) {
                if (iou(box, other) > MAX_IOU) {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate) {
                kept.add(s.person());
                boxes.add(box);
            }
        }
        return new PoseFrame(kept);
    }

    private static float[] box(Person p) {
        float[] b = {Float.MAX_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int k = 0; k < p.keypointCount(); k++) {
            if (p.confidence(k) > 0) {
                b[0] = Math.min(b[0], p.x(k));
                b[1] = Math.min(b[1], p.y(k));
                b[2] = Math.max(b[2], p.x(k));
                b[3] = Math.max(b[3], p.y(k));
            }
        }
        return b;
    }

    static float iou(float[] a, float[] b) {
        float iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        float ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        float inter = iw * ih;
        float union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union <= 0 ? 1 : inter / union;
    }
}
