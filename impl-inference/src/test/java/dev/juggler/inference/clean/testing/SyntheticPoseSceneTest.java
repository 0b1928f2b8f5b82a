package dev.juggler.inference.clean.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.clean.testing.DetectorNoise.Corrupted;
import dev.juggler.inference.clean.testing.DetectorNoise.DropLog;
import dev.juggler.inference.pose.BodyModel;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticPoseSceneTest {

    private static final int W = 1280;
    private static final int H = 720;

    @Test
    void sameSeedSameScene() {
        SyntheticPoseScene a = SyntheticPoseScene.generate(42, 300, 25, W, H);
        SyntheticPoseScene b = SyntheticPoseScene.generate(42, 300, 25, W, H);
        assertEquals(a.truth(), b.truth(), "seed 42");
        assertNotEquals(a.truth(), SyntheticPoseScene.generate(43, 300, 25, W, H).truth(), "seeds 42 and 43");
        assertEquals(300, a.frames());
        assertEquals(25, a.fps());
    }

    @Test
    void scenesArePlausible() {
        for (long seed = 1; seed <= 30; seed++) {
            String at = "seed " + seed;
            SyntheticPoseScene scene = SyntheticPoseScene.generate(seed, 600, 25, W, H);
            int k = scene.people();
            assertTrue(k >= 2 && k <= 6, at + ": " + k + " people");
            int[] first = new int[k];
            int[] last = new int[k];
            java.util.Arrays.fill(first, -1);
            double[][] prevHip = new double[k][];
            for (int f = 0; f < scene.frames(); f++) {
                List<Person> people = scene.truth().get(f).people();
                for (Person p : people) {
                    int id = p.personId();
                    assertTrue(id >= 0 && id < k, at + " frame " + f + " id " + id);
                    assertEquals(BodyModel.BODY_25.arrayLength2d(), p.pose2d().length);
                    for (int kp = 0; kp < p.keypointCount(); kp++) {
                        assertEquals(1f, p.confidence(kp), at);
                        assertTrue(p.x(kp) >= 0 && p.x(kp) < W && p.y(kp) >= 0 && p.y(kp) < H, at + " inside the frame");
                    }
                    double h = scene.bodyHeight(id);
                    assertTrue(h >= 80 && h <= 400, at + " height " + h);
                    double extent = TrackMetrics.bodyHeight(p);
                    assertTrue(extent > 0.8 * h && extent < 1.0 * h, at + " extent " + extent + " of " + h);
                    if (first[id] < 0) {
                        first[id] = f;
                    }
                    assertTrue(last[id] == f - 1 || first[id] == f, at + ": person " + id + " reappears at " + f);
                    last[id] = f;
                    double[] hip = {p.x(BodyModel.MID_HIP), p.y(BodyModel.MID_HIP)};
                    if (prevHip[id] != null) {
                        // At most ~0.8 body heights per second: a walk, no teleporting.
                        double step = Math.hypot(hip[0] - prevHip[id][0], hip[1] - prevHip[id][1]);
                        assertTrue(step < 0.04 * h, at + " person " + id + " frame " + f + " step " + step);
                    }
                    prevHip[id] = hip;
                }
            }
            assertEquals(0, first[0], at);
            assertEquals(scene.frames() - 1, last[0], at);
            for (int id = 1; id < k; id++) {
                assertTrue(first[id] > 0 && last[id] < scene.frames() - 1, at + ": person " + id + " enters and leaves");
            }
            assertCross(scene, at);
            assertLimbsSwing(scene, at);
        }
    }

    private static void assertCross(SyntheticPoseScene scene, String at) {
        double closest = Double.POSITIVE_INFINITY;
        boolean leftOf = false;
        boolean rightOf = false;
        for (PoseFrame frame : scene.truth()) {
            Person a = find(frame, 0);
            Person b = find(frame, 1);
            if (a == null || b == null) {
                continue;
            }
            double dx = a.x(BodyModel.MID_HIP) - b.x(BodyModel.MID_HIP);
            closest = Math.min(closest, Math.hypot(dx, a.y(BodyModel.MID_HIP) - b.y(BodyModel.MID_HIP)));
            leftOf |= dx < -20;
            rightOf |= dx > 20;
        }
        // Their hips meet exactly; only the vertical bob of each gait keeps them a little apart.
        double tolerance = 0.02 * Math.max(scene.bodyHeight(0), scene.bodyHeight(1));
        assertTrue(closest < tolerance, at + ": persons 0 and 1 come within " + closest + " px");
        assertTrue(leftOf && rightOf, at + ": persons 0 and 1 swap sides");
    }

    private static void assertLimbsSwing(SyntheticPoseScene scene, String at) {
        double sum = 0;
        double sumSq = 0;
        int n = 0;
        for (PoseFrame frame : scene.truth()) {
            Person p = find(frame, 0);
            double d = (p.x(BodyModel.R_ANKLE) - p.x(BodyModel.L_ANKLE)) / scene.bodyHeight(0);
            sum += d;
            sumSq += d * d;
            n++;
        }
        double sd = Math.sqrt(sumSq / n - (sum / n) * (sum / n));
        assertTrue(sd > 0.03, at + ": ankle spread varies by " + sd + " body heights");
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> SyntheticPoseScene.generate(1, 5, 25, W, H));
        assertThrows(IllegalArgumentException.class, () -> SyntheticPoseScene.generate(1, 100, 0, W, H));
        assertThrows(IllegalArgumentException.class, () -> SyntheticPoseScene.generate(1, 100, 25, 100, 50));
        assertThrows(IllegalArgumentException.class, () -> DetectorNoise.builder().dropout(0.9));
    }

    @Test
    void noiseIsSeededAndLooksLikeADetector() {
        long seed = 7;
        SyntheticPoseScene scene = SyntheticPoseScene.generate(seed, 1000, 25, W, H);
        DetectorNoise noise = DetectorNoise.builder().seed(seed).build();
        Corrupted c = noise.corrupt(scene.truth());
        assertEquals(c.raw(), noise.corrupt(scene.truth()).raw(), "seed " + seed);
        DropLog log = c.drops();
        long points = 0;
        long dropped = 0;
        long swapped = 0;
        long personFrames = 0;
        long shuffled = 0;
        for (int f = 0; f < scene.frames(); f++) {
            List<Person> raw = c.raw().get(f).people();
            List<Person> truth = scene.truth().get(f).people();
            for (int i = 0; i < raw.size(); i++) {
                Person r = raw.get(i);
                assertEquals(Person.UNTRACKED, r.personId());
                int tid = log.truthIdOf(f, i);
                assertEquals(i, log.rawIndexOf(f, tid));
                shuffled += i != truth.indexOf(find(scene.truth().get(f), tid)) ? 1 : 0;
                Person t = find(scene.truth().get(f), tid);
                boolean swap = log.isSwapped(f, tid);
                swapped += swap ? 1 : 0;
                personFrames++;
                for (int kp = 0; kp < t.keypointCount(); kp++) {
                    int slot = swap ? mirror(kp) : kp;
                    points++;
                    if (log.dropRunLength(f, tid, kp) > 0) {
                        dropped++;
                        assertEquals(0f, r.x(slot) + r.y(slot) + r.confidence(slot), "seed " + seed + " frame " + f);
                        continue;
                    }
                    assertTrue(r.confidence(slot) >= 0.3f && r.confidence(slot) <= 1f);
                    double err = Math.hypot(r.x(slot) - t.x(kp), r.y(slot) - t.y(kp)) / TrackMetrics.bodyHeight(t);
                    if (!log.isOutlier(f, tid, kp)) {
                        assertTrue(err < 0.2, "seed " + seed + " frame " + f + " jitter " + err);
                    } else {
                        assertTrue(err > 0.3, "seed " + seed + " frame " + f + " outlier " + err);
                    }
                }
            }
        }
        double dropFraction = (double) dropped / points;
        assertTrue(dropFraction > 0.03 && dropFraction < 0.07, "seed " + seed + " dropped " + dropFraction);
        assertEquals(dropped, log.droppedPoints());
        assertTrue(swapped > 0 && swapped < 0.03 * personFrames, "seed " + seed + " swapped " + swapped);
        assertTrue(shuffled > personFrames / 4, "seed " + seed + " shuffled " + shuffled);
    }

    static Person find(PoseFrame frame, int id) {
        for (Person p : frame.people()) {
            if (p.personId() == id) {
                return p;
            }
        }
        return null;
    }

    static int mirror(int kp) {
        int[][] pairs = {{2, 5}, {3, 6}, {4, 7}, {9, 12}, {10, 13}, {11, 14}, {15, 16}, {17, 18}, {22, 19}, {23, 20}, {24, 21}};
        for (int[] p : pairs) {
            if (p[0] == kp) {
                return p[1];
            }
            if (p[1] == kp) {
                return p[0];
            }
        }
        return kp;
    }
}
