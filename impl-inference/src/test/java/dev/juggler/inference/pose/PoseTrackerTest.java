package dev.juggler.inference.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.FrameInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** {@link PoseTracker} against a fake world of people walking about, with fake detector and landmark models. */
class PoseTrackerTest {

    private static final int W = 1000;
    private static final int H = 600;
    private static final float SIDE = 200;

    /** People by hip position; a landmark pass on a region finds the person whose hips are inside its middle. */
    private static final class World {
        final List<float[]> people = new ArrayList<>();
        int detectorCalls;
        int nearCalls;
        boolean detectorBlind;
        boolean detectorDoubles;

        List<PoseRoi> detect(Frame frame) {
            detectorCalls++;
            List<PoseRoi> out = new ArrayList<>();
            if (!detectorBlind) {
                for (float[] p : people) {
                    out.add(new PoseRoi(p[0] + 3, p[1] - 2, SIDE, 0)); // a detector is a little off
                    if (detectorDoubles) { // a second box on the same person, too far off to be merged as a box
                        out.add(new PoseRoi(p[0] + 40, p[1], SIDE, 0));
                    }
                }
            }
            return out;
        }

        /** A detector of the view around {@code where} (as wide as the model's): the people in it, a little off. */
        List<PoseRoi> detectNear(Frame frame, PoseRoi where) {
            nearCalls++;
            float reach = where.side() * MultiPersonBlazePose.NEAR_VIEW / 2;
            List<PoseRoi> out = new ArrayList<>();
            for (float[] p : people) {
                if (Math.abs(p[0] - where.cx()) < reach && Math.abs(p[1] - where.cy()) < reach) {
                    out.add(new PoseRoi(p[0] + 3, p[1] - 2, SIDE, 0));
                }
            }
            return out;
        }

        /** Both detections of this world. */
        PoseTracker.Detector detector() {
            return new PoseTracker.Detector() {
                @Override
                public List<PoseRoi> detect(Frame frame) {
                    return World.this.detect(frame);
                }

                @Override
                public List<PoseRoi> detectNear(Frame frame, PoseRoi where) {
                    return World.this.detectNear(frame, where);
                }
            };
        }

        PoseTracker.Landmarks landmarks(Frame frame, PoseRoi roi) {
            for (float[] p : people) {
                if (Math.abs(p[0] - roi.cx()) < SIDE / 4 && Math.abs(p[1] - roi.cy()) < SIDE / 4) {
                    float[] pose = new float[BodyModel.BODY_25.arrayLength2d()];
                    pose[3 * BodyModel.MID_HIP] = p[0];
                    pose[3 * BodyModel.MID_HIP + 1] = p[1];
                    pose[3 * BodyModel.MID_HIP + 2] = 0.9f;
                    return new PoseTracker.Landmarks(0.9f, Person.of(pose), new PoseRoi(p[0], p[1], SIDE, 0));
                }
            }
            return new PoseTracker.Landmarks(0.05f, null, roi);
        }
    }

    private static Frame frame(long index) {
        return new Frame(new FrameInfo(index, index / 25.0, W, H), new byte[W * H * 3], 3 * W);
    }

    private static PoseFrame next(PoseTracker tracker, World world, long index) {
        return tracker.next(frame(index), world::detect, world::landmarks);
    }

    @Test
    void findsEveryoneOnTheFirstFrameThenFollowsThemWithoutTheDetector() {
        World world = new World();
        world.people.add(new float[] {200, 300});
        world.people.add(new float[] {600, 300});
        PoseTracker tracker = new PoseTracker(10, 10, 0.5f);
        for (int f = 0; f < 10; f++) {
            for (float[] p : world.people) {
                p[0] += 4; // walking right, 4 pixels a frame
            }
            assertEquals(2, next(tracker, world, f).people().size(), "frame " + f);
        }
        assertEquals(1, world.detectorCalls);
        next(tracker, world, 10);
        assertEquals(2, world.detectorCalls, "detects again after 10 frames");
        assertEquals(11, tracker.frames());
    }

