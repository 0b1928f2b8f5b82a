package dev.juggler.inference.testing;

import dev.juggler.inference.pose.BodyModel;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Hand-made person labels for real footage (see {@code src/test/resources/pose-labels/}) and the scores
 * that compare a pose model's people with them: recall and precision of people, and PCK@0.2 of the
 * labelled torso length on the labelled keypoints. Immutable and thread-safe.
 *
 * <p>A found person matches a label when the middle of its torso (Neck and MidHip, or the mean of its
 * keypoints when either is missing) lies inside the label's box; matching is one-to-one and greedy, the
 * pair whose torso middle is nearest the box centre first. The two labelled ankles are compared with
 * the better of the two ways to pair them with RAnkle and LAnkle.
 */
public final class PoseLabels {

    private static final int R_ANKLE = 11;
    private static final int L_ANKLE = 14;
    private static final double PCK_FRACTION = 0.2;

    /** One labelled person: a box, and keypoints as {x, y} or {@code null} where not labelled. */
    public record Label(long frame, float x0, float y0, float x1, float y1, float[] neck, float[] midHip,
            float[] ankleA, float[] ankleB) {

        boolean contains(float[] p) {
            return p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1;
        }

        boolean hasKeypoints() {
            return neck != null && midHip != null;
        }
    }

    /** People present, found, matched, and the PCK of the matched people that carry keypoint labels. */
    public record Score(int present, int found, int matched, int pckPeople, double pckSum) {

        /** The score of both label sets together. */
        public Score plus(Score other) {
            return new Score(present + other.present, found + other.found, matched + other.matched,
                    pckPeople + other.pckPeople, pckSum + other.pckSum);
        }

        /** Matched people as a share of labelled people. */
        public double recall() {
            return present == 0 ? 1 : (double) matched / present;
        }

        /** Matched people as a share of found people. */
        public double precision() {
            return found == 0 ? 1 : (double) matched / found;
        }

        /** Mean PCK@0.2 over matched people with keypoint labels (NaN if there are none). */
        public double meanPck() {
            return pckPeople == 0 ? Double.NaN : pckSum / pckPeople;
        }

        @Override
        public String toString() {
            return String.format("recall %.3f (%d of %d), precision %.3f (%d found), PCK@0.2 %.3f over %d people",
                    recall(), matched, present, precision(), found, meanPck(), pckPeople);
        }
    }

    private final List<Label> labels;

    private PoseLabels(List<Label> labels) {
        this.labels = List.copyOf(labels);
    }

