package dev.juggler.inference.clean.testing;

import dev.juggler.inference.clean.Hungarian;
import dev.juggler.inference.clean.testing.DetectorNoise.Corrupted;
import dev.juggler.inference.clean.testing.DetectorNoise.DropLog;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Scores a track cleaner's output against the truth it was made from: CLEAR MOT counts (misses, false
 * positives, identity switches, MOTA), keypoint RMSE, and how dropouts were handled.
 *
 * <p>Matching, per frame: an output person and a truth person may match when their mean keypoint
 * distance (over keypoints present in both), divided by the truth person's body height, is at most the
 * threshold. As CLEAR MOT prescribes, a pair matched in the frame before (truth id to output id) is
 * kept while it stays within the threshold; the remaining people are matched by {@link Hungarian} on
 * that normalised distance. An identity switch is counted when a truth id is matched to a different
 * output id than at its previous match (however long ago).
 *
 * <p>Output ids: a person's {@code personId} when it is {@code >= 0}; a person with id {@code -1} is
 * known by its index in its frame's list (in a separate namespace from real ids), which is what a user
 * without tracking gets from raw detector frames.
 *
 * <p>Stateless and thread-safe.
 */
public final class TrackMetrics {

    private TrackMetrics() {
    }

    /**
     * The scores of one output.
     *
     * @param frames          frames evaluated
     * @param groundTruth     truth person-frames (GT)
     * @param matches         matched person-frames
     * @param misses          truth person-frames without a match (FN)
     * @param falsePositives  output person-frames without a match (FP)
     * @param idSwitches      identity switches (IDSW)
     * @param mota            {@code 1 - (FN + FP + IDSW) / GT}
     * @param rmse            root mean square distance in pixels over keypoints of matched people present
     *                        in both truth and output
     * @param rmsePoints      number of keypoints in the RMSE
     * @param fillable        dropped points whose run is at most {@code maxGap} frames long
     * @param recoveredPoints those of them present in the matched output person
     * @param recovered       {@code recoveredPoints / fillable} (NaN when nothing was fillable)
     * @param longDropped     dropped points whose run is longer than {@code maxGap} and whose slot the detector left empty
     * @param inventedPoints  those of them present in the matched output person where the raw detection has no
     *                        point in that slot (a point the detector reported, the other side's after a swap,
     *                        is not counted, as it is not made up by the cleaner; a cleaner should not
     *                        fill such gaps)
     * @param invented        {@code inventedPoints / longDropped} (NaN when there were none)
     */
    public record Report(int frames, long groundTruth, long matches, long misses, long falsePositives, long idSwitches,
            double mota, double rmse, long rmsePoints, long fillable, long recoveredPoints, double recovered,
            long longDropped, long inventedPoints, double invented) {

        /** One line with the headline numbers. */
        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "MOTA %.4f IDSW %d FN %d FP %d GT %d | RMSE %.2f px (%d pts) | recovered %.3f (%d/%d) | invented %.3f (%d/%d)",
                    mota, idSwitches, misses, falsePositives, groundTruth, rmse, rmsePoints,
                    recovered, recoveredPoints, fillable, invented, inventedPoints, longDropped);
        }
    }

    /**
     * Evaluates {@code output} against {@code truth}.
     *
     * @param truth                     the true frames (ids {@code >= 0})
     * @param corrupted                 what the cleaner was given, for its dropout log
     * @param output                    the cleaner's frames (or {@code corrupted.raw()} as the baseline);
     *                                  as many as {@code truth}
     * @param maxGap                    the longest dropout run a cleaner is expected to fill, {@code >= 0}
     * @param matchThresholdBodyHeights the largest normalised mean distance of a match, {@code > 0}
     */
    public static Report evaluate(List<PoseFrame> truth, Corrupted corrupted, List<PoseFrame> output, int maxGap,
            double matchThresholdBodyHeights) {
        Objects.requireNonNull(truth, "truth");
        Objects.requireNonNull(corrupted, "corrupted");
        Objects.requireNonNull(output, "output");
        if (output.size() != truth.size() || corrupted.drops().frames() != truth.size()) {
            throw new IllegalArgumentException("truth has " + truth.size() + " frames, output " + output.size()
                    + ", the drop log " + corrupted.drops().frames() + "; they must be equal");
        }
        if (maxGap < 0) {
            throw new IllegalArgumentException("maxGap = " + maxGap + "; use 0 or more frames");
        }
        if (!(matchThresholdBodyHeights > 0) || !Double.isFinite(matchThresholdBodyHeights)) {
            throw new IllegalArgumentException("matchThresholdBodyHeights = " + matchThresholdBodyHeights
                    + "; use a positive number such as 0.5");
        }
        DropLog drops = corrupted.drops();
        Map<Integer, Integer> lastMatch = new HashMap<>();
        long gt = 0;
        long matches = 0;
        long fp = 0;
        long idsw = 0;
        double squared = 0;
        long points = 0;
        long fillable = 0;
        long recovered = 0;
        long longDropped = 0;
        long invented = 0;
        for (int f = 0; f < truth.size(); f++) {
            List<Person> t = truth.get(f).people();
            List<Person> o = output.get(f).people();
            int[] outIds = new int[o.size()];
            for (int j = 0; j < o.size(); j++) {
                int id = o.get(j).personId();
                outIds[j] = id >= 0 ? id : -1 - j;
            }
            int[] match = match(t, o, outIds, lastMatch, matchThresholdBodyHeights);
            gt += t.size();
            int matchedHere = 0;
            for (int i = 0; i < t.size(); i++) {
                Person truePerson = t.get(i);
                int tid = truePerson.personId();
                Person out = match[i] >= 0 ? o.get(match[i]) : null;
                if (out != null) {
                    matchedHere++;
                    Integer before = lastMatch.put(tid, outIds[match[i]]);
                    if (before != null && before != outIds[match[i]]) {
                        idsw++;
                    }
                    int k = Math.min(truePerson.keypointCount(), out.keypointCount());
                    for (int kp = 0; kp < k; kp++) {
                        if (truePerson.confidence(kp) > 0 && out.confidence(kp) > 0) {
                            double dx = out.x(kp) - truePerson.x(kp);
                            double dy = out.y(kp) - truePerson.y(kp);
                            squared += dx * dx + dy * dy;
                            points++;
                        }
                    }
                }
                for (int kp = 0; kp < truePerson.keypointCount(); kp++) {
                    int run = drops.dropRunLength(f, tid, kp);
                    if (run == 0) {
                        continue;
                    }
                    boolean present = out != null && kp < out.keypointCount() && out.confidence(kp) > 0;
                    if (run > maxGap && detected(corrupted, f, tid, kp)) {
                        continue; // the detector itself put a point here (the other side's, in a swap): not invented
                    }
                    if (run <= maxGap) {
                        fillable++;
                        recovered += present ? 1 : 0;
                    } else {
                        longDropped++;
                        invented += present ? 1 : 0;
                    }
                }
            }
            matches += matchedHere;
            fp += o.size() - matchedHere;
        }
        long fn = gt - matches;
        double mota = gt == 0 ? 1 : 1 - (double) (fn + fp + idsw) / gt;
        double rmse = points == 0 ? 0 : Math.sqrt(squared / points);
        return new Report(truth.size(), gt, matches, fn, fp, idsw, mota, rmse, points, fillable, recovered,
                fillable == 0 ? Double.NaN : (double) recovered / fillable, longDropped, invented,
                longDropped == 0 ? Double.NaN : (double) invented / longDropped);
    }

    /**
     * The vertical extent in pixels of the person's present keypoints (0 with fewer than two). Used as
     * "body height" for normalising distances.
     */
    public static double bodyHeight(Person p) {
        double top = Double.POSITIVE_INFINITY;
        double bottom = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < p.keypointCount(); k++) {
            if (p.confidence(k) > 0) {
                top = Math.min(top, p.y(k));
                bottom = Math.max(bottom, p.y(k));
            }
        }
        return bottom > top ? bottom - top : 0;
    }

    /**
     * Mean distance over keypoints present in both, in body heights of {@code truth}; infinite when they
     * share no keypoint.
     */
    public static double normalisedDistance(Person truth, Person other) {
        int k = Math.min(truth.keypointCount(), other.keypointCount());
        double sum = 0;
        int n = 0;
        for (int kp = 0; kp < k; kp++) {
            if (truth.confidence(kp) > 0 && other.confidence(kp) > 0) {
                sum += Math.hypot(other.x(kp) - truth.x(kp), other.y(kp) - truth.y(kp));
                n++;
            }
        }
        return n == 0 ? Double.POSITIVE_INFINITY : sum / n / Math.max(1, bodyHeight(truth));
    }

    /** {@code result[truthIndex]} = output index or -1: kept pairs first, then Hungarian on the rest. */
    // Whether the raw person of truth person `tid` in frame f has keypoint kp in its own slot.
    private static boolean detected(DetectorNoise.Corrupted corrupted, int f, int tid, int kp) {
        int raw = corrupted.drops().rawIndexOf(f, tid);
        if (raw < 0) {
            return false;
        }
        Person p = corrupted.raw().get(f).people().get(raw);
        return kp < p.keypointCount() && p.confidence(kp) > 0;
    }

    private static int[] match(List<Person> t, List<Person> o, int[] outIds, Map<Integer, Integer> lastMatch,
            double threshold) {
        double[][] cost = new double[t.size()][o.size()];
        for (int i = 0; i < t.size(); i++) {
            for (int j = 0; j < o.size(); j++) {
                double d = normalisedDistance(t.get(i), o.get(j));
                cost[i][j] = d <= threshold ? d : Double.POSITIVE_INFINITY;
            }
        }
        int[] result = new int[t.size()];
        boolean[] outTaken = new boolean[o.size()];
        boolean[] truthKept = new boolean[t.size()];
        for (int i = 0; i < t.size(); i++) {
            result[i] = -1;
            Integer previous = lastMatch.get(t.get(i).personId());
            for (int j = 0; previous != null && j < o.size(); j++) {
                if (outIds[j] == previous && !outTaken[j] && cost[i][j] != Double.POSITIVE_INFINITY) {
                    result[i] = j;
                    outTaken[j] = true;
                    truthKept[i] = true;
                    break;
                }
            }
        }
        double[][] rest = new double[t.size()][o.size()];
        for (int i = 0; i < t.size(); i++) {
            for (int j = 0; j < o.size(); j++) {
                rest[i][j] = truthKept[i] || outTaken[j] ? Double.POSITIVE_INFINITY : cost[i][j];
            }
        }
        int[] assigned = Hungarian.assign(rest);
        for (int i = 0; i < t.size(); i++) {
            if (!truthKept[i] && assigned[i] >= 0) {
                result[i] = assigned[i];
            }
        }
        return result;
    }
}