    @Test
    void someoneWhoEntersIsFoundAtTheNextDetection() {
        World world = new World();
        world.people.add(new float[] {200, 300});
        PoseTracker tracker = new PoseTracker(5, 10, 0.5f);
        next(tracker, world, 0);
        world.people.add(new float[] {800, 300});
        for (int f = 1; f < 5; f++) {
            assertEquals(1, next(tracker, world, f).people().size(), "frame " + f);
        }
        assertEquals(2, next(tracker, world, 5).people().size());
    }

    @Test
    void aLostPersonMakesTheDetectorRunAgainInTheSameFrame() {
        World world = new World();
        world.people.add(new float[] {200, 300});
        PoseTracker tracker = new PoseTracker(100, 10, 0.5f);
        for (int f = 0; f < PoseTracker.REDETECT_GAP; f++) {
            next(tracker, world, f);
        }
        world.people.get(0)[0] += 120; // a jump the region cannot follow
        assertEquals(1, next(tracker, world, PoseTracker.REDETECT_GAP).people().size(), "found again at once");
        assertEquals(2, world.detectorCalls);
        world.people.get(0)[0] += 120; // lost again right after a detection: found at the next one
        assertEquals(0, next(tracker, world, PoseTracker.REDETECT_GAP + 1).people().size());
        assertEquals(2, world.detectorCalls);
    }

    @Test
    void aPersonLostBetweenDetectionsIsFoundAgainAtOnceNearWhereTheyWere() {
        float step = SIDE / 4 + 5; // too far for the region carried over, near enough for a detection there
        for (boolean near : new boolean[] {true, false}) {
            World world = new World();
            world.people.add(new float[] {200, 300});
            world.people.add(new float[] {700, 300});
            PoseTracker tracker = new PoseTracker(100, 10, 0.5f);
            PoseTracker.Detector detector = near ? world.detector() : world::detect;
            assertEquals(2, tracker.next(frame(0), detector, world::landmarks).people().size());
            world.people.get(0)[0] += step;
            PoseFrame found = tracker.next(frame(1), detector, world::landmarks);
            assertEquals(1, world.detectorCalls, "no detection of the whole frame so soon after the last one");
            if (near) {
                assertEquals(2, found.people().size(), "found where they went, in the same frame");
                assertEquals(1, world.nearCalls);
                assertEquals(1, tracker.nearDetections());
                assertEquals(2, tracker.next(frame(2), detector, world::landmarks).people().size(), "and followed");
            } else {
                assertEquals(1, found.people().size(), "without a near detection they wait for the next detection");
            }
        }
    }

    @Test
    void aNearDetectionTakesNeitherSomeoneFarFromTheLostPersonNorSomeoneFollowedAlready() {
        World world = new World();
        world.people.add(new float[] {255, 300}); // a neighbour within reach of the lost person's region
        world.people.add(new float[] {200, 300});
        world.people.add(new float[] {700, 300});
        PoseTracker tracker = new PoseTracker(100, 10, 0.5f);
        PoseTracker.Detector detector = world.detector();
        assertEquals(3, tracker.next(frame(0), detector, world::landmarks).people().size());
        long passes = tracker.landmarkCalls();
        world.people.remove(1); // left the scene: the detection near them sees only the neighbour
        assertEquals(2, tracker.next(frame(1), detector, world::landmarks).people().size(), "nobody twice, nobody invented");
        assertEquals(passes + 3, tracker.landmarkCalls(), "no pass on the neighbour found in this frame already");
        world.people.get(1)[1] += PoseTracker.NEAR * SIDE + 30; // a jump beyond a near detection's reach
        assertEquals(1, tracker.next(frame(2), detector, world::landmarks).people().size());
        assertEquals(passes + 5, tracker.landmarkCalls(), "two followed passes, none on the detection too far away");
        assertEquals(2, world.nearCalls);
        assertEquals(1, world.detectorCalls);
    }

