package dev.juggler.inference.clean.testing;

import dev.juggler.inference.pose.BodyModel;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Ground-truth BODY_25 trajectories of several people walking through a camera view, generated from a
 * seed, for testing and benchmarking track cleaners.
 *
 * <p>What a scene contains: 2 to 6 people (the count follows from the seed), each between 80 and 400
 * pixels tall (less in a small frame), seen from the front. Each walks with a smoothly varying speed
 * and heading, turning back before leaving the frame, with arms and legs swinging at 1 to 2 Hz in the
 * walking direction. People 0 and 1 meet at the same hip position at the same moment, coming from
 * opposite sides, so their paths cross in the image. Person 0 is present throughout; every other
 * person appears after the first frame and is gone before the last one. Every keypoint is present with
 * confidence 1; coordinates stay inside the frame.
 *
 * <p>Immutable and thread-safe. The same arguments always give the same scene.
 */
public final class SyntheticPoseScene {

    private static final int K = BodyModel.BODY_25.keypointCount();

    /** Keypoint offsets from the mid hip in body heights, person facing the camera (their right on the image's left). */
    private static final double[][] TEMPLATE = {
        {0, -0.40}, {0, -0.30}, {-0.11, -0.28}, {-0.14, -0.13}, {-0.14, 0.02}, // nose, neck, R shoulder/elbow/wrist
        {0.11, -0.28}, {0.14, -0.13}, {0.14, 0.02}, {0, 0}, // L shoulder/elbow/wrist, mid hip
        {-0.06, 0}, {-0.065, 0.24}, {-0.065, 0.46}, // R hip/knee/ankle
        {0.06, 0}, {0.065, 0.24}, {0.065, 0.46}, // L hip/knee/ankle
        {-0.025, -0.42}, {0.025, -0.42}, {-0.05, -0.41}, {0.05, -0.41}, // R eye, L eye, R ear, L ear
        {0.07, 0.50}, {0.10, 0.50}, {0.065, 0.48}, // L big toe, small toe, heel
        {-0.07, 0.50}, {-0.10, 0.50}, {-0.065, 0.48}, // R big toe, small toe, heel
    };
    /** How far each keypoint follows the arm swing (+: right arm phase) and the leg swing. */
    private static final double[] ARM = new double[K];
    private static final double[] LEG = new double[K];

    static {
        ARM[3] = 0.5;  ARM[4] = 1;  ARM[6] = -0.5; ARM[7] = -1;
        LEG[10] = 0.5; LEG[11] = 1; LEG[13] = -0.5; LEG[14] = -1;
        LEG[22] = 1;   LEG[23] = 1; LEG[24] = 1;    LEG[19] = -1; LEG[20] = -1; LEG[21] = -1;
    }

    private final List<PoseFrame> truth;
    private final double fps;
    private final double[] heights;

    private SyntheticPoseScene(List<PoseFrame> truth, double fps, double[] heights) {
        this.truth = truth;
        this.fps = fps;
        this.heights = heights;
    }

