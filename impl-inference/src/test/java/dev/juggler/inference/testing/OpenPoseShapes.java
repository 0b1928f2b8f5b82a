package dev.juggler.inference.testing;

import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPoseJson;
import dev.juggler.inference.openpose.OpenPosePerson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Seeded OpenPose documents of the shapes a corpus holds, written by Juggler's own {@link OpenPoseJson}:
 * people of 300-700 px in a 1920x1080 frame, keypoints where a standing body has them (a BODY_25 template
 * with per-person pose noise), sub-pixel coordinates and float confidences (so every number has its 6
 * significant digits, as OpenPose's output does), about one body keypoint in eight missing ({@code 0,0,0}),
 * face points inside the head, hand points inside a hand-sized box and confidences from 0.02 to 0.95 (low ones have 6 digits after more zeros), one hand in five not found. Used by
 * the storage tests and {@code bench/storage.sh}. Not thread-safe (one {@link Random}).
 */
public final class OpenPoseShapes {

    /** The shapes measured by the storage benchmark. */
    public enum Shape {
        /** BODY_25, one person. */
        BODY_ONE,
        /** BODY_25 with 70 face and 2 x 21 hand keypoints, two people. */
        FULL_TWO,
        /** Nobody found. */
        EMPTY
    }

    /** BODY_25 keypoints of a standing person, as (x, y) fractions of the body height from the neck's x and the top. */
    private static final float[][] BODY = {{0, .05f}, {0, .17f}, {-.12f, .18f}, {-.17f, .33f}, {-.19f, .46f}, {.12f, .18f},
        {.17f, .33f}, {.19f, .46f}, {0, .5f}, {-.07f, .5f}, {-.08f, .72f}, {-.08f, .93f}, {.07f, .5f}, {.08f, .72f},
        {.08f, .93f}, {-.02f, .035f}, {.02f, .035f}, {-.045f, .045f}, {.045f, .045f}, {.1f, .98f}, {.12f, .97f},
        {.07f, .96f}, {-.1f, .98f}, {-.12f, .97f}, {-.07f, .96f}};
    private static final float[] NONE = new float[0];

    private final Random random;

    /** @param seed the generator's seed: the same seed gives the same documents */
    public OpenPoseShapes(long seed) {
        this.random = new Random(seed);
    }

    /** The next document of {@code shape}, as Juggler's writer writes it. */
    public String json(Shape shape) {
        return OpenPoseJson.toJson(document(shape));
    }

    /** The next document of {@code shape}. */
    public OpenPoseDocument document(Shape shape) {
        List<OpenPosePerson> people = new ArrayList<>();
        int count = shape == Shape.EMPTY ? 0 : shape == Shape.BODY_ONE ? 1 : 2;
        for (int p = 0; p < count; p++) {
            people.add(person(shape == Shape.FULL_TWO));
        }
        return new OpenPoseDocument(Optional.of(OpenPoseJson.VERSION), people, Optional.empty());
    }

    private OpenPosePerson person(boolean faceAndHands) {
        float height = 300 + random.nextFloat() * 400;
        float left = height * .25f + random.nextFloat() * (1920 - height * .5f);
        float top = random.nextFloat() * Math.max(1, 1080 - height);
        float[] body = new float[BODY.length * 3];
        for (int k = 0; k < BODY.length; k++) {
            if (random.nextInt(8) == 0) {
                continue; // not found: 0,0,0
            }
            body[3 * k] = left + (BODY[k][0] + (float) random.nextGaussian() * .02f) * height;
            body[3 * k + 1] = top + (BODY[k][1] + (float) random.nextGaussian() * .01f) * height;
            body[3 * k + 2] = confidence(.05f, .95f);
        }
        if (!faceAndHands) {
            return new OpenPosePerson(-1, body, NONE, NONE, NONE, NONE, NONE, NONE, NONE);
        }
        float head = height * .13f;
        float[] face = cloud(70, body[0] == 0 ? left : body[0], body[1] == 0 ? top + height * .05f : body[1], head * .5f, head * .6f,
                .1f, .9f);
        float[] handLeft = random.nextInt(5) == 0 ? new float[63]
                : cloud(21, left + .19f * height, top + .5f * height, height * .05f, height * .06f, .02f, .8f);
        float[] handRight = random.nextInt(5) == 0 ? new float[63]
                : cloud(21, left - .19f * height, top + .5f * height, height * .05f, height * .06f, .02f, .8f);
        return new OpenPosePerson(-1, body, face, handLeft, handRight, NONE, NONE, NONE, NONE);
    }

    /** {@code n} keypoints spread over a box of half-sizes (rx, ry) around (cx, cy), in keypoint order along a contour. */
    private float[] cloud(int n, float cx, float cy, float rx, float ry, float lowConfidence, float highConfidence) {
        float[] points = new float[n * 3];
        for (int k = 0; k < n; k++) {
            double angle = 2 * Math.PI * k / n;
            points[3 * k] = cx + (float) (Math.cos(angle) * rx * (.6 + .4 * random.nextDouble()));
            points[3 * k + 1] = cy + (float) (Math.sin(angle) * ry * (.6 + .4 * random.nextDouble()));
            points[3 * k + 2] = confidence(lowConfidence, highConfidence);
        }
        return points;
    }

    private float confidence(float low, float high) {
        return low + random.nextFloat() * (high - low);
    }
}