    @Test
    void aDetectionInTheSameFrameStillGetsItsOwnPassOnAPersonFoundNearby() {
        World world = new World();
        world.people.add(new float[] {200, 300});
        PoseTracker tracker = new PoseTracker(100, 10, 0.5f);
        PoseTracker.Detector detector = world.detector();
        for (int f = 0; f < PoseTracker.REDETECT_GAP; f++) {
            next(tracker, world, f);
        }
        long passes = tracker.landmarkCalls();
        world.people.get(0)[0] += SIDE / 4 + 5;
        PoseFrame found = tracker.next(frame(PoseTracker.REDETECT_GAP), detector, world::landmarks);
        assertEquals(1, found.people().size());
        assertEquals(2, world.detectorCalls, "a loss this long after the last detection still runs the detector");
        assertEquals(passes + 3, tracker.landmarkCalls(), "the lost region, the near detection's and the detection's");
    }

    @Test
    void aFrameThatDoesNotFollowThePreviousOneStartsOver() {
        World world = new World();
        world.people.add(new float[] {200, 300});
        PoseTracker tracker = new PoseTracker(100, 10, 0.5f);
        next(tracker, world, 0);
        next(tracker, world, 1);
        world.people.clear();
        world.people.add(new float[] {700, 200});
        world.detectorBlind = true;
        assertEquals(0, next(tracker, world, 50).people().size(), "nobody carried over into another range");
        assertEquals(2, world.detectorCalls);
    }

    @Test
    void noMoreThanMaxPeopleAndNeverTwiceTheSamePerson() {
        World world = new World();
        for (int i = 0; i < 6; i++) {
            world.people.add(new float[] {100 + 150 * i, 300});
        }
        PoseTracker tracker = new PoseTracker(3, 4, 0.5f);
        for (int f = 0; f < 12; f++) {
            assertEquals(4, next(tracker, world, f).people().size(), "frame " + f);
        }
        // Two people whose hips almost coincide are reported once (the documented crowd limit).
        World meeting = new World();
        meeting.people.add(new float[] {300, 300});
        meeting.people.add(new float[] {400, 300});
        PoseTracker t2 = new PoseTracker(100, 10, 0.5f);
        assertEquals(2, next(t2, meeting, 0).people().size());
        meeting.people.get(1)[0] = 310;
        assertEquals(1, next(t2, meeting, 1).people().size());
    }

    @Test
    void twoRegionsThatConvergeOnOnePersonBecomeOne() {
        World world = new World();
        world.detectorDoubles = true;
        world.people.add(new float[] {300, 300});
        PoseTracker tracker = new PoseTracker(100, 10, 0.5f);
        assertEquals(1, next(tracker, world, 0).people().size());
        assertEquals(1, next(tracker, world, 1).people().size());
        assertEquals(2, tracker.landmarkCalls() - 1, "both boxes ran on frame 0, one region on frame 1");
    }

    /** Two people side by side, the left one first. */
    private static World neighbours() {
        World world = new World();
        world.people.add(new float[] {300, 300});
        world.people.add(new float[] {380, 300});
        return world;
    }

    /**
     * The landmark model of {@code world}'s two neighbours, except that a pass on the right one's region for which
     * {@code slides} holds follows the left one instead.
     */
    private static PoseTracker.Landmarker slidingLeft(World world, Predicate<PoseRoi> slides) {
        float[] left = world.people.get(0);
        float[] right = world.people.get(1);
        return (frame, roi) -> Math.abs(roi.cx() - right[0]) < SIDE / 4 && slides.test(roi)
                ? world.landmarks(frame, new PoseRoi(left[0], left[1], roi.side(), 0))
                : world.landmarks(frame, roi);
    }

