package dev.juggler.inference.clean;

import java.util.ArrayList;
import java.util.List;

/**
 * Gives the people of consecutive frames stable identities. Each frame, every live identity's body keypoints
 * are predicted at constant velocity; the cost of continuing it with a person is the mean distance of their
 * common keypoints in body heights plus half the missing overlap of their boxes ({@code 1 - IoU}); an optimal
 * assignment ({@link Hungarian}) picks the pairs, and a pair costing more than
 * {@link CleanSettings#maxMatchCost()} is no pair. A person left over starts a new identity; an identity not
 * seen for {@link CleanSettings#keepAliveFrames()} frames ends. Where the person's left/right mirror fits the
 * prediction much better (cost under {@value #SWAP_RATIO} of the unswapped one), its body's left and right
 * keypoints are swapped back; else a lone point that fits its mirror's prediction far better is dropped. Accepted points pass the {@link OutlierGate} before they update the identity.
 *
 * <p>Not thread-safe: one tracker follows one track, frame by frame in increasing order.
 */
final class IdentityTracker {
    static final double SWAP_RATIO = 0.6;
    /** A single pair is only judged when it misses its own prediction by more than this many body heights. */
    static final double PAIR_NOISE_FLOOR = 0.05;
    /** A lone point is dropped when it misses its mirror's prediction by less than this times its own prediction. */
    static final double PAIR_RATIO = 0.3;
    private static final int MIN_COMMON_KEYPOINTS = 3;

    private final Skeleton skeleton;
    private final CleanSettings settings;
    private final OutlierGate gate;
    private final List<Identity> live = new ArrayList<>();
    private int nextId;
    private long swaps;
    private long rejected;
    private long mixedUp;

    IdentityTracker(Skeleton skeleton, CleanSettings settings, double fps) {
        this.skeleton = skeleton;
        this.settings = settings;
        this.gate = new OutlierGate(skeleton, settings, fps);
    }

