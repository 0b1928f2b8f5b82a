package dev.juggler.inference.pose;

import dev.juggler.pipeline.Frame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Finds every person in a stream of frames the way MediaPipe tracks one: the person detector places a
 * region per person, the landmark model runs once per region, and each person's landmarks place that
 * person's region in the next frame, so the detector is needed only now and then.
 *
 * <p>Each frame, the tracked regions get their landmark passes first, and tracks that converged on one person (hips
 * close, keypoint boxes that mostly overlap, or noses within a head width) are merged, keeping the better-scored
 * one, and a skeleton that lies inside another's head is dropped. A followed track dropped that way for another
 * followed track gets one more, tighter pass where its person was in the last frame, and stays if that finds someone
 * nobody follows: between people walking side by side a region slides onto the neighbour. A followed person whose
 * pass finds nobody is looked for at once where they were, by a detection of that neighbourhood alone
 * ({@link Detector#detectNear}): a person found so is not followed until the next frame, so a detection in this
 * frame may still place a better skeleton on them. Then the detector runs when the previous frame is not this frame's
 * predecessor (a new video, range or seek), when {@code detectEvery} frames have passed since it last ran (to find
 * people who entered), or when a tracked person was lost (the pose score fell below the threshold, or the track
 * converged on someone another track follows) and the last detection is {@value #REDETECT_GAP} frames or more ago,
 * so that someone who was merely re-framed badly is found again almost at once. A detection is a new person unless
 * its hips are close to a person found in this very frame ({@link PoseRoi#samePersonAs}): compared with last frame's
 * regions instead, a track that drifted onto a neighbour would hide the person it left. A new detection whose
 * landmark pass finds nobody gets one more pass in a tighter region ({@value #TIGHTER} of its side). Where a
 * detection's skeleton and a followed person's are one person, the followed one stays unless the other scores more
 * than {@value #FOLLOWED_LEAD} higher. At most {@code maxPeople} people are followed. Pure logic over the two model
 * calls it is given, so that it can be tested without models.
 *
 * <p>Not thread-safe: one stream of frames, in order, from one thread at a time.
 */
final class PoseTracker {

    /** Hip-centre distance, as a fraction of the smaller region, under which two regions are one person. */
    static final float SAME_PERSON = 0.15f;
    /**
     * Keypoint-box overlap above which two tracks are one body: a region that flipped upside down on a
     * small person keeps its hips apart from the right-way-up track but lies on the same body.
     */
    static final float SAME_BODY = 0.7f;
    /**
     * Nose distance, in head widths of the better-scored person, under which two skeletons share one head.
     * Two people's noses cannot come that close unless one hides the other's face, whereas in close-ups a
     * region that slid onto a face places a second skeleton there, upside down or along an arm, whose
     * hips and keypoint box stay apart from the first (Megamind.avi frames 40 and 100: 0.5 and 0.6).
     */
    static final float SAME_HEAD = 1.0f;
    /**
     * Radius, in head widths around a person's head, of the circle that a skeleton lying mostly inside is
     * a ghost of that head: in close-ups a region on a large face places a small skeleton across the forehead
     * or the hair (Megamind.avi frame 130). A real person that small next to a face would be behind it.
     */
    static final float HEAD_RADIUS = 2f;
    /** Share of a skeleton's keypoints that must lie within {@link #HEAD_RADIUS} of another's head. */
    static final float MOSTLY = 0.8f;
    /** The keypoints of a head: nose, eyes and ears. */
    private static final int[] HEAD = {
        BodyModel.NOSE, BodyModel.R_EYE, BodyModel.L_EYE, BodyModel.R_EAR, BodyModel.L_EAR,
    };
    /**
     * Frames since the last detection before a lost person makes the detector run again at once: people
     * who walk out of the frame are lost too, and each of them must not cost a detection.
     */
    static final int REDETECT_GAP = 3;
    /**
     * Side of the second, tighter region tried once for a detection whose first landmark pass found nobody,
     * as a fraction of the first: between people walking shoulder to shoulder a detector's region holds
     * half a neighbour, and the landmark model then scores the pair low or follows the neighbour. On the
     * labelled {@code vtest.avi} frames 0.6 to 0.75 each found the same one more person with no false one;
     * at 0.8 a tripod became a person (docs/benchmarks.md, pose).
     */
    static final float TIGHTER = 0.7f;
    /**
     * Pose score by which a person followed from the last frame outranks a skeleton a detection placed on the
     * same person in this frame. The pose score saturates near 1 for anything body-like, so between two such
     * skeletons it is a coin toss; the followed one has held for frames, whereas a detection's region, often
     * upside down on a close-up, places a skeleton that is lost in the next frame (Megamind.avi frame 158:
     * both scored 1.00, the detection's won and was gone a frame later, taking the person with it).
     */
    static final float FOLLOWED_LEAD = 0.1f;
    /**
     * Hip-centre distance, as a fraction of a lost person's region, within which a detection near them is
     * them. On the labelled frames 0.3 and 0.5 found the same people (docs/benchmarks.md, pose).
     */
    static final float NEAR = 0.3f;
    /** Regions smaller than this many pixels are not worth a landmark pass. */
    static final float MIN_SIDE = 16f;

    /** Finds people: landmark regions in frame pixels, best first. */
    @FunctionalInterface
    interface Detector {
        List<PoseRoi> detect(Frame frame);

        /**
         * People in the neighbourhood of {@code where} only, seen at a finer scale than a detection of the
         * whole frame gives: for a person just lost. None by default, so a lost person waits for the next
         * detection.
         */
        default List<PoseRoi> detectNear(Frame frame, PoseRoi where) {
            return List.of();
        }
    }

    /** Runs the landmark model on one region. */
    @FunctionalInterface
    interface Landmarker {
        Landmarks run(Frame frame, PoseRoi roi);
    }

    /**
     * One landmark pass: the pose score, the person in BODY_25 (or {@code null} if nothing fell inside the
     * frame) and the region the landmarks place for the next frame.
     */
    record Landmarks(float score, Person person, PoseRoi next) {
    }

    /** A person found in this frame; {@code followed} if found in a region carried over from the last frame. */
    private record Track(PoseRoi roi, Person person, float score, boolean followed, PoseRoi from) {

        /** Which of two tracks on one person stays: the higher rank, a followed track's lead included. */
        float rank() {
            return followed ? score + FOLLOWED_LEAD : score;
        }
    }

    private final int detectEvery;
    private final int maxPeople;
    private final float minPoseScore;
    private List<PoseRoi> regions = List.of();
    private long lastIndex = Long.MIN_VALUE;
    private long lastDetection = Long.MIN_VALUE;
    private int lastWidth;
    private int lastHeight;
    private long frames;
    private long detectorCalls;
    private long landmarkCalls;
    private long nearDetections;

    PoseTracker(int detectEvery, int maxPeople, float minPoseScore) {
        this.detectEvery = detectEvery;
        this.maxPeople = maxPeople;
        this.minPoseScore = minPoseScore;
    }

    /** The people in {@code frame}, in the order they were first found. */
    PoseFrame next(Frame frame, Detector detector, Landmarker landmarker) {
        boolean continuous = frame.index() == lastIndex + 1 && frame.width() == lastWidth && frame.height() == lastHeight;
        List<PoseRoi> candidates = continuous ? new ArrayList<>(regions) : new ArrayList<>();
        lastIndex = frame.index();
        lastWidth = frame.width();
        lastHeight = frame.height();
        regions = List.of(); // until this frame is done: a failure must not leave half a state behind
        frames++;
        List<Track> tracks = new ArrayList<>();
        boolean lost = false;
        for (PoseRoi followed : candidates) {
            if (track(frame, List.of(followed), true, landmarker, tracks)) {
                lost = true;
                relocate(frame, followed, detector, landmarker, tracks);
            }
        }
        int tracked = tracks.size();
        List<Track> converged = new ArrayList<>();
        tracks = merge(tracks, converged);
        for (Track c : converged) {
            recover(frame, c, landmarker, tracks);
        }
        lost |= tracks.size() < tracked; // a track that converged on another's person no longer follows its own
        boolean due = !continuous || frame.index() - lastDetection >= detectEvery;
        if (due || lost && frame.index() - lastDetection >= REDETECT_GAP) {
            // A person found near where they were lost does not hide a detection of them: both get a pass, and
            // the better skeleton stays.
            List<PoseRoi> kept = new ArrayList<>(tracks.size());
            tracks.stream().filter(Track::followed).forEach(t -> kept.add(t.roi()));
            int before = kept.size();
            addNew(kept, detect(frame, detector));
            for (PoseRoi found : kept.subList(before, kept.size())) {
                trackOrTighter(frame, found, landmarker, tracks);
            }
            tracks = merge(tracks, new ArrayList<>());
        }
        List<PoseRoi> next = new ArrayList<>(tracks.size());
        List<Person> people = new ArrayList<>(tracks.size());
        for (Track t : tracks) {
            next.add(t.roi());
            people.add(t.person());
        }
        regions = List.copyOf(next);
        return people.isEmpty() ? PoseFrame.EMPTY : new PoseFrame(people);
    }

    /**
     * One tighter pass where a person was last frame, for a followed track that converged on a person another
     * followed track has: between people walking side by side the landmark model slides onto the neighbour, yet
     * the person it left is still there. Kept only if it finds someone none of {@code tracks} follows.
     */
    private void recover(Frame frame, Track converged, Landmarker landmarker, List<Track> tracks) {
        PoseRoi tighter = tighter(converged.from());
        List<Track> found = new ArrayList<>(1);
        if (tighter.isUsable(MIN_SIDE) && !track(frame, List.of(tighter), true, landmarker, found)) {
            addIfNobodysAlready(tracks, found.get(0));
        }
    }

    /**
     * Looks for a person just lost where they were, with a detection of that neighbourhood alone
     * ({@link Detector#detectNear}): the landmark model loses people who turn or pass behind someone, and the
     * next detection may be frames away. The detection nearest their region's centre, within {@value #NEAR}
     * of its side and on nobody found in this frame, gets a pass (and a tighter one if that finds nobody); the
     * person found stays if nobody follows them already. They are not a followed track until the next frame,
     * so that a detection in this frame may still place a better skeleton on them.
     */
    private void relocate(Frame frame, PoseRoi lost, Detector detector, Landmarker landmarker, List<Track> tracks) {
        nearDetections++;
        PoseRoi nearest = null;
        double nearestDistance = NEAR * lost.side();
        for (PoseRoi d : detector.detectNear(frame, lost)) {
            double distance = Math.hypot(d.cx() - lost.cx(), d.cy() - lost.cy());
            if (distance < nearestDistance && d.isUsable(MIN_SIDE)
                    && tracks.stream().noneMatch(t -> t.roi().samePersonAs(d, SAME_PERSON))) {
                nearest = d;
                nearestDistance = distance;
            }
        }
        List<Track> found = new ArrayList<>(1);
        if (nearest != null && !trackOrTighter(frame, nearest, landmarker, found)) {
            addIfNobodysAlready(tracks, found.get(0));
        }
    }

    /**
     * A pass on a newly found region and, if that finds nobody, one on a {@link #tighter} region; true if
     * neither found anyone.
     */
    private boolean trackOrTighter(Frame frame, PoseRoi roi, Landmarker landmarker, List<Track> out) {
        if (!track(frame, List.of(roi), false, landmarker, out)) {
            return false;
        }
        PoseRoi tighter = tighter(roi);
        return !tighter.isUsable(MIN_SIDE) || track(frame, List.of(tighter), false, landmarker, out);
    }

    private static void addIfNobodysAlready(List<Track> tracks, Track t) {
        if (tracks.stream().noneMatch(k -> onePerson(k, t) || onePerson(t, k))) {
            tracks.add(t);
        }
    }

    /** {@code roi} narrowed to {@value #TIGHTER} of its side around the same centre. */
    private static PoseRoi tighter(PoseRoi roi) {
        return new PoseRoi(roi.cx(), roi.cy(), roi.side() * TIGHTER, roi.rotation());
    }

    private List<PoseRoi> detect(Frame frame, Detector detector) {
        detectorCalls++;
        lastDetection = frame.index();
        return detector.detect(frame);
    }

    private void addNew(List<PoseRoi> tracked, List<PoseRoi> detections) {
        for (PoseRoi d : detections) {
            if (tracked.size() >= maxPeople) {
                return;
            }
            if (d.isUsable(MIN_SIDE) && tracked.stream().noneMatch(t -> t.samePersonAs(d, SAME_PERSON))) {
                tracked.add(d);
            }
        }
    }

    /**
     * Runs the landmarks of each region into {@code out}; true if any region lost its person. {@code followed}
     * if the regions carry people over from the last frame.
     */
    private boolean track(Frame frame, List<PoseRoi> rois, boolean followed, Landmarker landmarker, List<Track> out) {
        boolean lost = false;
        for (PoseRoi roi : rois) {
            landmarkCalls++;
            Landmarks l = landmarker.run(frame, roi);
            if (l.score() >= minPoseScore && l.person() != null && l.next() != null && l.next().isUsable(MIN_SIDE)) {
                out.add(new Track(l.next(), l.person(), l.score(), followed, roi));
            } else {
                lost = true;
            }
        }
        return lost;
    }

    /**
     * Drops tracks that converged on a person another, better-ranked track follows; keeps first-found order, and
     * adds to {@code converged} the followed tracks dropped for a followed track. Works by position, not by
     * equality: two tracks that converged exactly are equal records.
     */
    private static List<Track> merge(List<Track> tracks, List<Track> converged) {
        if (tracks.size() < 2) {
            return new ArrayList<>(tracks);
        }
        Integer[] byRank = new Integer[tracks.size()];
        for (int i = 0; i < byRank.length; i++) {
            byRank[i] = i;
        }
        Arrays.sort(byRank, Comparator.comparingDouble((Integer i) -> tracks.get(i).rank()).reversed());
        // A skeleton inside another's head goes whatever its rank; the lowest-ranked go first, so that of two
        // skeletons inside each other's head one stays.
        boolean[] ghost = new boolean[tracks.size()];
        for (int n = byRank.length - 1; n >= 0; n--) {
            int i = byRank[n];
            for (int j = 0; j < ghost.length && !ghost[i]; j++) {
                ghost[i] = j != i && !ghost[j] && insideHead(tracks.get(j).person(), tracks.get(i).person());
            }
        }
        boolean[] keep = new boolean[tracks.size()];
        List<Track> kept = new ArrayList<>();
        for (int i : byRank) {
            Track t = tracks.get(i);
            if (!ghost[i] && kept.stream().noneMatch(k -> onePerson(k, t))) {
                kept.add(t);
                keep[i] = true;
            } else if (!ghost[i] && t.followed() && kept.stream().anyMatch(k -> k.followed() && onePerson(k, t))) {
                converged.add(t);
            }
        }
        List<Track> ordered = new ArrayList<>(kept.size());
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                ordered.add(tracks.get(i));
            }
        }
        return ordered;
    }

    /** True if two tracks follow one person; {@code kept} is the better-scored. */
    private static boolean onePerson(Track kept, Track other) {
        return kept.roi().samePersonAs(other.roi(), SAME_PERSON) || overlap(kept.person(), other.person()) > SAME_BODY
                || sameHead(kept.person(), other.person());
    }

    /**
     * The share of the smaller of the boxes around two people's keypoints that the other covers (0 when
     * either has no box): a skeleton that flipped onto a body another skeleton already covers lies inside it.
     */
    static float overlap(Person a, Person b) {
        float[] p = box(a);
        float[] q = box(b);
        if (p == null || q == null) {
            return 0f;
        }
        float w = Math.min(p[2], q[2]) - Math.max(p[0], q[0]);
        float h = Math.min(p[3], q[3]) - Math.max(p[1], q[1]);
        if (w <= 0 || h <= 0) {
            return 0f;
        }
        float inter = w * h;
        return inter / Math.min((p[2] - p[0]) * (p[3] - p[1]), (q[2] - q[0]) * (q[3] - q[1]));
    }

    /**
     * True if both people have a nose and the noses lie closer than {@value #SAME_HEAD} head widths of
     * {@code kept} (of {@code other} if {@code kept} shows no pair of eyes or ears).
     */
    static boolean sameHead(Person kept, Person other) {
        if (kept.confidence(BodyModel.NOSE) <= 0 || other.confidence(BodyModel.NOSE) <= 0) {
            return false;
        }
        float head = headWidth(kept);
        if (head <= 0) {
            head = headWidth(other);
        }
        return head > 0 && distance(kept, other, BodyModel.NOSE, BodyModel.NOSE) < SAME_HEAD * head;
    }

    /**
     * True if at least {@value #MOSTLY} of the keypoints of {@code other} lie within {@value #HEAD_RADIUS}
     * head widths of the middle of the head of {@code person} (its nose, eyes and ears).
     */
    static boolean insideHead(Person person, Person other) {
        float head = headWidth(person);
        float x = 0;
        float y = 0;
        int n = 0;
        for (int k : HEAD) {
            if (person.confidence(k) > 0) {
                x += person.x(k);
                y += person.y(k);
                n++;
            }
        }
        if (head <= 0 || n == 0) {
            return false;
        }
        float radius = HEAD_RADIUS * head;
        int points = 0;
        int inside = 0;
        for (int k = 0; k < other.keypointCount(); k++) {
            if (other.confidence(k) > 0) {
                points++;
                if (Math.hypot(other.x(k) - x / n, other.y(k) - y / n) <= radius) {
                    inside++;
                }
            }
        }
        return points > 0 && inside >= MOSTLY * points;
    }

    /** The eye distance or half the ear distance, whichever is larger; 0 if neither pair is in the frame. */
    private static float headWidth(Person p) {
        return Math.max(distance(p, p, BodyModel.R_EYE, BodyModel.L_EYE),
                distance(p, p, BodyModel.R_EAR, BodyModel.L_EAR) / 2);
    }

    /** The distance from keypoint {@code i} of {@code a} to keypoint {@code j} of {@code b}; 0 if either is missing. */
    private static float distance(Person a, Person b, int i, int j) {
        if (a.confidence(i) <= 0 || b.confidence(j) <= 0) {
            return 0f;
        }
        return (float) Math.hypot(a.x(i) - b.x(j), a.y(i) - b.y(j));
    }

    private static float[] box(Person person) {
        float[] pose = person.pose2d();
        float[] box = {Float.MAX_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
        int points = 0;
        for (int i = 0; i + 2 < pose.length; i += 3) {
            if (pose[i + 2] > 0f) {
                box[0] = Math.min(box[0], pose[i]);
                box[1] = Math.min(box[1], pose[i + 1]);
                box[2] = Math.max(box[2], pose[i]);
                box[3] = Math.max(box[3], pose[i + 1]);
                points++;
            }
        }
        return points < 2 || box[2] <= box[0] || box[3] <= box[1] ? null : box;
    }

    /** Frames seen so far. */
    long frames() {
        return frames;
    }

    /** Detector runs so far. */
    long detectorCalls() {
        return detectorCalls;
    }

    /** Landmark passes so far. */
    long landmarkCalls() {
        return landmarkCalls;
    }

    /** Detections near a lost person so far ({@link Detector#detectNear}). */
    long nearDetections() {
        return nearDetections;
    }
}