    @Test
    void aTrackThatDriftsOntoANeighbourDoesNotHideThePersonItLeft() {
        World world = neighbours();
        int[] drift = {0};
        PoseTracker.Landmarker landmarker = slidingLeft(world, roi -> drift[0] > 0 && drift[0]-- > 0);
        PoseTracker tracker = new PoseTracker(10, 10, 0.5f);
        for (int f = 0; f < PoseTracker.REDETECT_GAP; f++) {
            assertEquals(2, tracker.next(frame(f), world::detect, landmarker).people().size(), "frame " + f);
        }
        drift[0] = 2; // the followed pass and the tighter one that tries to recover
        assertEquals(2, tracker.next(frame(PoseTracker.REDETECT_GAP), world::detect, landmarker).people().size(),
                "the track that converged counts as lost: the detector runs and finds the person it left");
        assertEquals(2, world.detectorCalls);
        for (int f = PoseTracker.REDETECT_GAP + 1; f < PoseTracker.REDETECT_GAP + 10; f++) {
            tracker.next(frame(f), world::detect, landmarker);
        }
        drift[0] = 2; // now on a frame where the detector is due anyway
        assertEquals(2, tracker.next(frame(PoseTracker.REDETECT_GAP + 10), world::detect, landmarker).people().size(),
                "a detection is compared with this frame's people, not with where the drifting track was");
        assertEquals(3, world.detectorCalls);
    }

    @Test
    void aTrackThatSlidOntoItsNeighbourIsFoundAgainWhereItsPersonWas() {
        World world = neighbours();
        boolean[] drift = {false};
        // a region as wide as before holds half the neighbour, and the model follows the neighbour
        PoseTracker.Landmarker landmarker = slidingLeft(world, roi -> drift[0] && roi.side() >= SIDE);
        PoseTracker tracker = new PoseTracker(100, 10, 0.5f);
        assertEquals(2, tracker.next(frame(0), world::detect, landmarker).people().size());
        long passes = tracker.landmarkCalls();
        drift[0] = true;
        PoseFrame found = tracker.next(frame(1), world::detect, landmarker);
        assertEquals(2, found.people().size(), "the tighter pass where the right person was finds them again");
        assertEquals(1, world.detectorCalls, "without the detector");
        assertEquals(passes + 3, tracker.landmarkCalls(), "two followed passes and one to recover");
        assertEquals(Set.of(300f, 380f), Set.of(found.people().get(0).x(BodyModel.MID_HIP), found.people().get(1).x(BodyModel.MID_HIP)));

        World gone = neighbours();
        boolean[] slides = {false};
        PoseTracker.Landmarker stale = slidingLeft(gone, roi -> slides[0] && roi.side() >= SIDE);
        PoseTracker alone = new PoseTracker(100, 10, 0.5f);
        assertEquals(2, alone.next(frame(0), gone::detect, stale).people().size());
        gone.people.remove(1); // the right neighbour left: the tighter pass finds nobody and adds no one
        slides[0] = true;
        assertEquals(1, alone.next(frame(1), gone::detect, stale).people().size(), "one person, found once");
    }

