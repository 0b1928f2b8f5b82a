package dev.juggler.inference.clean;

import dev.juggler.inference.pose.BodyModel;
import java.util.ArrayList;
import java.util.List;

/**
 * What the cleaner knows about a body keypoint layout: which keypoints are each other's left/right mirror
 * and which pairs are limb bones of fixed length. Known for OpenPose's BODY_25 and COCO (by keypoint
 * count); for any other layout both are empty, and the cleaner neither corrects swaps nor checks bones.
 * Immutable and thread-safe.
 */
final class Skeleton {

    private static final String[][] LIMBS = {{"RShoulder", "RElbow"}, {"RElbow", "RWrist"}, {"LShoulder", "LElbow"},
        {"LElbow", "LWrist"}, {"RHip", "RKnee"}, {"RKnee", "RAnkle"}, {"LHip", "LKnee"}, {"LKnee", "LAnkle"}};

    final int keypoints;
    /** mirror[k]: the keypoint that is k's left/right counterpart, or k itself. */
    final int[] mirror;
    /** Limb bones as index pairs, flat. */
    final int[] bones;

    private Skeleton(int keypoints, int[] mirror, int[] bones) {
        this.keypoints = keypoints;
        this.mirror = mirror;
        this.bones = bones;
    }

    /** The skeleton of a layout with this many body keypoints. */
    static Skeleton of(int keypoints) {
        BodyModel model = null;
        for (BodyModel m : BodyModel.values()) {
            if (m.keypointCount() == keypoints) {
                model = m;
            }
        }
        int[] mirror = new int[keypoints];
        for (int k = 0; k < keypoints; k++) {
            mirror[k] = k;
        }
        if (model == null) {
            return new Skeleton(keypoints, mirror, new int[0]);
        }
        for (int k = 0; k < keypoints; k++) {
            String name = model.name(k);
            if (name.length() > 1 && (name.charAt(0) == 'L' || name.charAt(0) == 'R') && Character.isUpperCase(name.charAt(1))) {
                int other = model.indexOf((name.charAt(0) == 'L' ? 'R' : 'L') + name.substring(1));
                if (other >= 0) {
                    mirror[k] = other;
                }
            }
        }
        List<Integer> bones = new ArrayList<>();
        for (String[] limb : LIMBS) {
            bones.add(model.indexOf(limb[0]));
            bones.add(model.indexOf(limb[1]));
        }
        return new Skeleton(keypoints, mirror, bones.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Whether the layout has left/right pairs at all. */
    boolean hasMirror() {
        for (int k = 0; k < keypoints; k++) {
            if (mirror[k] != k) {
                return true;
            }
        }
        return false;
    }

    /**
     * The height of the box around the present keypoints ({@code c >= minConfidence}) of a flat x, y, c
     * array, or 0 with fewer than two.
     */
    static double boxHeight(float[] pose, double minConfidence) {
        double top = Double.POSITIVE_INFINITY;
        double bottom = Double.NEGATIVE_INFINITY;
        int present = 0;
        for (int i = 0; i + 2 < pose.length; i += 3) {
            if (pose[i + 2] >= minConfidence && pose[i + 2] > 0) {
                top = Math.min(top, pose[i + 1]);
                bottom = Math.max(bottom, pose[i + 1]);
                present++;
            }
        }
        return present < 2 ? 0 : bottom - top;
    }
}
