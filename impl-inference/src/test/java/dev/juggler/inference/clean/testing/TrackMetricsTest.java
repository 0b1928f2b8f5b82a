package dev.juggler.inference.clean.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.inference.clean.testing.DetectorNoise.Corrupted;
import dev.juggler.inference.clean.testing.DetectorNoise.DropLog;
import dev.juggler.inference.clean.testing.TrackMetrics.Report;
import dev.juggler.inference.pose.BodyModel;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackMetricsTest {

    private static final int MAX_GAP = 10;
    private static final double THRESHOLD = 0.5;
    private static final DetectorNoise NO_NOISE = DetectorNoise.builder()
            .jitter(0).dropout(0).swap(0).outlier(0).shuffle(false).build();

    @Test
    void truthAgainstItselfIsPerfect() {
        long seed = 3;
        SyntheticPoseScene scene = SyntheticPoseScene.generate(seed, 500, 25, 1280, 720);
        Corrupted c = DetectorNoise.builder().seed(seed).build().corrupt(scene.truth());
        Report r = TrackMetrics.evaluate(scene.truth(), c, scene.truth(), MAX_GAP, THRESHOLD);
        String at = "seed " + seed + ": " + r;
        assertEquals(0, r.rmse(), 1e-9, at);
        assertEquals(0, r.idSwitches(), at);
        assertEquals(1, r.mota(), 1e-12, at);
        assertEquals(r.groundTruth(), r.matches(), at);
        assertEquals(1, r.recovered(), 1e-12, at);
    }

    @Test
    void rawDetectorFramesSwitchIdentitiesOften() {
        long seed = 1;
        SyntheticPoseScene scene = SyntheticPoseScene.generate(seed, 1000, 25, 1280, 720);
        Corrupted c = DetectorNoise.builder().seed(seed).build().corrupt(scene.truth());
        Report r = TrackMetrics.evaluate(scene.truth(), c, c.raw(), MAX_GAP, THRESHOLD);
        System.out.println("raw baseline, seed " + seed + " (" + scene.people() + " people, 1000 frames, 25 fps, 1280x720): " + r);
        String at = "seed " + seed + ": " + r;
        assertTrue(r.idSwitches() > 100, at);
        assertTrue(r.rmse() > 0, at);
        assertTrue(r.mota() < 1, at);
        // Only left/right swaps put something into a dropped point's slot.
        assertTrue(r.recovered() < 0.05 && r.invented() < 0.05, at);
        // Every raw person stems from a truth person, so nearly all are matched.
        assertTrue(r.misses() + r.falsePositives() < 0.01 * r.groundTruth(), at);
    }

    @Test
    void oneIdentitySwitchCountsOne() {
        List<PoseFrame> truth = new ArrayList<>();
        List<PoseFrame> output = new ArrayList<>();
        for (int f = 0; f < 10; f++) {
            Person a = standing(0, 200 + f, 400);
            Person b = standing(1, 900 - f, 400);
            truth.add(PoseFrame.of(a, b));
            // Output id 5 becomes 7 from frame 5 on; person b keeps 6 throughout (and comes first in the list).
            output.add(PoseFrame.of(withId(b, 6), withId(a, f < 5 ? 5 : 7)));
        }
        Report r = TrackMetrics.evaluate(truth, NO_NOISE.corrupt(truth), output, MAX_GAP, THRESHOLD);
        assertEquals(1, r.idSwitches(), r.toString());
        assertEquals(20, r.matches());
        assertEquals(0, r.misses());
        assertEquals(0, r.falsePositives());
        assertEquals(1 - 1 / 20.0, r.mota(), 1e-12);
    }

    @Test
    void missesAndFalsePositivesAreCounted() {
        List<PoseFrame> truth = new ArrayList<>();
        List<PoseFrame> output = new ArrayList<>();
        for (int f = 0; f < 4; f++) {
            Person a = standing(0, 300, 400);
            truth.add(PoseFrame.of(a));
            // Frame 0: nothing found; frames 1-3: the person plus a ghost far away.
            output.add(f == 0 ? PoseFrame.EMPTY : PoseFrame.of(withId(a, 0), standing(9, 1000, 400)));
        }
        Report r = TrackMetrics.evaluate(truth, NO_NOISE.corrupt(truth), output, MAX_GAP, THRESHOLD);
        assertEquals(1, r.misses(), r.toString());
        assertEquals(3, r.falsePositives(), r.toString());
        assertEquals(1 - 4 / 4.0, r.mota(), 1e-12);
    }

    @Test
    void fillingALongGapCountsAsInvented() {
        long seed = 11;
        SyntheticPoseScene scene = SyntheticPoseScene.generate(seed, 600, 25, 1280, 720);
        Corrupted c = DetectorNoise.builder().seed(seed).dropout(0.2).build().corrupt(scene.truth());
        DropLog log = c.drops();
        // A perfect tracker that fills nothing: raw people with their true ids, swaps undone.
        List<PoseFrame> tracked = new ArrayList<>();
        for (int f = 0; f < scene.frames(); f++) {
            List<Person> people = new ArrayList<>();
            List<Person> raw = c.raw().get(f).people();
            for (int i = 0; i < raw.size(); i++) {
                int id = log.truthIdOf(f, i);
                people.add(withId(log.isSwapped(f, id) ? unswap(raw.get(i)) : raw.get(i), id));
            }
            tracked.add(new PoseFrame(people));
        }
        Report none = TrackMetrics.evaluate(scene.truth(), c, tracked, MAX_GAP, THRESHOLD);
        String at = "seed " + seed + ": " + none;
        assertEquals(0, none.idSwitches(), at);
        assertEquals(0, none.inventedPoints(), at);
        assertEquals(0, none.recoveredPoints(), at);
        assertTrue(none.longDropped() > 0 && none.fillable() > 0, at);

        int[] longRun = findRun(scene, log, true);
        int[] shortRun = findRun(scene, log, false);
        fill(scene, log, tracked, longRun);
        fill(scene, log, tracked, shortRun);
        Report filled = TrackMetrics.evaluate(scene.truth(), c, tracked, MAX_GAP, THRESHOLD);
        at = "seed " + seed + ": " + filled;
        assertEquals(longRun[3], filled.inventedPoints(), at);
        assertEquals((double) longRun[3] / filled.longDropped(), filled.invented(), 1e-12, at);
        assertEquals(shortRun[3], filled.recoveredPoints(), at);
        assertEquals(0, filled.idSwitches(), at);
    }

    /** {frame, truthId, keypoint, length} of the first run longer than MAX_GAP (or at most, when !longer), on an unswapped person. */
    private static int[] findRun(SyntheticPoseScene scene, DropLog log, boolean longer) {
        for (int f = 0; f < scene.frames(); f++) {
            for (Person t : scene.truth().get(f).people()) {
                for (int kp = 0; kp < t.keypointCount(); kp++) {
                    int len = log.dropRunLength(f, t.personId(), kp);
                    if (len > 0 && (len > MAX_GAP) == longer && noSwapNorMissing(log, f, t.personId(), len)) {
                        return new int[]{f, t.personId(), kp, len};
                    }
                }
            }
        }
        throw new AssertionError("no dropout run " + (longer ? "longer than " : "up to ") + MAX_GAP);
    }

    private static boolean noSwapNorMissing(DropLog log, int from, int id, int len) {
        for (int f = from; f < from + len; f++) {
            if (log.isSwapped(f, id) || log.rawIndexOf(f, id) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Puts the true keypoint into the tracked person for every frame of the run. */
    private static void fill(SyntheticPoseScene scene, DropLog log, List<PoseFrame> tracked, int[] run) {
        for (int f = run[0]; f < run[0] + run[3]; f++) {
            Person t = SyntheticPoseSceneTest.find(scene.truth().get(f), run[1]);
            List<Person> people = new ArrayList<>(tracked.get(f).people());
            int i = log.rawIndexOf(f, run[1]);
            float[] pose = people.get(i).pose2d();
            pose[3 * run[2]] = t.x(run[2]);
            pose[3 * run[2] + 1] = t.y(run[2]);
            pose[3 * run[2] + 2] = 0.5f;
            people.set(i, new Person(run[1], pose));
            tracked.set(f, new PoseFrame(people));
        }
    }

    /** A 200 px tall person from the scene's template shape, with hips at (x, y). */
    private static Person standing(int id, double x, double y) {
        Person model = SyntheticPoseScene.generate(5, 10, 25, 1280, 720).truth().get(0).people().get(0);
        float[] pose = model.pose2d();
        double scale = 200 / TrackMetrics.bodyHeight(model);
        for (int k = 0; k < model.keypointCount(); k++) {
            pose[3 * k] = (float) (x + (model.x(k) - model.x(BodyModel.MID_HIP)) * scale);
            pose[3 * k + 1] = (float) (y + (model.y(k) - model.y(BodyModel.MID_HIP)) * scale);
        }
        return new Person(id, pose);
    }

    private static Person unswap(Person p) {
        float[] pose = new float[p.pose2d().length];
        for (int k = 0; k < p.keypointCount(); k++) {
            int from = SyntheticPoseSceneTest.mirror(k);
            pose[3 * k] = p.x(from);
            pose[3 * k + 1] = p.y(from);
            pose[3 * k + 2] = p.confidence(from);
        }
        return new Person(p.personId(), pose);
    }

    private static Person withId(Person p, int id) {
        return new Person(id, p.pose2d());
    }
}