    /**
     * Generates a scene.
     *
     * @param seed   selects everything: the number of people, their sizes, paths and timing
     * @param frames number of frames, at least 10
     * @param fps    frame rate, positive and finite (sets how far people move per frame)
     * @param width  frame width in pixels, at least 160
     * @param height frame height in pixels, at least 120
     */
    public static SyntheticPoseScene generate(long seed, int frames, double fps, int width, int height) {
        if (frames < 10) {
            throw new IllegalArgumentException("frames = " + frames + "; a scene needs at least 10 frames");
        }
        if (!(fps > 0) || !Double.isFinite(fps)) {
            throw new IllegalArgumentException("fps = " + fps + "; use a positive frame rate such as 25");
        }
        if (width < 160 || height < 120) {
            throw new IllegalArgumentException("frame " + width + "x" + height + " is too small; use at least 160x120");
        }
        Random rnd = new Random(seed);
        int count = 2 + rnd.nextInt(5);
        double maxHeight = Math.max(80, Math.min(400, 0.8 * height));
        double[] h = new double[count];
        int[] entry = new int[count];
        int[] exit = new int[count]; // exclusive
        for (int p = 0; p < count; p++) {
            // Uniform in log size: as many small (far) people as large (near) ones.
            h[p] = 80 * Math.exp(rnd.nextDouble() * Math.log(maxHeight / 80));
        }
        int edge = Math.max(1, frames / 8);
        entry[0] = 0;
        exit[0] = frames;
        for (int p = 1; p < count; p++) {
            if (p == 1) {
                entry[p] = 1 + rnd.nextInt(edge);
                exit[p] = frames - 1 - rnd.nextInt(edge);
            } else {
                entry[p] = 1 + rnd.nextInt(Math.max(1, frames / 2));
                int minLife = Math.max(2, frames / 5);
                int latest = frames - 1;
                exit[p] = Math.min(latest, entry[p] + minLife + rnd.nextInt(Math.max(1, latest - entry[p] - minLife + 1)));
            }
        }
        double[][][] hips = new double[count][][];
        Bounds bounds0 = new Bounds(width, height, h[0]);
        Bounds bounds1 = new Bounds(width, height, h[1]);
        // The meeting point must be walkable for both people.
        double cx = lerp(Math.max(bounds0.x0, bounds1.x0), Math.min(bounds0.x1, bounds1.x1), 0.3 + 0.4 * rnd.nextDouble());
        double cy = lerp(Math.max(bounds0.y0, bounds1.y0), Math.min(bounds0.y1, bounds1.y1), 0.3 + 0.4 * rnd.nextDouble());
        int meet = entry[1] + (exit[1] - entry[1]) / 3 + rnd.nextInt(Math.max(1, (exit[1] - entry[1]) / 3));
        double heading0 = (rnd.nextDouble() - 0.5) * 0.8;
        double heading1 = Math.PI - (rnd.nextDouble() - 0.5) * 0.8;
        hips[0] = walkThrough(rnd, cx, cy, heading0, meet, entry[0], exit[0], bounds0, h[0], fps);
        hips[1] = walkThrough(rnd, cx, cy, heading1, meet, entry[1], exit[1], bounds1, h[1], fps);
        for (int p = 2; p < count; p++) {
            Bounds b = new Bounds(width, height, h[p]);
            double x = lerp(b.x0, b.x1, rnd.nextDouble());
            double y = lerp(b.y0, b.y1, rnd.nextDouble());
            hips[p] = walkThrough(rnd, x, y, rnd.nextDouble() * 2 * Math.PI, entry[p], entry[p], exit[p], b, h[p], fps);
        }
        List<List<Person>> people = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            people.add(new ArrayList<>());
        }
        for (int p = 0; p < count; p++) {
            double strideHz = 1 + rnd.nextDouble();
            double phase = rnd.nextDouble() * 2 * Math.PI;
            for (int f = entry[p]; f < exit[p]; f++) {
                double[] s = hips[p][f - entry[p]];
                people.get(f).add(new Person(p, pose(s, h[p], 2 * Math.PI * strideHz * f / fps + phase, width, height)));
            }
        }
        List<PoseFrame> truth = new ArrayList<>(frames);
        for (List<Person> frame : people) {
            truth.add(new PoseFrame(frame));
        }
        return new SyntheticPoseScene(List.copyOf(truth), fps, h);
    }

    /** The true poses, one frame per element; each person carries their true id (0 to {@link #people()} - 1). */
    public List<PoseFrame> truth() {
        return truth;
    }

    /** Frame rate the motion was generated for. */
    public double fps() {
        return fps;
    }

    /** Number of frames. */
    public int frames() {
        return truth.size();
    }

    /** Number of distinct people in the scene. */
    public int people() {
        return heights.length;
    }

    /** The nominal standing height in pixels of person {@code truthId} (top of the head to the soles). */
    public double bodyHeight(int truthId) {
        return heights[truthId];
    }

    /** Where a person's mid hip may go without any keypoint leaving the frame. */
    private record Bounds(double x0, double x1, double y0, double y1) {
        Bounds(int width, int height, double h) {
            this(0.16 * h + 2, width - 0.16 * h - 2, 0.45 * h + 2, height - 0.52 * h - 2);
        }
    }

    /**
     * Hip positions (and walking direction cosine) from {@code from} to {@code to} (exclusive) that pass
     * through {@code (x, y)} at frame {@code at}, heading {@code heading} there. Before {@code at} the
     * walk is simulated backwards from the anchor, so the anchor holds exactly.
     */
    private static double[][] walkThrough(Random rnd, double x, double y, double heading, int at, int from, int to,
            Bounds b, double h, double fps) {
        double speed = h * (0.25 + 0.35 * rnd.nextDouble()); // body heights per second, a stroll to a brisk walk
        double[][] out = new double[to - from][];
        // One speed rhythm for both directions keeps the speed continuous through the anchor.
        double speedPhase = rnd.nextDouble() * 2 * Math.PI;
        double speedHz = 0.05 + 0.15 * rnd.nextDouble();
        double[][] ahead = walk(rnd, x, y, heading, speed, speedHz, speedPhase, to - at, b, fps);
        for (int i = 0; i < ahead.length; i++) {
            out[at - from + i] = ahead[i];
        }
        double[][] behind = walk(rnd, x, y, heading + Math.PI, speed, -speedHz, speedPhase, at - from + 1, b, fps);
        for (int i = 1; i < behind.length; i++) {
            double[] s = behind[i];
            out[at - from - i] = new double[]{s[0], s[1], -s[2]}; // walked backwards: facing the other way
        }
        return out;
    }

    /** {@code steps} states {x, y, cos(heading)} of a smooth random walk that turns back from the edges. */
    private static double[][] walk(Random rnd, double x, double y, double heading, double speed, double speedHz,
            double speedPhase, int steps, Bounds b, double fps) {
        double dt = 1 / fps;
        double turn = 0;
        double[][] out = new double[Math.max(0, steps)][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new double[]{x, y, Math.cos(heading)};
            // The turn rate itself drifts (Ornstein-Uhlenbeck), so the heading changes smoothly.
            turn += -turn * dt / 2 + 0.4 * Math.sqrt(dt) * rnd.nextGaussian();
            double ox = Math.max(0, b.x0 + 0.1 * (b.x1 - b.x0) - x) - Math.max(0, x - b.x1 + 0.1 * (b.x1 - b.x0));
            double oy = Math.max(0, b.y0 + 0.1 * (b.y1 - b.y0) - y) - Math.max(0, y - b.y1 + 0.1 * (b.y1 - b.y0));
            double steer = 0;
            if (ox != 0 || oy != 0) {
                double toCentre = Math.atan2((b.y0 + b.y1) / 2 - y, (b.x0 + b.x1) / 2 - x);
                steer = 2.5 * Math.sin(toCentre - heading);
            }
            heading += (turn + steer) * dt;
            double v = speed * (1 + 0.3 * Math.sin(2 * Math.PI * speedHz * i * dt + speedPhase));
            // Mostly sideways motion with some depth, as in a camera at head height.
            x = clamp(x + v * Math.cos(heading) * dt, b.x0, b.x1);
            y = clamp(y + 0.4 * v * Math.sin(heading) * dt, b.y0, b.y1);
        }
        return out;
    }

    private static float[] pose(double[] state, double h, double stride, int width, int height) {
        double swing = Math.sin(stride);
        double facing = state[2]; // +1 walking right, -1 left, 0 straight towards or away from the camera
        double bob = 0.008 * h * Math.cos(2 * stride);
        float[] pose = new float[3 * K];
        for (int k = 0; k < K; k++) {
            double dx = (0.10 * ARM[k] * swing - 0.12 * LEG[k] * swing) * h * facing;
            // The foot that swings forward lifts off the ground.
            double lift = LEG[k] == 0 ? 0 : 0.03 * h * Math.max(0, -Math.signum(LEG[k]) * Math.cos(stride)) * Math.abs(LEG[k]);
            double x = state[0] + TEMPLATE[k][0] * h + dx;
            double y = state[1] + TEMPLATE[k][1] * h + bob - lift;
            pose[3 * k] = (float) clamp(x, 0, width - 1);
            pose[3 * k + 1] = (float) clamp(y, 0, height - 1);
            pose[3 * k + 2] = 1f;
        }
        return pose;
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