    @Test
    void aDetectionThatFindsNobodyGetsOneMorePassInATighterRegion() {
        World world = new World();
        world.people.add(new float[] {300, 300});
        float loose = SIDE * PoseTracker.TIGHTER + 1;
        // a loose region holds half a neighbour and the model scores it low; a tight one finds the person
        PoseTracker.Landmarker landmarker = (frame, roi) -> {
            if (roi.side() >= loose) {
                return new PoseTracker.Landmarks(0.2f, null, roi);
            }
            PoseTracker.Landmarks l = world.landmarks(frame, roi);
            return l.person() == null ? l : new PoseTracker.Landmarks(l.score(), l.person(), new PoseRoi(l.next().cx(),
                    l.next().cy(), roi.side(), 0)); // the landmarks of a person seen whole place a tight region too
        };
        PoseTracker tracker = new PoseTracker(10, 10, 0.5f);
        PoseFrame found = tracker.next(frame(0), world::detect, landmarker);
        assertEquals(1, found.people().size());
        assertEquals(2, tracker.landmarkCalls(), "the detector's region, then the tighter one");
        assertEquals(1, tracker.next(frame(1), world::detect, landmarker).people().size(), "followed from there");
        assertEquals(3, tracker.landmarkCalls());

        world.people.clear(); // a box on a bin: two passes, nobody, and no third try
        PoseTracker empty = new PoseTracker(10, 10, 0.5f);
        empty.next(frame(0), f -> List.of(new PoseRoi(500, 300, SIDE, 0)), landmarker);
        assertEquals(2, empty.landmarkCalls());
        PoseTracker tiny = new PoseTracker(10, 10, 0.5f); // too small to shrink: one pass
        tiny.next(frame(0), f -> List.of(new PoseRoi(500, 300, PoseTracker.MIN_SIDE + 1, 0)), landmarker);
        assertEquals(1, tiny.landmarkCalls());
    }

    @Test
    void anUpsideDownSkeletonOnTheSameBodyOverlapsItFully() {
        float[] upright = new float[BodyModel.BODY_25.arrayLength2d()];
        float[] flipped = new float[upright.length];
        for (int k = 0; k < 25; k++) {
            upright[3 * k] = 100 + (k % 5) * 10;
            upright[3 * k + 1] = 100 + (k / 5) * 20;
            upright[3 * k + 2] = 0.9f;
            flipped[3 * k] = upright[3 * k];
            flipped[3 * k + 1] = 280 - upright[3 * k + 1];
            flipped[3 * k + 2] = 0.9f;
        }
        assertEquals(1f, PoseTracker.overlap(Person.of(upright), Person.of(flipped)), 1e-6);
        float[] beside = upright.clone();
        for (int k = 0; k < 25; k++) {
            beside[3 * k] += 30; // a neighbour, three quarters of a body-width to the right
        }
        assertTrue(PoseTracker.overlap(Person.of(upright), Person.of(beside)) < PoseTracker.SAME_BODY);
        assertEquals(0f, PoseTracker.overlap(Person.of(upright), Person.of(new float[upright.length])));
    }

    /** A face: the nose at (x, y), the eyes and ears {@code eyes} and twice that apart. */
    private static float[] face(float x, float y, float eyes) {
        float[] pose = new float[BodyModel.BODY_25.arrayLength2d()];
        point(pose, BodyModel.NOSE, x, y);
        point(pose, BodyModel.R_EYE, x - eyes / 2, y - eyes / 4);
        point(pose, BodyModel.L_EYE, x + eyes / 2, y - eyes / 4);
        point(pose, BodyModel.R_EAR, x - eyes, y);
        point(pose, BodyModel.L_EAR, x + eyes, y);
        return pose;
    }

    private static void point(float[] pose, int k, float x, float y) {
        pose[3 * k] = x;
        pose[3 * k + 1] = y;
        pose[3 * k + 2] = 0.9f;
    }

    @Test
    void twoSkeletonsShareAHeadWhenTheirNosesAreLessThanAHeadWidthApart() {
        Person kept = Person.of(face(300, 250, 60));
        assertTrue(PoseTracker.sameHead(kept, Person.of(face(280, 235, 20))), "25 px from the nose, eyes 60 apart");
        assertFalse(PoseTracker.sameHead(kept, Person.of(face(365, 250, 60))), "a neighbour cheek to cheek");
        float[] noNose = face(300, 250, 60);
        noNose[3 * BodyModel.NOSE + 2] = 0f;
        assertFalse(PoseTracker.sameHead(kept, Person.of(noNose)));
        // Without eyes or ears, the other skeleton's head gives the width; with neither, no one shares a head.
        float[] noseOnly = new float[BodyModel.BODY_25.arrayLength2d()];
        point(noseOnly, BodyModel.NOSE, 300, 250);
        assertTrue(PoseTracker.sameHead(Person.of(noseOnly), Person.of(face(320, 250, 40))));
        assertFalse(PoseTracker.sameHead(Person.of(noseOnly), Person.of(noseOnly)));
    }

