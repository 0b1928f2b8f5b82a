package dev.juggler.inference.clean;

import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPosePerson;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Cleans one pose track streamed in frame order: stable identities ({@link IdentityTracker}), outliers
 * rejected ({@link OutlierGate}), short gaps filled ({@link GapFiller}) and each keypoint smoothed
 * ({@link Butterworth} over each continuous run, or the causal {@link OneEuroFilter}). Feed it with
 * {@link #accept} and end with {@link #finish}; cleaned frames reach the consumer in frame order, a bounded
 * number of frames behind the input.
 *
 * <p>Memory is bounded by a window of frames, not by the track: frames are buffered until
 * {@link #lookahead()} frames after them are known (what the gap filler and the zero-phase filter need), then
 * cleaned a block at a time. A frame index that is skipped (a frame the source does not have: failed, damaged or
 * not yet analysed) is a hard break: every trajectory ends there, nothing is filled or smoothed across it, and
 * nothing is written for the missing frames. Identities may continue across a break shorter than the
 * keep-alive.
 *
 * <p>All 2D parts (body, face, hands) are filled and smoothed; identities, swaps and outliers use the body.
 * 3D parts and part candidates are not cleaned: 3D parts are copied from the person's own detection in that
 * frame (empty in a filled frame), part candidates are left out. A person whose body layout differs from the
 * track's (a mixed file) is passed through unchanged with {@code person_id -1}.
 *
 * <p>Not thread-safe: one cleaner per track, fed by one thread.
 */
public final class TrackCleaner {
    private static final int MIN_BLOCK = 512;
    private static final int PARTS = 4;

    private final CleanSettings settings;
    private final double fps;
    private final Consumer<CleanedFrame> out;
    private final Butterworth butterworth;
    private final int lookahead;
    private final int block;
    private final ArrayList<Slot> window = new ArrayList<>();
    private final Map<Integer, int[]> layouts = new HashMap<>();
    private final Map<Integer, OneEuroFilter[]> euro = new HashMap<>();
    private final SeriesScratch scratch = new SeriesScratch();
    private IdentityTracker tracker;
    private int bodyLength = -1;
    private int emitted;
    private long last = -1;
    private long frames;
    private long breaks;
    private long filled;

    private record Detection(int id, float[][] parts, OpenPosePerson source) {
    }

    private record Slot(long frame, Optional<String> version, List<Detection> people, List<OpenPosePerson> passThrough) {
    }

    /**
     * @param settings how to clean
     * @param fps the video's frame rate (speeds and filter frequencies are in seconds)
     * @param out receives the cleaned frames, in frame order
     * @throws dev.juggler.InvalidConfigException if the filter does not fit the frame rate (a cutoff at or above
     *     half the fps)
     */
    public TrackCleaner(CleanSettings settings, double fps, Consumer<CleanedFrame> out) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.out = Objects.requireNonNull(out, "out");
        if (!(fps > 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("fps = " + fps + ": must be a positive number");
        }
        this.fps = fps;
        this.butterworth = settings.smoothing() == CleanSettings.Smoothing.BUTTERWORTH
                ? Butterworth.lowPass(settings.order(), settings.cutoffHz(), fps) : null;
        this.lookahead = settings.maxGap() + 2 + (butterworth == null ? 0 : butterworth.settleLength());
        this.block = Math.max(MIN_BLOCK, 4 * lookahead);
    }

    /**
     * Checks that the settings fit a video of this frame rate (the Butterworth cutoff lies below half the fps), as
     * the constructor does, without making a cleaner.
     *
     * @throws dev.juggler.InvalidConfigException if they do not
     */
    public static void requireFits(CleanSettings settings, double fps) {
        if (settings.smoothing() == CleanSettings.Smoothing.BUTTERWORTH) {
            Butterworth.lowPass(settings.order(), settings.cutoffHz(), fps);
        }
    }

    /** How many frames after a frame must be known before it is cleaned. */
    public int lookahead() {
        return lookahead;
    }

    /**
     * Takes the next frame of the source track.
     *
     * @throws IllegalArgumentException if {@code frame} is not after the previous one
     */
    public void accept(long frame, OpenPoseDocument document) {
        Objects.requireNonNull(document, "document");
        if (frame <= last) {
            throw new IllegalArgumentException("frame " + frame + " comes after frame " + last + ": frames must increase");
        }
        if (last >= 0 && frame != last + 1) {
            flush();
            breaks++;
        }
        last = frame;
        List<Detection> people = new ArrayList<>();
        List<OpenPosePerson> passThrough = new ArrayList<>();
        List<float[]> bodies = new ArrayList<>();
        List<OpenPosePerson> tracked = new ArrayList<>();
        for (OpenPosePerson person : document.people()) {
            float[] body = person.pose2d();
            if (bodyLength < 0 && body.length > 0) {
                bodyLength = body.length;
                tracker = new IdentityTracker(Skeleton.of(body.length / 3), settings, fps);
            }
            if (body.length != bodyLength) {
                passThrough.add(new OpenPosePerson(-1, body, person.face2d(), person.handLeft2d(), person.handRight2d(),
                        person.pose3d(), person.face3d(), person.handLeft3d(), person.handRight3d()));
                continue;
            }
            bodies.add(body);
            tracked.add(person);
        }
        if (!bodies.isEmpty()) {
            int[] ids = tracker.assign(frame, bodies);
            for (int i = 0; i < ids.length; i++) {
                OpenPosePerson person = tracked.get(i);
                float[][] parts = {bodies.get(i), person.face2d(), person.handLeft2d(), person.handRight2d()};
                int[] layout = layouts.computeIfAbsent(ids[i], id -> new int[] {parts[0].length / 3, parts[1].length / 3,
                    parts[2].length / 3, parts[3].length / 3});
                for (int p = 1; p < PARTS; p++) {
                    if (layout[p] == 0 && parts[p].length > 0) {
                        layout[p] = parts[p].length / 3; // a part first seen later (hands found after a while)
                    }
                }
                people.add(new Detection(ids[i], parts, person));
            }
        }
        window.add(new Slot(frame, document.version(), people, passThrough));
        frames++;
        if (window.size() - emitted >= block + lookahead) {
            process(false);
        }
    }

    /** Cleans and delivers every frame still buffered; the cleaner may go on with later frames afterwards. */
    public void finish() {
        flush();
    }

    /** What the cleaner has done so far. */
    public CleanStats stats() {
        return new CleanStats(frames, breaks, tracker == null ? 0 : tracker.identities(), tracker == null ? 0 : tracker.swaps(),
                tracker == null ? 0 : tracker.rejected() + tracker.mixedUp(), filled);
    }

    private void flush() {
        if (emitted < window.size()) {
            process(true);
        }
        window.clear();
        emitted = 0;
        euro.clear();
    }

    private void process(boolean all) {
        int size = window.size();
        int emitTo = all ? size : emitted + block;
        List<Map<Integer, float[][]>> cleaned = new ArrayList<>(emitTo - emitted);
        List<Map<Integer, BitSet>> marks = new ArrayList<>(emitTo - emitted);
        for (int t = emitted; t < emitTo; t++) {
            cleaned.add(new TreeMap<>());
            marks.add(new HashMap<>());
        }
        // Each identity's detection per frame of the window, found once for all its points.
        Map<Integer, Detection[]> byId = new HashMap<>();
        for (int t = 0; t < size; t++) {
            for (Detection d : window.get(t).people) {
                byId.computeIfAbsent(d.id, id -> new Detection[size])[t] = d;
            }
        }
        byId.forEach((id, at) -> cleanIdentity(id, layouts.get(id), at, emitTo, cleaned, marks));
        for (int t = emitted; t < emitTo; t++) {
            Slot slot = window.get(t);
            Map<Integer, float[][]> people = cleaned.get(t - emitted);
            List<OpenPosePerson> persons = new ArrayList<>(people.size() + slot.passThrough.size());
            List<BitSet> filledMarks = new ArrayList<>();
            for (Map.Entry<Integer, float[][]> e : people.entrySet()) {
                float[][] parts = e.getValue();
                Detection own = byId.get(e.getKey())[t];
                OpenPosePerson source = own == null ? null : own.source;
                persons.add(new OpenPosePerson(e.getKey(), parts[0], parts[1], parts[2], parts[3],
                        source == null ? null : source.pose3d(), source == null ? null : source.face3d(),
                        source == null ? null : source.handLeft3d(), source == null ? null : source.handRight3d()));
                filledMarks.add(marks.get(t - emitted).getOrDefault(e.getKey(), new BitSet()));
            }
            for (OpenPosePerson p : slot.passThrough) {
                persons.add(p);
                filledMarks.add(new BitSet());
            }
            out.accept(new CleanedFrame(slot.frame, new OpenPoseDocument(slot.version, persons, Optional.empty()), filledMarks));
        }
        if (all) {
            emitted = size;
            return;
        }
        int drop = Math.max(0, emitTo - lookahead);
        window.subList(0, drop).clear();
        emitted = emitTo - drop;
        forgetAbsent();
    }

    // Identities no longer in the window need no layout or filter state: a long track meets ever new people, and
    // what is kept per identity must not grow with it. One that comes back gets both anew.
    private void forgetAbsent() {
        java.util.Set<Integer> present = new java.util.HashSet<>();
        for (Slot slot : window) {
            for (Detection d : slot.people) {
                present.add(d.id);
            }
        }
        layouts.keySet().retainAll(present);
        euro.keySet().retainAll(present);
    }

    // Cleans one identity over the whole window and writes the frames [emitted, emitTo) into `cleaned`.
    private void cleanIdentity(int id, int[] layout, Detection[] at, int emitTo, List<Map<Integer, float[][]>> cleaned,
            List<Map<Integer, BitSet>> marks) {
        int size = at.length;
        int points = layout[0] + layout[1] + layout[2] + layout[3];
        scratch.ensure(size);
        OneEuroFilter[] filters = settings.smoothing() == CleanSettings.Smoothing.ONE_EURO
                ? euro.computeIfAbsent(id, k -> new OneEuroFilter[2 * points]) : null;
        if (filters != null && filters.length < 2 * points) {
            filters = java.util.Arrays.copyOf(filters, 2 * points);
            euro.put(id, filters);
        }
        double scale = filters == null ? 1 : bodyHeight(at);
        int point = 0;
        for (int part = 0; part < PARTS; part++) {
            for (int k = 0; k < layout[part]; k++, point++) {
                if (!load(at, part, layout[part], k)) {
                    continue;
                }
                int n = GapFiller.fill(scratch.x, scratch.y, scratch.c, scratch.filled, 0, size, settings.maxGap());
                filled += countIn(scratch.filled, emitted, emitTo);
                if (n > 0 || butterworth != null || filters != null) {
                    smooth(size, emitTo, filters, point, scale);
                }
                store(id, layout, part, k, point, emitTo, cleaned, marks);
            }
        }
    }

    // The identity's mean body height in the window: One Euro's speeds are in body heights per second, so that
    // its beta means the same for a child far away and an adult close by.
    private double bodyHeight(Detection[] at) {
        double sum = 0;
        int n = 0;
        for (Detection d : at) {
            double h = d == null ? 0 : Skeleton.boxHeight(d.parts[0], settings.minConfidence());
            if (h > 0) {
                sum += h;
                n++;
            }
        }
        return n == 0 ? 1 : sum / n;
    }

    // Loads one point's series over the window; false if it is never present.
    private boolean load(Detection[] at, int part, int partPoints, int k) {
        boolean any = false;
        double min = settings.minConfidence();
        for (int t = 0; t < at.length; t++) {
            scratch.x[t] = 0;
            scratch.y[t] = 0;
            scratch.c[t] = 0;
            scratch.filled[t] = false;
            float[] values = at[t] == null ? null : at[t].parts[part];
            if (values != null && values.length == 3 * partPoints && values[3 * k + 2] > 0 && values[3 * k + 2] >= min) {
                scratch.x[t] = values[3 * k];
                scratch.y[t] = values[3 * k + 1];
                scratch.c[t] = values[3 * k + 2];
                any = true;
            }
        }
        return any;
    }

    // One Euro runs over the frames about to be delivered only, so that its state moves forward once per frame.
    private void smooth(int size, int emitTo, OneEuroFilter[] filters, int point, double scale) {
        if (filters != null) {
            for (int t = emitted; t < emitTo; t++) {
                if (scratch.c[t] <= 0) {
                    filters[2 * point] = null;
                    filters[2 * point + 1] = null;
                    continue;
                }
                if (filters[2 * point] == null) {
                    filters[2 * point] = OneEuroFilter.of(settings.minCutoffHz(), settings.beta(), 1.0);
                    filters[2 * point + 1] = OneEuroFilter.of(settings.minCutoffHz(), settings.beta(), 1.0);
                }
                double weight = settings.weighByConfidence() ? scratch.c[t] : 1.0;
                double seconds = window.get(t).frame / fps;
                scratch.x[t] = scale * filters[2 * point].filter(scratch.x[t] / scale, seconds, weight);
                scratch.y[t] = scale * filters[2 * point + 1].filter(scratch.y[t] / scale, seconds, weight);
            }
            return;
        }
        if (butterworth == null) {
            return;
        }
        int t = 0;
        while (t < size) {
            while (t < size && scratch.c[t] <= 0) {
                t++;
            }
            int start = t;
            while (t < size && scratch.c[t] > 0) {
                t++;
            }
            if (t - start >= 2) {
                if (settings.weighByConfidence()) {
                    butterworth.filtfiltWeighted(scratch.x, scratch.c, start, t);
                    butterworth.filtfiltWeighted(scratch.y, scratch.c, start, t);
                } else {
                    butterworth.filtfilt(scratch.x, start, t);
                    butterworth.filtfilt(scratch.y, start, t);
                }
            }
        }
    }

    private void store(int id, int[] layout, int part, int k, int point, int emitTo, List<Map<Integer, float[][]>> cleaned,
            List<Map<Integer, BitSet>> marks) {
        for (int t = emitted; t < emitTo; t++) {
            if (scratch.c[t] <= 0) {
                continue;
            }
            float[][] parts = cleaned.get(t - emitted).computeIfAbsent(id, i -> new float[][] {new float[3 * layout[0]],
                new float[3 * layout[1]], new float[3 * layout[2]], new float[3 * layout[3]]});
            parts[part][3 * k] = (float) scratch.x[t];
            parts[part][3 * k + 1] = (float) scratch.y[t];
            parts[part][3 * k + 2] = (float) scratch.c[t];
            if (scratch.filled[t]) {
                marks.get(t - emitted).computeIfAbsent(id, i -> new BitSet()).set(point);
            }
        }
    }

    private static int countIn(boolean[] flags, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (flags[i]) {
                n++;
            }
        }
        return n;
    }

    /** Reused per-series buffers. */
    private static final class SeriesScratch {
        double[] x = new double[0];
        double[] y = new double[0];
        double[] c = new double[0];
        boolean[] filled = new boolean[0];

        void ensure(int size) {
            if (x.length < size) {
                x = new double[size];
                y = new double[size];
                c = new double[size];
                filled = new boolean[size];
            }
        }
    }
}