    /**
     * Assigns identities to the people of {@code frame}: {@code bodies[i]} is person i's body array
     * ({@code 3 * keypoints} values), swapped and gated in place. Returns each person's identity id.
     */
    int[] assign(long frame, List<float[]> bodies) {
        live.removeIf(identity -> frame - identity.lastFrame > settings.keepAliveFrames() + 1L);
        int n = live.size();
        int m = bodies.size();
        double[][] cost = new double[n][m];
        boolean[][] mirrored = new boolean[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double plain = cost(live.get(i), bodies.get(j), frame, false);
                double swapped = skeleton.hasMirror() ? cost(live.get(i), bodies.get(j), frame, true) : Double.POSITIVE_INFINITY;
                mirrored[i][j] = swapped < SWAP_RATIO * plain;
                double best = Math.min(plain, swapped);
                cost[i][j] = best > settings.maxMatchCost() ? Double.POSITIVE_INFINITY : best;
            }
        }
        int[] toPerson = n > 0 && m > 0 ? Hungarian.assign(cost) : new int[0];
        int[] ids = new int[m];
        java.util.Arrays.fill(ids, -1);
        Identity[] of = new Identity[m];
        for (int i = 0; i < n; i++) {
            int j = i < toPerson.length ? toPerson[i] : -1;
            if (j >= 0 && cost[i][j] != Double.POSITIVE_INFINITY) {
                of[j] = live.get(i);
                if (mirrored[i][j]) {
                    mirror(bodies.get(j));
                    swaps++;
                } else if (dropMixedUp(live.get(i), bodies.get(j), frame)) {
                    mixedUp++;
                }
            }
        }
        for (int j = 0; j < m; j++) {
            if (of[j] == null) {
                of[j] = new Identity(nextId++, skeleton.keypoints, skeleton.bones.length / 2);
                live.add(of[j]);
            }
            rejected += gate.filter(of[j], bodies.get(j), frame);
            of[j].update(bodies.get(j), frame, settings.minConfidence());
            ids[j] = of[j].id;
        }
        return ids;
    }

    /** Left/right swaps corrected so far. */
    long swaps() {
        return swaps;
    }

    /** Points rejected as outliers so far. */
    long rejected() {
        return rejected;
    }

    /** Lone points dropped as the other side's so far. */
    long mixedUp() {
        return mixedUp;
    }

    /** Identities started so far. */
    int identities() {
        return nextId;
    }

    private double cost(Identity identity, float[] body, long frame, boolean swap) {
        double sum = 0;
        int common = 0;
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY, minY = Double.POSITIVE_INFINITY,
                maxY = Double.NEGATIVE_INFINITY;
        double pMinX = Double.POSITIVE_INFINITY, pMaxX = Double.NEGATIVE_INFINITY, pMinY = Double.POSITIVE_INFINITY,
                pMaxY = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < skeleton.keypoints; k++) {
            int source = swap ? skeleton.mirror[k] : k;
            float c = body[3 * source + 2];
            boolean here = c > 0 && c >= settings.minConfidence();
            boolean predicted = identity.known(k, frame, settings.keepAliveFrames() + 1);
            if (here) {
                minX = Math.min(minX, body[3 * source]);
                maxX = Math.max(maxX, body[3 * source]);
                minY = Math.min(minY, body[3 * source + 1]);
                maxY = Math.max(maxY, body[3 * source + 1]);
            }
            if (predicted) {
                double px = identity.predictX(k, frame);
                double py = identity.predictY(k, frame);
                pMinX = Math.min(pMinX, px);
                pMaxX = Math.max(pMaxX, px);
                pMinY = Math.min(pMinY, py);
                pMaxY = Math.max(pMaxY, py);
                if (here) {
                    sum += Math.hypot(body[3 * source] - px, body[3 * source + 1] - py);
                    common++;
                }
            }
        }
        if (common < Math.min(MIN_COMMON_KEYPOINTS, skeleton.keypoints) || identity.height <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        double iou = iou(minX, maxX, minY, maxY, pMinX, pMaxX, pMinY, pMaxY);
        return sum / common / identity.height + 0.5 * (1 - iou);
    }

    /**
     * Drops a lone point of a left/right pair (its mirror is missing) that fits the mirror's prediction far better
     * than its own, where the whole body was not judged swapped: such a point is most likely the other side's,
     * and it would anchor a fill across its own side's dropout. Dropping it (a gap, filled if short) is safer than
     * moving it, as legs that cross in a stride can look alike. Only pairs with a known prediction for both sides,
     * and a misfit above the noise floor, are judged. Returns whether any point was dropped.
     */
    private boolean dropMixedUp(Identity identity, float[] body, long frame) {
        boolean any = false;
        double floor = PAIR_NOISE_FLOOR * identity.height;
        for (int k = 0; k < skeleton.keypoints; k++) {
            int m = skeleton.mirror[k];
            if (m <= k || !identity.known(k, frame, settings.keepAliveFrames() + 1)
                    || !identity.known(m, frame, settings.keepAliveFrames() + 1)) {
                continue;
            }
            boolean hasK = present(body, k);
            if (hasK == present(body, m)) {
                continue; // both sides or neither: the whole-body judgement stands
            }
            int here = hasK ? k : m;
            int there = hasK ? m : k;
            double plain = Math.hypot(body[3 * here] - identity.predictX(here, frame), body[3 * here + 1] - identity.predictY(here, frame));
            double swapped = Math.hypot(body[3 * here] - identity.predictX(there, frame),
                    body[3 * here + 1] - identity.predictY(there, frame));
            if (plain > floor && swapped < PAIR_RATIO * plain) {
                body[3 * here] = 0;
                body[3 * here + 1] = 0;
                body[3 * here + 2] = 0;
                any = true;
            }
        }
        return any;
    }

    private boolean present(float[] body, int k) {
        return body[3 * k + 2] > 0 && body[3 * k + 2] >= settings.minConfidence();
    }

    private static double iou(double ax0, double ax1, double ay0, double ay1, double bx0, double bx1, double by0, double by1) {
        double w = Math.min(ax1, bx1) - Math.max(ax0, bx0);
        double h = Math.min(ay1, by1) - Math.max(ay0, by0);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double inter = w * h;
        double union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    private void mirror(float[] body) {
        float[] copy = body.clone();
        for (int k = 0; k < skeleton.keypoints; k++) {
            int from = skeleton.mirror[k];
            body[3 * k] = copy[3 * from];
            body[3 * k + 1] = copy[3 * from + 1];
            body[3 * k + 2] = copy[3 * from + 2];
        }
    }
}