    @Test
    void aSecondSkeletonOnAFaceIsMergedThoughItsHipsAndBoxLieElsewhere() {
        // In a close-up, one region finds the person upright, another an upside-down skeleton whose nose
        // lands on the same face: hips far apart, keypoint boxes barely overlapping.
        float[] upright = face(300, 250, 60);
        point(upright, BodyModel.NECK, 300, 330);
        point(upright, BodyModel.MID_HIP, 300, 520);
        float[] flipped = face(290, 240, 30);
        point(flipped, BodyModel.NECK, 280, 160);
        point(flipped, BodyModel.MID_HIP, 270, 20);
        assertEquals(List.of(Person.of(upright)), firstFrame(new PoseRoi(300, 520, 600, 0), 0.99f, upright,
                new PoseRoi(270, 20, 600, 0), 0.8f, flipped));
    }

    @Test
    void aSkeletonThatFitsInsideAnotherOnesHeadLiesInsideIt() {
        Person face = Person.of(face(300, 250, 60)); // head width 60, head centre (300, 244)
        float[] small = new float[BodyModel.BODY_25.arrayLength2d()];
        point(small, BodyModel.NOSE, 330, 150);
        point(small, BodyModel.NECK, 320, 170);
        point(small, BodyModel.MID_HIP, 260, 180);
        point(small, BodyModel.R_ANKLE, 200, 190);
        assertTrue(PoseTracker.insideHead(face, Person.of(small)), "4 of 4 keypoints within 120 px");
        point(small, BodyModel.L_ANKLE, 100, 400); // 4 of 5: still mostly inside
        assertTrue(PoseTracker.insideHead(face, Person.of(small)));
        point(small, BodyModel.R_WRIST, 500, 400); // 4 of 6: a body of its own
        assertFalse(PoseTracker.insideHead(face, Person.of(small)));
        assertFalse(PoseTracker.insideHead(Person.of(new float[small.length]), Person.of(small)), "no head, no ghost");
        assertFalse(PoseTracker.insideHead(face, Person.of(new float[small.length])), "no keypoints, no ghost");
    }

    @Test
    void aSkeletonInsideAnotherOnesHeadIsDroppedEvenWhenItScoresBetter() {
        // A close-up: the face fills the frame, and a region on the forehead finds a small skeleton there,
        // scored higher than the face's own. Its keypoints lie inside the face's keypoint box too, so keeping
        // the better-scored of the two would keep the ghost.
        float[] upright = face(300, 250, 60);
        point(upright, BodyModel.NECK, 300, 330);
        point(upright, BodyModel.MID_HIP, 300, 560);
        point(upright, BodyModel.R_WRIST, 150, 100);
        point(upright, BodyModel.L_WRIST, 450, 100);
        float[] ghost = new float[upright.length];
        point(ghost, BodyModel.NOSE, 330, 160);
        point(ghost, BodyModel.NECK, 310, 170);
        point(ghost, BodyModel.MID_HIP, 250, 175);
        assertEquals(List.of(Person.of(upright)), firstFrame(new PoseRoi(300, 560, 700, 0), 0.8f, upright,
                new PoseRoi(250, 175, 100, 0), 0.99f, ghost));
    }

    /**
     * The people a fresh tracker reports on its first frame, where the detector places two regions and the
     * landmark pass in each finds one skeleton, which stays in its region.
     */
    private static List<Person> firstFrame(PoseRoi first, float firstScore, float[] firstPose, PoseRoi second,
            float secondScore, float[] secondPose) {
        PoseTracker tracker = new PoseTracker(10, 10, 0.5f);
        return tracker.next(frame(0), f -> List.of(first, second), (f, roi) -> roi == first
                ? new PoseTracker.Landmarks(firstScore, Person.of(firstPose), first)
                : new PoseTracker.Landmarks(secondScore, Person.of(secondPose), second)).people();
    }

