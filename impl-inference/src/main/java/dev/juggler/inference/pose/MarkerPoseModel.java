package dev.juggler.inference.pose;

import dev.juggler.InvalidConfigException;
import dev.juggler.accel.Accelerator;
import dev.juggler.inference.internal.Markers;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.PixelFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A real, download-free pose "model" for demos and tests: finds the 7 coloured joint markers that
 * {@link dev.juggler.inference.video.SyntheticVideo} draws and reports them as one BODY_25 person.
 *
 * <p>Each pixel is classified by colour (a lookup table over hue, saturation and value, tolerant to
 * lossy encoding); per colour the largest 8-connected blob wins, and its centroid is the keypoint.
 * Confidence is the blob's area relative to a full marker disc, capped at 1. Keypoints without a
 * marker are {@code 0, 0, 0}. With fewer than {@link Builder#minMarkers(int) minMarkers} markers found
 * (default {@value #DEFAULT_MIN_MARKERS}) the frame has no person.
 *
 * <p>Runs on the calling thread; thread-safe (no shared mutable state), so {@link #infer} may be called
 * from several threads at once. Holds no native memory; {@link #close()} only refuses later calls.
 * Several thousand frames per second at 320x240 on one core.
 */
public final class MarkerPoseModel implements Accelerator<Frame, PoseFrame> {

    /** The accelerator name. */
    public static final String NAME = "cpu-marker-pose";
    /** Default largest batch. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 8;
    /** Default fewest markers that make a person. */
    public static final int DEFAULT_MIN_MARKERS = 3;

    private static final int[] NEIGHBOURS_DX = {-1, 0, 1, -1, 1, -1, 0, 1};
    private static final int[] NEIGHBOURS_DY = {-1, -1, -1, 0, 0, 1, 1, 1};

    private final int maxBatchSize;
    private final int minMarkers;
    private final int markerRadius;
    private volatile boolean closed;

    private MarkerPoseModel(Builder b) {
        this.maxBatchSize = b.maxBatchSize;
        this.minMarkers = b.minMarkers;
        this.markerRadius = b.markerRadius;
    }

    /** A model with the default settings. */
    public static MarkerPoseModel create() {
        return builder().build();
    }

    /** A builder for non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    @Override
    public List<PoseFrame> infer(List<Frame> batch) {
        Objects.requireNonNull(batch, "batch");
        if (closed) {
            throw new IllegalStateException(NAME + " is closed");
        }
        if (batch.size() > maxBatchSize) {
            throw new IllegalArgumentException("batch of " + batch.size() + " frames exceeds maxBatchSize " + maxBatchSize);
        }
        List<PoseFrame> out = new ArrayList<>(batch.size());
        Scratch scratch = new Scratch();
        for (Frame f : batch) {
            out.add(analyse(Objects.requireNonNull(f, "frame"), scratch));
        }
        return out;
    }

    // Marks each pixel with its marker colour (0 = none); true if any pixel has one.
    private static boolean labelBgr(Frame frame, byte[] labels) {
        int w = frame.width();
        int stride = frame.stride();
        byte[] px = frame.pixels();
        boolean any = false;
        for (int y = 0; y < frame.height(); y++) {
            int o = y * stride;
            int l = y * w;
            for (int x = 0; x < w; x++, o += 3, l++) {
                int c = Markers.classify(px[o] & 0xFF, px[o + 1] & 0xFF, px[o + 2] & 0xFF);
                labels[l] = (byte) c;
                any |= c != 0;
            }
        }
        return any;
    }

    private static boolean labelI420(Frame frame, byte[] labels) {
        int w = frame.width();
        int h = frame.height();
        int cw = PixelFormat.chromaWidth(w);
        int uPlane = PixelFormat.uOffset(w, h);
        int vPlane = PixelFormat.vOffset(w, h);
        byte[] px = frame.pixels();
        boolean any = false;
        for (int y = 0; y < h; y++) {
            int crow = (y >> 1) * cw;
            for (int x = 0, l = y * w; x < w; x++, l++) {
                int chroma = crow + (x >> 1);
                int rgb = PixelFormat.yuvToRgb(px[l] & 0xFF, px[uPlane + chroma] & 0xFF, px[vPlane + chroma] & 0xFF);
                int c = Markers.classify(rgb & 0xFF, (rgb >> 8) & 0xFF, rgb >> 16);
                labels[l] = (byte) c;
                any |= c != 0;
            }
        }
        return any;
    }

    /** Analyses one frame (the same as a batch of one). */
    public PoseFrame analyse(Frame frame) {
        return infer(List.of(frame)).get(0);
    }

    private PoseFrame analyse(Frame frame, Scratch s) {
        int w = frame.width();
        int h = frame.height();
        byte[] labels = s.labels(w * h);
        if (!(frame.format() == PixelFormat.I420 ? labelI420(frame, labels) : labelBgr(frame, labels))) {
            return PoseFrame.EMPTY;
        }

        int r = markerRadius > 0 ? markerRadius : Markers.radius(w, h);
        double fullArea = Math.PI * r * r;
        int minPixels = Math.max(4, (int) Math.round(0.2 * fullArea));
        long[] bestCount = new long[Markers.COUNT];
        double[] bestX = new double[Markers.COUNT];
        double[] bestY = new double[Markers.COUNT];
        for (int i = 0; i < w * h; i++) {
            int c = labels[i];
            if (c == 0) {
                continue;
            }
            // Flood fill one blob; clearing labels marks pixels visited.
            labels[i] = 0;
            int[] stack = s.stack;
            int top = 0;
            stack[top++] = i;
            long count = 0;
            long sx = 0;
            long sy = 0;
            while (top > 0) {
                int p = stack[--top];
                int py = p / w;
                int pxl = p - py * w;
                count++;
                sx += pxl;
                sy += py;
                for (int n = 0; n < 8; n++) {
                    int nx = pxl + NEIGHBOURS_DX[n];
                    int ny = py + NEIGHBOURS_DY[n];
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) {
                        continue;
                    }
                    int q = ny * w + nx;
                    if (labels[q] == c) {
                        labels[q] = 0;
                        if (top == stack.length) {
                            stack = s.stack = Arrays.copyOf(stack, stack.length * 2);
                        }
                        stack[top++] = q;
                    }
                }
            }
            int k = c - 1;
            if (count > bestCount[k]) {
                bestCount[k] = count;
                bestX[k] = (double) sx / count;
                bestY[k] = (double) sy / count;
            }
        }

        float[] pose = new float[BodyModel.BODY_25.arrayLength2d()];
        int found = 0;
        for (int k = 0; k < Markers.COUNT; k++) {
            if (bestCount[k] < minPixels) {
                continue;
            }
            int j = Markers.joint(k);
            pose[3 * j] = (float) bestX[k];
            pose[3 * j + 1] = (float) bestY[k];
            pose[3 * j + 2] = (float) Math.min(1.0, bestCount[k] / fullArea);
            found++;
        }
        return found < minMarkers ? PoseFrame.EMPTY : PoseFrame.of(Person.of(pose));
    }

    /** Refuses later calls; idempotent. There is nothing native to free. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return NAME + "[maxBatchSize=" + maxBatchSize + ", minMarkers=" + minMarkers
                + ", markerRadius=" + (markerRadius > 0 ? markerRadius : "auto") + "]";
    }

    // Per-call buffers: reused across the frames of a batch, never shared between threads.
    private static final class Scratch {
        private byte[] labels = new byte[0];
        private int[] stack = new int[1024];

        byte[] labels(int n) {
            if (labels.length < n) {
                labels = new byte[n];
            }
            return labels;
        }
    }

    /** Settings for a {@link MarkerPoseModel}. Not thread-safe; the model it builds is. */
    public static final class Builder {
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private int minMarkers = DEFAULT_MIN_MARKERS;
        private int markerRadius;

        private Builder() {
        }

        /** The largest batch {@link MarkerPoseModel#infer} accepts, >= 1. Default {@value MarkerPoseModel#DEFAULT_MAX_BATCH_SIZE}. */
        public Builder maxBatchSize(int maxBatchSize) {
            if (maxBatchSize < 1) {
                throw InvalidConfigException.of("maxBatchSize", maxBatchSize, "must be >= 1");
            }
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /** Fewest markers (1..7) that make a person. Default {@value MarkerPoseModel#DEFAULT_MIN_MARKERS}. */
        public Builder minMarkers(int minMarkers) {
            if (minMarkers < 1 || minMarkers > Markers.COUNT) {
                throw InvalidConfigException.of("minMarkers", minMarkers, "must be between 1 and " + Markers.COUNT);
            }
            this.minMarkers = minMarkers;
            return this;
        }

        /**
         * The radius in pixels of a full marker disc, used for confidence and the smallest blob that
         * counts (a fifth of a disc). 0 (default) uses the synthetic video's radius for the frame size.
         */
        public Builder markerRadius(int markerRadius) {
            if (markerRadius < 0 || markerRadius > 1000) {
                throw InvalidConfigException.of("markerRadius", markerRadius, "must be 0 (automatic) or 1..1000 pixels");
            }
            this.markerRadius = markerRadius;
            return this;
        }

        /** The model. */
        public MarkerPoseModel build() {
            return new MarkerPoseModel(this);
        }
    }
}
