package dev.juggler.inference.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPosePerson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrackCleanerTest {
    private static final double FPS = 25;

    private static List<CleanedFrame> clean(CleanSettings settings, Map<Long, OpenPoseDocument> frames) {
        List<CleanedFrame> out = new ArrayList<>();
        TrackCleaner cleaner = new TrackCleaner(settings, FPS, out::add);
        new java.util.TreeMap<>(frames).forEach(cleaner::accept);
        cleaner.finish();
        return out;
    }

    // Two people walking towards each other and crossing at frame 50, listed in random order each frame.
    private static Map<Long, OpenPoseDocument> crossing(long seed, int frames) {
        Random random = new Random(seed);
        Map<Long, OpenPoseDocument> out = new HashMap<>();
        for (int f = 0; f < frames; f++) {
            List<float[]> bodies = new ArrayList<>(List.of(Bodies.body(100 + 6 * f, 400, 300, 0.05 * Math.sin(f / 4.0)),
                    Bodies.body(700 - 6 * f, 420, 280, 0.05 * Math.cos(f / 4.0))));
            Collections.shuffle(bodies, random);
            out.put((long) f, Bodies.frame(bodies));
        }
        return out;
    }

    @Test
    void peopleWhoCrossKeepTheirIdentities() {
        long seed = 7;
        List<CleanedFrame> out = clean(CleanSettings.defaults(), crossing(seed, 100));
        assertEquals(100, out.size());
        Map<Integer, Boolean> movesRight = new HashMap<>();
        for (CleanedFrame frame : out) {
            assertEquals(2, frame.document().people().size(), "frame " + frame.frame());
            for (OpenPosePerson p : frame.document().people()) {
                boolean right = p.pose2d()[4] < 280; // the neck's y: the walker going right is the taller one, higher up
                Boolean before = movesRight.putIfAbsent(p.personId(), right);
                assertTrue(before == null || before == right, "seed " + seed + ": person " + p.personId()
                        + " changed walker at frame " + frame.frame());
            }
        }
        assertEquals(2, movesRight.size());
    }

    @Test
    void shortDropoutsAreFilledAndLongOnesStayEmpty() {
        Map<Long, OpenPoseDocument> frames = new HashMap<>();
        for (int f = 0; f < 80; f++) {
            float[] body = Bodies.body(300 + 2 * f, 400, 300, 0);
            if (f >= 20 && f < 25) {
                body[3 * 4 + 2] = 0; // right wrist missing for 5 frames
                body[3 * 4] = 0;
                body[3 * 4 + 1] = 0;
            }
            if (f >= 40 && f < 55) {
                body[3 * 7 + 2] = 0; // left wrist missing for 15 frames
            }
            frames.put((long) f, Bodies.frame(body));
        }
        List<CleanedFrame> out = clean(CleanSettings.defaults(), frames);
        for (int f = 20; f < 25; f++) {
            OpenPosePerson p = out.get(f).document().people().get(0);
            assertTrue(p.pose2d()[3 * 4 + 2] > 0, "filled at " + f);
            assertEquals(300 + 2 * f - 0.14 * 300, p.pose2d()[3 * 4], 1.0);
            assertTrue(out.get(f).filled().get(0).get(4));
        }
        for (int f = 40; f < 55; f++) {
            assertEquals(0f, out.get(f).document().people().get(0).pose2d()[3 * 7 + 2], "not filled at " + f);
        }
    }

    @Test
    void aMissingFrameIsABreakThatNothingCrosses() {
        Map<Long, OpenPoseDocument> frames = new HashMap<>();
        for (int f = 0; f < 60; f++) {
            if (f == 30) {
                continue; // a damaged frame: no result
            }
            float[] body = Bodies.body(300, 400, 300, 0);
            if (f == 29 || f == 31) {
                body[3 * 4 + 2] = 0; // the wrist is missing on both sides of the hole
            }
            frames.put((long) f, Bodies.frame(body));
        }
        List<CleanedFrame> out = clean(CleanSettings.defaults(), frames);
        assertEquals(59, out.size());
        assertTrue(out.stream().noneMatch(c -> c.frame() == 30), "nothing is written for the missing frame");
        CleanedFrame before = out.stream().filter(c -> c.frame() == 29).findFirst().orElseThrow();
        assertEquals(0f, before.document().people().get(0).pose2d()[3 * 4 + 2], "no fill up to a break");
        int id = before.document().people().get(0).personId();
        assertEquals(id, out.get(out.size() - 1).document().people().get(0).personId(), "the identity continues");
    }

    @Test
    void aOneFrameJumpIsRejectedAndFilledAndASwapIsCorrected() {
        Map<Long, OpenPoseDocument> frames = new HashMap<>();
        for (int f = 0; f < 60; f++) {
            float[] body = Bodies.body(300 + f, 400, 300, 0.1 * Math.sin(f / 5.0));
            if (f == 20) {
                body[3 * 4] += 250; // the right wrist jumps 0.8 body heights for one frame
            }
            if (f == 40) {
                for (int k = 0; k < 25; k++) { // all left/right keypoints swapped
                    int m = Skeleton.of(25).mirror[k];
                    if (m > k) {
                        for (int v = 0; v < 3; v++) {
                            float t = body[3 * k + v];
                            body[3 * k + v] = body[3 * m + v];
                            body[3 * m + v] = t;
                        }
                    }
                }
            }
            frames.put((long) f, Bodies.frame(body));
        }
        List<CleanedFrame> out = clean(CleanSettings.builder().smoothing(CleanSettings.Smoothing.NONE).build(), frames);
        float[] at20 = out.get(20).document().people().get(0).pose2d();
        assertEquals(Bodies.body(320, 400, 300, 0.1 * Math.sin(4))[12], at20[12], 2.0, "the jump is replaced by a fill");
        assertTrue(out.get(20).filled().get(0).get(4));
        float[] at40 = out.get(40).document().people().get(0).pose2d();
        float[] truth40 = Bodies.body(340, 400, 300, 0.1 * Math.sin(8));
        for (int k = 0; k < 25; k++) {
            assertEquals(truth40[3 * k], at40[3 * k], 1e-3, "keypoint " + k + " swapped back");
        }
    }

    @Test
    void smoothingKeepsAStillBodyStillAndShrinksJitter() {
        Random random = new Random(3);
        Map<Long, OpenPoseDocument> frames = new HashMap<>();
        float[] truth = Bodies.body(400, 400, 300, 0);
        for (int f = 0; f < 300; f++) {
            float[] body = truth.clone();
            for (int k = 0; k < 25; k++) {
                body[3 * k] += (float) (random.nextGaussian() * 4);
                body[3 * k + 1] += (float) (random.nextGaussian() * 4);
            }
            frames.put((long) f, Bodies.frame(body));
        }
        for (CleanSettings.Smoothing smoothing : CleanSettings.Smoothing.values()) {
            List<CleanedFrame> out = clean(CleanSettings.builder().smoothing(smoothing).build(), frames);
            double raw = 0;
            double cleaned = 0;
            for (CleanedFrame frame : out) {
                float[] p = frame.document().people().get(0).pose2d();
                float[] r = frames.get(frame.frame()).people().get(0).pose2d();
                for (int k = 0; k < 75; k += 3) {
                    raw += Math.pow(r[k] - truth[k], 2);
                    cleaned += Math.pow(p[k] - truth[k], 2);
                }
            }
            if (smoothing == CleanSettings.Smoothing.NONE) {
                assertEquals(raw, cleaned, 1e-3 * raw, "no smoothing changes nothing");
            } else {
                assertTrue(cleaned < 0.5 * raw, smoothing + ": squared error " + cleaned + " vs raw " + raw);
            }
        }
    }

    @Test
    void memoryIsBoundedByTheWindowNotTheTrack() {
        long[] delivered = {0};
        TrackCleaner cleaner = new TrackCleaner(CleanSettings.defaults(), FPS, frame -> delivered[0]++);
        for (int f = 0; f < 20_000; f++) {
            cleaner.accept(f, Bodies.frame(Bodies.body(300 + (f % 200), 400, 300, 0)));
            assertTrue(f + 1 - delivered[0] <= 4L * cleaner.lookahead() + 512 + cleaner.lookahead(),
                    "frames held back at " + f + ": " + (f + 1 - delivered[0]));
        }
        cleaner.finish();
        assertEquals(20_000, delivered[0]);
    }

    @Test
    void framesMustIncreaseAndTheFilterMustFitTheFrameRate() {
        TrackCleaner cleaner = new TrackCleaner(CleanSettings.defaults(), FPS, frame -> { });
        cleaner.accept(5, Bodies.frame());
        assertThrows(IllegalArgumentException.class, () -> cleaner.accept(5, Bodies.frame()));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> new TrackCleaner(CleanSettings.builder().cutoffHz(13).build(), FPS, f -> { }));
        assertTrue(e.getMessage().contains("cutoff"), e.getMessage());
    }

    @Test
    void aPersonOfAnotherLayoutPassesThroughUntracked() {
        List<CleanedFrame> out = new ArrayList<>();
        TrackCleaner cleaner = new TrackCleaner(CleanSettings.defaults(), FPS, out::add);
        float[] coco = new float[54];
        coco[2] = 0.5f;
        cleaner.accept(0, new OpenPoseDocument(java.util.Optional.empty(), List.of(Bodies.person(Bodies.body(300, 400, 300, 0)),
                Bodies.person(coco)), java.util.Optional.empty()));
        cleaner.finish();
        List<OpenPosePerson> people = out.get(0).document().people();
        assertEquals(2, people.size());
        assertEquals(0, people.get(0).personId());
        assertEquals(-1, people.get(1).personId());
        assertEquals(54, people.get(1).pose2d().length);
    }
}