    @Test
    void aPersonFollowedFromTheLastFrameKeepsTheirSkeletonUnlessADetectionsScoresClearlyBetter() {
        // Megamind.avi frame 158: a close-up followed for frames, and an upside-down detection region whose
        // landmarks land on the same person. Both score about 1; the detection's skeleton is lost a frame later.
        float[] followedPose = new float[BodyModel.BODY_25.arrayLength2d()];
        point(followedPose, BodyModel.NOSE, 300, 100);
        point(followedPose, BodyModel.MID_HIP, 300, 400);
        float[] detectedPose = new float[followedPose.length];
        point(detectedPose, BodyModel.NOSE, 310, 120);
        point(detectedPose, BodyModel.MID_HIP, 305, 405);
        assertEquals(List.of(Person.of(followedPose)), secondFrame(followedPose, 0.95f, detectedPose, 1.0f));
        assertEquals(List.of(Person.of(followedPose)), secondFrame(followedPose, 0.9f, detectedPose, 0.99f));
        assertEquals(List.of(Person.of(detectedPose)), secondFrame(followedPose, 0.6f, detectedPose, 0.99f),
                "a followed skeleton that scores poorly gives way");
    }

    /**
     * The people on the second frame, where the person found on the first is followed (scoring
     * {@code followedScore}) and a detection far from their region finds them again.
     */
    private static List<Person> secondFrame(float[] followedPose, float followedScore, float[] detectedPose,
            float detectedScore) {
        PoseRoi followed = new PoseRoi(300, 400, 600, 0);
        PoseRoi upsideDown = new PoseRoi(320, -150, 600, (float) Math.PI);
        PoseRoi placedByDetection = new PoseRoi(305, 405, 600, 0);
        PoseTracker tracker = new PoseTracker(1, 10, 0.5f); // the detector runs on every frame
        PoseTracker.Detector detector = f -> List.of(f.index() == 0 ? followed : upsideDown);
        PoseTracker.Landmarker landmarker = (f, roi) -> roi == upsideDown
                ? new PoseTracker.Landmarks(detectedScore, Person.of(detectedPose), placedByDetection)
                : new PoseTracker.Landmarks(f.index() == 0 ? 0.99f : followedScore, Person.of(followedPose), followed);
        assertEquals(List.of(Person.of(followedPose)), tracker.next(frame(0), detector, landmarker).people());
        return tracker.next(frame(1), detector, landmarker).people();
    }

    @Test
    void onASteadySceneTheDetectorRunsOnAboutOneFrameInDetectEvery() {
        long seed = Long.getLong("juggler.seed", System.nanoTime());
        Random random = new Random(seed);
        World world = new World();
        for (int i = 0; i < 5; i++) {
            world.people.add(new float[] {100 + 180 * i, 200 + random.nextInt(200)});
        }
        PoseTracker tracker = new PoseTracker(10, 10, 0.5f);
        for (int f = 0; f < 1000; f++) {
            for (float[] p : world.people) {
                p[0] = Math.max(50, Math.min(W - 50, p[0] + random.nextInt(7) - 3));
                p[1] = Math.max(50, Math.min(H - 50, p[1] + random.nextInt(7) - 3));
            }
            PoseFrame found = next(tracker, world, f);
            assertTrue(found.people().size() <= 5, "seed " + seed + " frame " + f);
        }
        double perFrame = (double) world.detectorCalls / 1000;
        assertTrue(perFrame <= 0.2, "seed " + seed + ": " + perFrame + " detector calls per frame");
        assertEquals(world.detectorCalls, tracker.detectorCalls());
    }
}
