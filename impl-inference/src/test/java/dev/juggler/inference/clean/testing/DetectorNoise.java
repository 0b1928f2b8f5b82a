package dev.juggler.inference.clean.testing;

import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Corrupts ground-truth poses the way a per-frame pose detector does, so that a track cleaner can be
 * measured against the truth it never sees.
 *
 * <p>Applied to each person in each frame, in this order: Gaussian jitter on every coordinate; a swap of
 * all left/right keypoint pairs in a fraction of person-frames; one-frame outliers that throw a point
 * 0.5 to 2 body heights away; dropouts that blank a keypoint ({@code 0, 0, 0}) for a run of 1 to 20
 * frames; a confidence between 0.3 and 1 on every surviving point. Then each frame's people are
 * shuffled and lose their ids ({@code -1}), as an untracked detector reports them. A person with no
 * surviving keypoint is left out of the frame. A dropout run always lies strictly inside the frames
 * where the person is present, so it has observed frames on both sides. "Body height" is the vertical
 * extent of the person's true keypoints in that frame.
 *
 * <p>Immutable and thread-safe; {@link #corrupt} gives the same result for the same truth and settings.
 * Build one with {@link #builder()}; the defaults are the constants below.
 */
public final class DetectorNoise {

    /** Default jitter: standard deviation per coordinate, as a fraction of body height. */
    public static final double DEFAULT_JITTER = 0.02;
    /** Default fraction of points dropped. */
    public static final double DEFAULT_DROPOUT = 0.05;
    /** Default fraction of person-frames whose left and right keypoints are swapped. */
    public static final double DEFAULT_SWAP = 0.01;
    /** Default fraction of points thrown away for one frame. */
    public static final double DEFAULT_OUTLIER = 0.005;
    /** Longest dropout run in frames; runs are 1 to this long, uniformly. */
    public static final int MAX_DROPOUT_RUN = 20;

    /** BODY_25 right/left keypoint pairs: shoulder, elbow, wrist, hip, knee, ankle, eye, ear, big toe, small toe, heel. */
    private static final int[][] LEFT_RIGHT = {
        {2, 5}, {3, 6}, {4, 7}, {9, 12}, {10, 13}, {11, 14}, {15, 16}, {17, 18}, {22, 19}, {23, 20}, {24, 21},
    };

    private final long seed;
    private final double jitter;
    private final double dropout;
    private final double swap;
    private final double outlier;
    private final boolean shuffle;

    private DetectorNoise(Builder b) {
        this.seed = b.seed;
        this.jitter = b.jitter;
        this.dropout = b.dropout;
        this.swap = b.swap;
        this.outlier = b.outlier;
        this.shuffle = b.shuffle;
    }

    /** A builder with the default settings and seed 0. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Corrupts {@code truth}: frames of people with distinct ids {@code >= 0} and all keypoints present
     * (such as {@link SyntheticPoseScene#truth()}).
     */
    public Corrupted corrupt(List<PoseFrame> truth) {
        Objects.requireNonNull(truth, "truth");
        int frames = truth.size();
        int ids = 0;
        for (int f = 0; f < frames; f++) {
            for (Person p : truth.get(f).people()) {
                if (p.personId() < 0) {
                    throw new IllegalArgumentException("frame " + f + " has a person with id " + p.personId()
                            + "; truth needs ids >= 0");
                }
                ids = Math.max(ids, p.personId() + 1);
            }
        }
        int k = truth.isEmpty() || truth.stream().allMatch(PoseFrame::isEmpty) ? 0
                : truth.stream().filter(fr -> !fr.isEmpty()).findFirst().orElseThrow().people().get(0).keypointCount();
        Random rnd = new Random(seed);
        int[][][] runs = dropRuns(truth, ids, k, rnd);
        boolean[][][] outliers = new boolean[frames][ids][];
        boolean[][] swapped = new boolean[frames][ids];
        List<PoseFrame> raw = new ArrayList<>(frames);
        int[][] truthIdOf = new int[frames][];
        for (int f = 0; f < frames; f++) {
            List<Person> found = new ArrayList<>();
            List<Integer> foundIds = new ArrayList<>();
            for (Person t : truth.get(f).people()) {
                int id = t.personId();
                if (swapped[f][id] || outliers[f][id] != null) {
                    throw new IllegalArgumentException("frame " + f + " has person id " + id + " twice");
                }
                outliers[f][id] = new boolean[k];
                float[] pose = noisy(t, runs[f][id], outliers[f][id], rnd);
                if (rnd.nextDouble() < swap) {
                    swapped[f][id] = true;
                    swapSides(pose);
                }
                if (anyPresent(pose)) {
                    found.add(new Person(Person.UNTRACKED, pose));
                    foundIds.add(id);
                }
            }
            Integer[] order = new Integer[found.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            if (shuffle) {
                Collections.shuffle(Arrays.asList(order), rnd);
            }
            List<Person> people = new ArrayList<>(order.length);
            truthIdOf[f] = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                people.add(found.get(order[i]));
                truthIdOf[f][i] = foundIds.get(order[i]);
            }
            raw.add(new PoseFrame(people));
        }
        return new Corrupted(List.copyOf(raw), new DropLog(runs, truthIdOf, outliers, swapped));
    }

    private float[] noisy(Person t, int[] runs, boolean[] outlierFlags, Random rnd) {
        float[] pose = t.pose2d();
        double h = Math.max(1, TrackMetrics.bodyHeight(t));
        for (int k = 0; k < pose.length / 3; k++) {
            if (t.confidence(k) <= 0) {
                continue;
            }
            double x = pose[3 * k] + rnd.nextGaussian() * jitter * h;
            double y = pose[3 * k + 1] + rnd.nextGaussian() * jitter * h;
            if (rnd.nextDouble() < outlier && runs[k] == 0) {
                double angle = rnd.nextDouble() * 2 * Math.PI;
                double jump = (0.5 + 1.5 * rnd.nextDouble()) * h;
                x += jump * Math.cos(angle);
                y += jump * Math.sin(angle);
                outlierFlags[k] = true;
            }
            float c = (float) (0.3 + 0.7 * rnd.nextDouble());
            boolean dropped = runs[k] > 0;
            pose[3 * k] = dropped ? 0 : (float) x;
            pose[3 * k + 1] = dropped ? 0 : (float) y;
            pose[3 * k + 2] = dropped ? 0 : c;
        }
        return pose;
    }

    /**
     * For each truth person and keypoint, runs of dropped frames strictly inside the person's presence;
     * {@code result[frame][id][k]} is the length of the run containing that frame, or 0. A run starts at
     * a free frame with a probability chosen so that the expected dropped fraction is {@code dropout}.
     */
    private int[][][] dropRuns(List<PoseFrame> truth, int ids, int k, Random rnd) {
        int frames = truth.size();
        int[][][] runs = new int[frames][ids][k];
        if (dropout <= 0) {
            return runs;
        }
        double meanRun = (1 + MAX_DROPOUT_RUN) / 2.0;
        double start = dropout / ((1 - dropout) * meanRun);
        boolean[][] present = new boolean[ids][frames];
        for (int f = 0; f < frames; f++) {
            for (Person p : truth.get(f).people()) {
                present[p.personId()][f] = true;
            }
        }
        for (int id = 0; id < ids; id++) {
            for (int kp = 0; kp < k; kp++) {
                for (int f = 1; f < frames; f++) {
                    if (!present[id][f - 1] || !present[id][f] || rnd.nextDouble() >= start) {
                        continue;
                    }
                    int len = 1 + rnd.nextInt(MAX_DROPOUT_RUN);
                    int end = f + len; // exclusive; the person must still be seen at frame end
                    if (end >= frames || !presentThroughout(present[id], f, end + 1)) {
                        continue;
                    }
                    for (int g = f; g < end; g++) {
                        runs[g][id][kp] = len;
                    }
                    f = end; // the frame after a run is observed
                }
            }
        }
        return runs;
    }

    private static boolean presentThroughout(boolean[] present, int from, int to) {
        for (int f = from; f < to; f++) {
            if (!present[f]) {
                return false;
            }
        }
        return true;
    }

    private static void swapSides(float[] pose) {
        for (int[] pair : LEFT_RIGHT) {
            if (3 * Math.max(pair[0], pair[1]) + 2 >= pose.length) {
                continue;
            }
            for (int c = 0; c < 3; c++) {
                float tmp = pose[3 * pair[0] + c];
                pose[3 * pair[0] + c] = pose[3 * pair[1] + c];
                pose[3 * pair[1] + c] = tmp;
            }
        }
    }

    private static boolean anyPresent(float[] pose) {
        for (int i = 2; i < pose.length; i += 3) {
            if (pose[i] > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The corrupted frames and what was done to them.
     *
     * @param raw   what the detector "saw": shuffled, untracked people
     * @param drops the record of dropouts, identities, outliers and swaps
     */
    public record Corrupted(List<PoseFrame> raw, DropLog drops) {
        /** Copies the list. */
        public Corrupted {
            raw = List.copyOf(raw);
            Objects.requireNonNull(drops, "drops");
        }
    }

    /**
     * What {@link DetectorNoise} did, indexed by frame, truth id and (truth) keypoint index. Keypoint
     * indices refer to the truth person: after a left/right swap the raw person carries the truth's
     * right wrist in its left wrist slot. Immutable and thread-safe.
     */
    public static final class DropLog {
        private final int[][][] runs;
        private final int[][] truthIdOf;
        private final boolean[][][] outliers;
        private final boolean[][] swapped;

        private DropLog(int[][][] runs, int[][] truthIdOf, boolean[][][] outliers, boolean[][] swapped) {
            this.runs = runs;
            this.truthIdOf = truthIdOf;
            this.outliers = outliers;
            this.swapped = swapped;
        }

        /** Number of frames. */
        public int frames() {
            return runs.length;
        }

        /** 0 if the point was not dropped in that frame (or the person is unknown), else the length of its dropout run. */
        public int dropRunLength(int frame, int truthId, int keypoint) {
            int[][] f = runs[frame];
            return truthId < 0 || truthId >= f.length || keypoint >= f[truthId].length ? 0 : f[truthId][keypoint];
        }

        /** The truth id of the person at {@code rawIndex} in raw frame {@code frame}. */
        public int truthIdOf(int frame, int rawIndex) {
            return truthIdOf[frame][rawIndex];
        }

        /** Where truth person {@code truthId} is in raw frame {@code frame}, or -1 if the detector left them out. */
        public int rawIndexOf(int frame, int truthId) {
            int[] ids = truthIdOf[frame];
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == truthId) {
                    return i;
                }
            }
            return -1;
        }

        /** {@code true} if the point was thrown away from its true place in this frame. */
        public boolean isOutlier(int frame, int truthId, int keypoint) {
            boolean[][] f = outliers[frame];
            return truthId >= 0 && truthId < f.length && f[truthId] != null && keypoint < f[truthId].length
                    && f[truthId][keypoint];
        }

        /** {@code true} if the person's left and right keypoints were swapped in this frame. */
        public boolean isSwapped(int frame, int truthId) {
            return truthId >= 0 && truthId < swapped[frame].length && swapped[frame][truthId];
        }

        /** Number of dropped points. */
        public long droppedPoints() {
            return Arrays.stream(runs).flatMap(Arrays::stream).flatMapToInt(Arrays::stream).filter(r -> r > 0).count();
        }
    }

    /** Settings for {@link DetectorNoise}; each setter checks its value. Not thread-safe. */
    public static final class Builder {
        private long seed;
        private double jitter = DEFAULT_JITTER;
        private double dropout = DEFAULT_DROPOUT;
        private double swap = DEFAULT_SWAP;
        private double outlier = DEFAULT_OUTLIER;
        private boolean shuffle = true;

        private Builder() {
        }

        /** Seed of all random choices. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Jitter standard deviation per coordinate as a fraction of body height, {@code >= 0}. */
        public Builder jitter(double fractionOfHeight) {
            this.jitter = check("jitter", fractionOfHeight, 0, 1);
            return this;
        }

        /** Expected fraction of points dropped, in {@code [0, 0.5]}. */
        public Builder dropout(double fraction) {
            this.dropout = check("dropout", fraction, 0, 0.5);
            return this;
        }

        /** Fraction of person-frames with left and right swapped, in {@code [0, 1]}. */
        public Builder swap(double fraction) {
            this.swap = check("swap", fraction, 0, 1);
            return this;
        }

        /** Fraction of points thrown 0.5 to 2 body heights away for one frame, in {@code [0, 1]}. */
        public Builder outlier(double fraction) {
            this.outlier = check("outlier", fraction, 0, 1);
            return this;
        }

        /** Whether to shuffle each frame's people (default {@code true}); ids are dropped either way. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The configured noise. */
        public DetectorNoise build() {
            return new DetectorNoise(this);
        }

        private static double check(String field, double value, double min, double max) {
            if (!(value >= min && value <= max)) {
                throw new IllegalArgumentException(field + " = " + value + "; use a value in [" + min + ", " + max + "]");
            }
            return value;
        }
    }
}
