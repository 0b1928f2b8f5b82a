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
 * the storage tests and {@code bench/storage.sh}.
 *
 * <p>{@link #json(Shape)} gives independent frames, as if each came from another video: the worst case for
 * storage that predicts a frame from the one before. {@link #scene(Shape)} gives the consecutive frames of
 * one shot (see {@link Scene}). Not thread-safe (one {@link Random}).
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

    /** The consecutive frames of one shot with the people of {@code shape}, at the detection noise given by {@link Scene#DEFAULT_NOISE}. */
    public Scene scene(Shape shape) {
        return scene(shape, 1);
    }

    /** The same, with the detection noise (its standard deviations) multiplied by {@code noise}. */
    public Scene scene(Shape shape, double noise) {
        return new Scene(shape == Shape.EMPTY ? 0 : shape == Shape.BODY_ONE ? 1 : 2, shape == Shape.FULL_TWO, noise);
    }

    /**
     * The consecutive frames of one shot at 25 frames/s, as a detector sees a seated signer: the same people in
     * every frame, the body swaying slowly (1% of its height over 6 s), the hands gesturing (8% of the height,
     * once every 1-2 s) with the wrists and elbows following them, and in every frame Gaussian detection noise
     * around the true positions (at {@code noise} 1: 0.4% of the body height for body keypoints, about 2 px
     * for a 500 px person; 0.15% for the face; 0.5% for the hands) and on each confidence (a drift with 0.033
     * standard deviation that decays by a fifth per frame). A keypoint not found stays lost for about 3 frames
     * (one in eight of the time), a hand for about 12 (one in five). Not thread-safe.
     */
    public final class Scene {
        /** The noise multiplier of {@link #scene(Shape)}. */
        public static final double DEFAULT_NOISE = 1;
        private final List<Mover> people = new ArrayList<>();
        private final boolean faceAndHands;
        private final double noise;
        private long frame;

        private Scene(int count, boolean faceAndHands, double noise) {
            this.faceAndHands = faceAndHands;
            this.noise = noise;
            for (int p = 0; p < count; p++) {
                people.add(new Mover());
            }
        }

        /** The next frame's document, as Juggler's writer writes it. */
        public String json() {
            return OpenPoseJson.toJson(document());
        }

        /** The next frame's document. */
        public OpenPoseDocument document() {
            List<OpenPosePerson> found = new ArrayList<>();
            for (Mover mover : people) {
                found.add(mover.at(frame));
            }
            frame++;
            return new OpenPoseDocument(Optional.of(OpenPoseJson.VERSION), found, Optional.empty());
        }

        /** One person: fixed proportions and keypoint offsets, drawn once; motion, noise and losses per frame. */
        private final class Mover {
            private final float height = 300 + random.nextFloat() * 400;
            private final float left = height * .25f + random.nextFloat() * (1920 - height * .5f);
            private final float top = random.nextFloat() * Math.max(1, 1080 - height * 1.1f);
            private final float[] body = new float[BODY.length * 2];
            private final float[] face = new float[70 * 2];
            private final float[][] hands = {new float[21 * 2], new float[21 * 2]};
            private final double[] phase = {random.nextDouble() * 2 * Math.PI, random.nextDouble() * 2 * Math.PI};
            private final double[] period = {25 + random.nextDouble() * 25, 25 + random.nextDouble() * 25};
            private final double swayPhase = random.nextDouble() * 2 * Math.PI;
            private final Confidences bodyConfidence = new Confidences(BODY.length, .05f, .95f, 8);
            private final Confidences faceConfidence = new Confidences(70, .1f, .9f, 0);
            private final Confidences[] handConfidence = {new Confidences(21, .02f, .8f, 0), new Confidences(21, .02f, .8f, 0)};
            private final boolean[] handLost = new boolean[2];

            Mover() {
                for (int k = 0; k < BODY.length; k++) {
                    body[2 * k] = (BODY[k][0] + (float) random.nextGaussian() * .02f) * height;
                    body[2 * k + 1] = (BODY[k][1] + (float) random.nextGaussian() * .01f) * height;
                }
                float head = height * .13f;
                outline(face, head * .5f, head * .6f);
                outline(hands[0], height * .05f, height * .06f);
                outline(hands[1], height * .05f, height * .06f);
            }

            private void outline(float[] points, float rx, float ry) {
                int n = points.length / 2;
                for (int k = 0; k < n; k++) {
                    double angle = 2 * Math.PI * k / n;
                    points[2 * k] = (float) (Math.cos(angle) * rx * (.6 + .4 * random.nextDouble()));
                    points[2 * k + 1] = (float) (Math.sin(angle) * ry * (.6 + .4 * random.nextDouble()));
                }
            }

            OpenPosePerson at(long t) {
                float swayX = (float) (.01 * height * Math.sin(2 * Math.PI * t / 150 + swayPhase));
                float x0 = left + swayX;
                float[][] handCentre = new float[2][2];
                for (int h = 0; h < 2; h++) {
                    double angle = 2 * Math.PI * t / period[h] + phase[h];
                    handCentre[h][0] = x0 + (h == 0 ? .19f : -.19f) * height + (float) (.08 * height * Math.cos(angle));
                    handCentre[h][1] = top + .4f * height + (float) (.08 * height * Math.sin(angle));
                }
                float[] pose = new float[BODY.length * 3];
                float bodyNoise = (float) (.004 * height * noise);
                for (int k = 0; k < BODY.length; k++) {
                    float x = x0 + body[2 * k];
                    float y = top + body[2 * k + 1];
                    int arm = k == 7 || k == 6 ? 0 : k == 4 || k == 3 ? 1 : -1; // wrists and elbows follow the hands
                    if (arm >= 0) {
                        float share = k == 7 || k == 4 ? 1 : .5f;
                        x += share * (handCentre[arm][0] - (x0 + body[2 * (arm == 0 ? 7 : 4)]));
                        y += share * (handCentre[arm][1] - (top + body[2 * (arm == 0 ? 7 : 4) + 1]));
                    }
                    if (bodyConfidence.found(k)) {
                        pose[3 * k] = x + (float) random.nextGaussian() * bodyNoise;
                        pose[3 * k + 1] = y + (float) random.nextGaussian() * bodyNoise;
                        pose[3 * k + 2] = bodyConfidence.next(k);
                    }
                }
                if (!faceAndHands) {
                    return new OpenPosePerson(-1, pose, NONE, NONE, NONE, NONE, NONE, NONE, NONE);
                }
                float noseX = x0 + body[0];
                float noseY = top + body[1];
                float[] facePoints = points(face, noseX, noseY, (float) (.0015 * height * noise), faceConfidence);
                float[][] handPoints = new float[2][];
                for (int h = 0; h < 2; h++) {
                    handLost[h] = handLost[h] ? random.nextInt(12) != 0 : random.nextInt(48) == 0; // lost one in five, ~12 frames
                    handPoints[h] = handLost[h] ? new float[63]
                            : points(hands[h], handCentre[h][0], handCentre[h][1], (float) (.005 * height * noise), handConfidence[h]);
                }
                return new OpenPosePerson(-1, pose, facePoints, handPoints[0], handPoints[1], NONE, NONE, NONE, NONE);
            }

            private float[] points(float[] offsets, float cx, float cy, float sigma, Confidences confidences) {
                int n = offsets.length / 2;
                float[] points = new float[n * 3];
                for (int k = 0; k < n; k++) {
                    points[3 * k] = cx + offsets[2 * k] + (float) random.nextGaussian() * sigma;
                    points[3 * k + 1] = cy + offsets[2 * k + 1] + (float) random.nextGaussian() * sigma;
                    points[3 * k + 2] = confidences.next(k);
                }
                return points;
            }
        }

        /** Per keypoint: a base confidence with a decaying drift, and (for body keypoints) lost spells. */
        private final class Confidences {
            private final float[] base;
            private final float[] drift;
            private final boolean[] lost;
            private final float low;
            private final float high;
            private final int lostOneIn;

            Confidences(int n, float low, float high, int lostOneIn) {
                this.low = low;
                this.high = high;
                this.lostOneIn = lostOneIn;
                base = new float[n];
                drift = new float[n];
                lost = new boolean[n];
                for (int k = 0; k < n; k++) {
                    base[k] = confidence(low, high);
                }
            }

            /** Whether keypoint k is found this frame: lost spells of about 3 frames, one in {@code lostOneIn} of the time. */
            boolean found(int k) {
                if (lostOneIn > 0) {
                    lost[k] = lost[k] ? random.nextInt(3) != 0 : random.nextInt(3 * (lostOneIn - 1)) == 0;
                }
                return !lost[k];
            }

            float next(int k) {
                drift[k] = .8f * drift[k] + (float) random.nextGaussian() * .02f;
                return Math.max(low, Math.min(high, base[k] + drift[k]));
            }
        }
    }
}