    /** Reads a label file from the test resources, e.g. {@code "pose-labels/vtest.csv"}. */
    public static PoseLabels resource(String name) {
        try (InputStream in = PoseLabels.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PoseLabels parse(BufferedReader reader, String name) throws IOException {
        List<Label> labels = new ArrayList<>();
        boolean header = true;
        int line = 0;
        for (String s = reader.readLine(); s != null; s = reader.readLine()) {
            line++;
            if (s.isBlank() || s.startsWith("#")) {
                continue;
            }
            if (header) {
                header = false;
                continue;
            }
            String[] c = s.split(",", -1);
            if (c.length != 13) {
                throw new IllegalArgumentException(name + " line " + line + ": 13 columns expected, not " + c.length);
            }
            labels.add(new Label(Long.parseLong(c[0]), f(c[1]), f(c[2]), f(c[3]), f(c[4]),
                    point(c[5], c[6]), point(c[7], c[8]), point(c[9], c[10]), point(c[11], c[12])));
        }
        return new PoseLabels(labels);
    }

    private static float f(String s) {
        return Float.parseFloat(s.trim());
    }

    private static float[] point(String x, String y) {
        return x.isBlank() || y.isBlank() ? null : new float[] {f(x), f(y)};
    }

    /** The labelled frames, in order. */
    public List<Long> frames() {
        return List.copyOf(new TreeSet<>(labels.stream().map(Label::frame).toList()));
    }

    /** Scores the people found on the labelled frames; a labelled frame missing from {@code found} found nobody. */
    public Score score(Map<Long, PoseFrame> found) {
        int present = 0;
        int foundCount = 0;
        int matched = 0;
        int pckPeople = 0;
        double pckSum = 0;
        for (long frame : frames()) {
            List<Label> here = labels.stream().filter(l -> l.frame() == frame).toList();
            List<Person> people = found.getOrDefault(frame, PoseFrame.EMPTY).people();
            present += here.size();
            foundCount += people.size();
            boolean[] labelUsed = new boolean[here.size()];
            boolean[] personUsed = new boolean[people.size()];
            while (true) {
                int bestLabel = -1;
                int bestPerson = -1;
                double best = Double.MAX_VALUE;
                for (int l = 0; l < here.size(); l++) {
                    for (int p = 0; p < people.size(); p++) {
                        if (labelUsed[l] || personUsed[p]) {
                            continue;
                        }
                        float[] middle = torsoMiddle(people.get(p));
                        Label label = here.get(l);
                        if (middle != null && label.contains(middle)) {
                            double d = Math.hypot(middle[0] - (label.x0() + label.x1()) / 2,
                                    middle[1] - (label.y0() + label.y1()) / 2);
                            if (d < best) {
                                best = d;
                                bestLabel = l;
                                bestPerson = p;
                            }
                        }
                    }
                }
                if (bestLabel < 0) {
                    break;
                }
                labelUsed[bestLabel] = true;
                personUsed[bestPerson] = true;
                matched++;
                Label label = here.get(bestLabel);
                if (label.hasKeypoints()) {
                    pckPeople++;
                    pckSum += pck(label, people.get(bestPerson));
                }
            }
        }
        return new Score(present, foundCount, matched, pckPeople, pckSum);
    }

    /** The share of the label's keypoints that {@code person} places within 0.2 of the labelled torso length. */
    static double pck(Label label, Person person) {
        double threshold = PCK_FRACTION * Math.hypot(label.neck()[0] - label.midHip()[0], label.neck()[1] - label.midHip()[1]);
        int points = 2;
        int hits = hit(label.neck(), person, BodyModel.NECK, threshold) + hit(label.midHip(), person, BodyModel.MID_HIP, threshold);
        if (label.ankleA() != null && label.ankleB() != null) {
            points += 2;
            int straight = hit(label.ankleA(), person, R_ANKLE, threshold) + hit(label.ankleB(), person, L_ANKLE, threshold);
            int crossed = hit(label.ankleA(), person, L_ANKLE, threshold) + hit(label.ankleB(), person, R_ANKLE, threshold);
            hits += Math.max(straight, crossed);
        }
        return (double) hits / points;
    }

    private static int hit(float[] labelled, Person person, int k, double threshold) {
        if (person.confidence(k) <= 0) {
            return 0;
        }
        return Math.hypot(person.x(k) - labelled[0], person.y(k) - labelled[1]) <= threshold ? 1 : 0;
    }

    /** The middle of Neck and MidHip, or the mean of the keypoints found when either is missing. */
    public static float[] torsoMiddle(Person person) {
        if (person.confidence(BodyModel.NECK) > 0 && person.confidence(BodyModel.MID_HIP) > 0) {
            return new float[] {(person.x(BodyModel.NECK) + person.x(BodyModel.MID_HIP)) / 2,
                    (person.y(BodyModel.NECK) + person.y(BodyModel.MID_HIP)) / 2};
        }
        float x = 0;
        float y = 0;
        int n = 0;
        for (int k = 0; k < person.keypointCount(); k++) {
            if (person.confidence(k) > 0) {
                x += person.x(k);
                y += person.y(k);
                n++;
            }
        }
        return n == 0 ? null : new float[] {x / n, y / n};
    }
}
