package dev.juggler.inference.pose;

/**
 * BlazePose's raw landmark output mapped to OpenPose BODY_25 in frame pixels, without the model: Neck is
 * the middle of the shoulders and MidHip the middle of the hips (each with the lower confidence of its two
 * ends), BlazePose's foot index becomes the big toe, and the keypoints BlazePose lacks (the small toes)
 * are {@code 0, 0, 0}, as is any landmark that falls outside the frame. A keypoint's confidence is the
 * lower of the model's visibility and presence (both sigmoid-activated). Pure arithmetic; thread-safe.
 */
final class Body25Mapping {

    /** Number of landmarks BlazePose reports. */
    static final int LANDMARKS = 33;
    /** Values per raw landmark: x, y, z, visibility logit, presence logit. */
    static final int VALUES_PER_LANDMARK = 5;
    /** The landmark output also carries 6 auxiliary points (for tracking the region of interest): 39 in all. */
    static final int RAW_LANDMARKS = 39;

    private Body25Mapping() {
    }

    /**
     * BODY_25 keypoint → BlazePose landmark; {@code -1} when BlazePose has no such point, {@code -2} for
     * the two midpoints (Neck, MidHip) computed from pairs.
     */
    private static final int[] BODY25_FROM_BLAZE = {
        0,   // 0 Nose
        -2,  // 1 Neck = mid(11 left shoulder, 12 right shoulder)
        12,  // 2 RShoulder
        14,  // 3 RElbow
        16,  // 4 RWrist
        11,  // 5 LShoulder
        13,  // 6 LElbow
        15,  // 7 LWrist
        -2,  // 8 MidHip = mid(23 left hip, 24 right hip)
        24,  // 9 RHip
        26,  // 10 RKnee
        28,  // 11 RAnkle
        23,  // 12 LHip
        25,  // 13 LKnee
        27,  // 14 LAnkle
        5,   // 15 REye
        2,   // 16 LEye
        8,   // 17 REar
        7,   // 18 LEar
        31,  // 19 LBigToe = left foot index
        -1,  // 20 LSmallToe: not in BlazePose
        29,  // 21 LHeel
        32,  // 22 RBigToe = right foot index
        -1,  // 23 RSmallToe: not in BlazePose
        30,  // 24 RHeel
    };

    /**
     * Maps one crop's raw landmark output to a BODY_25 person in frame pixels, or {@code null} if no
     * keypoint lies inside the frame. Package-private for tests.
     */
    static Person map(float[] raw, Letterbox.Crop crop, int width, int height) {
        return map(raw, RoiTransform.of(crop), width, height);
    }

    /**
     * Maps the raw landmark output of an input that {@code toFrame} places in the frame to a BODY_25 person
     * in frame pixels, or {@code null} if no keypoint lies inside the frame.
     */
    static Person map(float[] raw, RoiTransform toFrame, int width, int height) {
        float[] blaze = new float[LANDMARKS * 3];
        boolean any = false;
        for (int i = 0; i < LANDMARKS; i++) {
            int r = i * VALUES_PER_LANDMARK;
            float x = toFrame.x(raw[r], raw[r + 1]);
            float y = toFrame.y(raw[r], raw[r + 1]);
            float confidence = Math.min(sigmoid(raw[r + 3]), sigmoid(raw[r + 4]));
            if (x >= 0 && y >= 0 && x < width && y < height && Float.isFinite(confidence) && confidence > 0) {
                blaze[3 * i] = x;
                blaze[3 * i + 1] = y;
                blaze[3 * i + 2] = confidence;
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        float[] body = new float[BodyModel.BODY_25.arrayLength2d()];
        for (int k = 0; k < BODY25_FROM_BLAZE.length; k++) {
            int from = BODY25_FROM_BLAZE[k];
            if (from >= 0) {
                System.arraycopy(blaze, 3 * from, body, 3 * k, 3);
            } else if (from == -2) {
                int a = k == BodyModel.NECK ? 11 : 23;
                int b = a + 1;
                float ca = blaze[3 * a + 2];
                float cb = blaze[3 * b + 2];
                if (ca > 0 && cb > 0) {
                    body[3 * k] = (blaze[3 * a] + blaze[3 * b]) / 2f;
                    body[3 * k + 1] = (blaze[3 * a + 1] + blaze[3 * b + 1]) / 2f;
                    body[3 * k + 2] = Math.min(ca, cb);
                }
            }
        }
        return Person.of(body);
    }

    private static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }
}
