package dev.juggler.inference.clean;

import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPosePerson;
import java.util.List;
import java.util.Optional;

/** A BODY_25 stick figure for the cleaner's unit tests: a standing body whose arms swing with a phase. */
final class Bodies {
    // x, y per BODY_25 keypoint, in body heights, mid hip at the origin, y down
    private static final double[] TEMPLATE = {0, -0.55, 0, -0.45, -0.1, -0.45, -0.13, -0.3, -0.14, -0.15, 0.1, -0.45, 0.13,
        -0.3, 0.14, -0.15, 0, 0, -0.06, 0, -0.07, 0.22, -0.07, 0.43, 0.06, 0, 0.07, 0.22, 0.07, 0.43, -0.02, -0.57, 0.02,
        -0.57, -0.04, -0.56, 0.04, -0.56, 0.09, 0.46, 0.1, 0.46, 0.07, 0.45, -0.09, 0.46, -0.1, 0.46, -0.07, 0.45};

    private Bodies() {
    }

    /** A body with its mid hip at (x, y), {@code height} pixels tall, arms swung by {@code swing} (body heights). */
    static float[] body(double x, double y, double height, double swing) {
        float[] pose = new float[75];
        for (int k = 0; k < 25; k++) {
            double dx = TEMPLATE[2 * k];
            if (k == 3 || k == 4) {
                dx -= swing * (k == 4 ? 1 : 0.5);
            } else if (k == 6 || k == 7) {
                dx += swing * (k == 7 ? 1 : 0.5);
            }
            pose[3 * k] = (float) (x + dx * height);
            pose[3 * k + 1] = (float) (y + TEMPLATE[2 * k + 1] * height);
            pose[3 * k + 2] = 0.9f;
        }
        return pose;
    }

    static OpenPosePerson person(float[] body) {
        return new OpenPosePerson(-1, body, null, null, null, null, null, null, null);
    }

    static OpenPoseDocument frame(float[]... bodies) {
        return new OpenPoseDocument(Optional.of("1.3"), java.util.Arrays.stream(bodies).map(Bodies::person).toList(),
                Optional.empty());
    }

    static OpenPoseDocument frame(List<float[]> bodies) {
        return frame(bodies.toArray(new float[0][]));
    }
}
