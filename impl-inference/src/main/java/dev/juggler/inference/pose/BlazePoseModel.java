package dev.juggler.inference.pose;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.inference.internal.NativeUseGuard;
import dev.juggler.inference.internal.TfLiteNatives;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;

/**
 * Real pose estimation with MediaPipe's BlazePose landmark model on TFLite (XNNPACK on), reported as
 * OpenPose BODY_25 in source-pixel coordinates.
 *
 * <p>{@link #preprocess(Frame)} letterboxes the whole frame into the model's 256x256 RGB input (aspect
 * kept, bilinear, black bars, values in {@code [0, 1]}); {@link #infer} runs the model and maps its 33
 * landmarks to BODY_25: Neck is the middle of the shoulders and MidHip the middle of the hips (each with
 * the lower confidence of its two ends), BlazePose's foot index becomes the big toe, and the keypoints
 * BlazePose lacks (the small toes) are {@code 0, 0, 0}, as is any landmark that falls outside the frame.
 * A keypoint's confidence is the lower of the model's visibility and presence (both sigmoid-activated).
 * The landmark model sees one person per crop; when its pose score is below {@link Builder#minPoseScore}
 * the crop has nobody. There is no person detector in front of it (MediaPipe's graph has one), so by
 * default the whole frame is one crop and at most one person is reported; {@link Builder#tiles} runs it on
 * a grid of overlapping crops to find several or small people, merging duplicates from the overlaps.
 *
 * <p>Thread-safe: {@link #infer} may be called from several threads; each call borrows one of
 * {@link Builder#interpreters(int)} TFLite interpreters (which are not thread-safe themselves) and waits
 * when all are busy. Input buffers are recycled: a buffer {@link #preprocess} fills goes back to a pool
 * after {@link #infer} consumed it, so steady-state runs allocate no pixel memory per frame. Holds native
 * memory: {@link #close()} it (idempotent; waits for running batches).
 *
 * <pre>{@code
 * Path file = PoseModels.system().locate(PoseModels.Variant.LITE, null);
 * try (BlazePoseModel model = BlazePoseModel.builder(file).build()) {
 *     PoseFrame pose = model.infer(List.of(model.preprocess(frame))).get(0);
 * }
 * }</pre>
 */
public final class BlazePoseModel implements Accelerator<BlazePoseModel.Input, PoseFrame> {

    /** Width and height of the model input in pixels. */
    public static final int INPUT_SIZE = 256;
    /** Default pose score below which a frame has nobody. */
    public static final float DEFAULT_MIN_POSE_SCORE = 0.5f;
    /** Default largest batch (the model runs one frame at a time; a batch is a loop). */
    public static final int DEFAULT_MAX_BATCH_SIZE = 4;
    /** Default fraction of a crop shared with its neighbour when tiling. */
    public static final float DEFAULT_TILE_OVERLAP = 0.25f;
    /** Number of landmarks BlazePose reports. */
    public static final int LANDMARKS = 33;

    private static final int INPUT_FLOATS = INPUT_SIZE * INPUT_SIZE * 3;
    private static final int VALUES_PER_LANDMARK = 5;
    /** The landmark output also carries 6 auxiliary points (for tracking the region of interest): 39 in all. */
    private static final int RAW_LANDMARKS = 39;
    /** How many spare input buffers are kept for reuse; more than any sane pipeline has in flight. */
    private static final int BUFFER_POOL = 128;

    /**
     * BODY_25 keypoint → BlazePose landmark; {@code -1} when BlazePose has no such point, {@code -2} for
     * the two midpoints (Neck, MidHip) computed from pairs.
     */
    private static final int[] BODY25_FROM_BLAZE = {
        0,   // 0 Nose
        -2,  // 1 Neck = mid(11 left shoulder, 12 right shoulder)
        12,  // 2 RShoulder
        14,  // 3 RElbow
        16,  // 4 RWrist
        11,  // 5 LShoulder
        13,  // 6 LElbow
        15,  // 7 LWrist
        -2,  // 8 MidHip = mid(23 left hip, 24 right hip)
        24,  // 9 RHip
        26,  // 10 RKnee
        28,  // 11 RAnkle
        23,  // 12 LHip
        25,  // 13 LKnee
        27,  // 14 LAnkle
        5,   // 15 REye
        2,   // 16 LEye
        8,   // 17 REar
        7,   // 18 LEar
        31,  // 19 LBigToe = left foot index
        -1,  // 20 LSmallToe: not in BlazePose
        29,  // 21 LHeel
        32,  // 22 RBigToe = right foot index
        -1,  // 23 RSmallToe: not in BlazePose
        30,  // 24 RHeel
    };

    private final String name;
    private final int maxBatchSize;
    private final float minPoseScore;
    private final int tileColumns;
    private final int tileRows;
    private final float tileOverlap;
    private final BlockingQueue<Slot> slots;
    private final List<Slot> allSlots;
    private final BlockingQueue<ByteBuffer> freeBuffers = new ArrayBlockingQueue<>(BUFFER_POOL);
    private volatile Layout layout; // of the last frame size seen; frames of one video share it
    // Batches and close(): interpreters/predictors are freed only once no batch can still use them.
    private final NativeUseGuard guard = new NativeUseGuard();

    /**
     * One frame's model input: one letterboxed crop per tile and how to map model coordinates back to the
     * frame. Made by {@link #preprocess}, consumed once by {@link #infer}. Not thread-safe (handed between
     * threads through the pipeline's queues, owned by one at a time).
     */
    public static final class Input {
        private final ByteBuffer[] pixels;
        private final Crop[] crops;
        private final int width;
        private final int height;
        private boolean consumed;

        private Input(ByteBuffer[] pixels, Crop[] crops, int width, int height) {
            this.pixels = pixels;
            this.crops = crops;
            this.width = width;
            this.height = height;
        }

        /** Width of the source frame in pixels. */
        public int width() {
            return width;
        }

        /** Height of the source frame in pixels. */
        public int height() {
            return height;
        }
    }

    /** A crop of the frame and its letterbox into the model input: {@code model = (source - origin) * scale + pad}. */
    record Crop(int x, int y, int width, int height, float scale, float padX, float padY) {
        static Crop of(int x, int y, int width, int height) {
            float scale = Math.min((float) INPUT_SIZE / width, (float) INPUT_SIZE / height);
            return new Crop(x, y, width, height, scale, (INPUT_SIZE - width * scale) / 2f,
                    (INPUT_SIZE - height * scale) / 2f);
        }
    }

    /** One interpreter with its reusable output arrays. */
    private static final class Slot {
        final Interpreter interpreter;
        final int landmarksOutput;
        final int scoreOutput;
        final float[][] landmarks = new float[1][RAW_LANDMARKS * VALUES_PER_LANDMARK];
        final float[][] score = new float[1][1];
        final Map<Integer, Object> outputs = new HashMap<>();
        final Object[] inputs = new Object[1];

        Slot(Interpreter interpreter, int landmarksOutput, int scoreOutput) {
            this.interpreter = interpreter;
            this.landmarksOutput = landmarksOutput;
            this.scoreOutput = scoreOutput;
            outputs.put(landmarksOutput, landmarks);
            outputs.put(scoreOutput, score);
        }
    }

    private BlazePoseModel(Builder b) {
        TfLiteNatives.load();
        this.name = b.name;
        this.maxBatchSize = b.maxBatchSize;
        this.minPoseScore = b.minPoseScore;
        this.tileColumns = b.tileColumns;
        this.tileRows = b.tileRows;
        this.tileOverlap = b.tileOverlap;
        this.slots = new ArrayBlockingQueue<>(b.interpreters);
        this.allSlots = new ArrayList<>(b.interpreters);
        try {
            for (int i = 0; i < b.interpreters; i++) {
                Slot slot = open(b.modelFile, b.threadsPerInterpreter);
                allSlots.add(slot);
                slots.add(slot);
            }
        } catch (RuntimeException e) {
            allSlots.forEach(s -> s.interpreter.close());
            throw e;
        }
    }

    private static Slot open(Path modelFile, int threads) {
        Interpreter interpreter;
        try {
            Interpreter.Options options = new Interpreter.Options().setUseXNNPACK(true).setNumThreads(threads);
            interpreter = new Interpreter(modelFile.toFile(), options);
        } catch (RuntimeException e) {
            throw new JugglerException("cannot load the TFLite model " + modelFile + ": " + e.getMessage(), false, e);
        }
        try {
            Tensor in = interpreter.getInputTensor(0);
            if (!Arrays.equals(in.shape(), new int[] {1, INPUT_SIZE, INPUT_SIZE, 3})) {
                throw new JugglerException("model " + modelFile + " takes input " + Arrays.toString(in.shape())
                        + ", not the BlazePose landmark input [1, 256, 256, 3]");
            }
            // Find the outputs by shape, not name: the names differ between the lite, full and heavy exports.
            int landmarks = -1;
            int score = -1;
            for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
                int[] shape = interpreter.getOutputTensor(i).shape();
                if (landmarks < 0 && Arrays.equals(shape, new int[] {1, RAW_LANDMARKS * VALUES_PER_LANDMARK})) {
                    landmarks = i;
                } else if (score < 0 && Arrays.equals(shape, new int[] {1, 1})) {
                    score = i;
                }
            }
            if (landmarks < 0 || score < 0) {
                throw new JugglerException("model " + modelFile + " lacks the BlazePose outputs [1, 195] (landmarks) "
                        + "and [1, 1] (pose score)");
            }
            return new Slot(interpreter, landmarks, score);
        } catch (RuntimeException e) {
            interpreter.close();
            throw e;
        }
    }

    /** A builder for the model in {@code modelFile} (see {@link PoseModels} to find it). */
    public static Builder builder(Path modelFile) {
        return new Builder(modelFile);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /**
     * Letterboxes a frame ({@link PixelFormat#BGR24} or {@link PixelFormat#I420}) into a model input.
     * Thread-safe; the frame's pixels are read, not kept.
     */
    public Input preprocess(Frame frame) {
        int w = frame.width();
        int h = frame.height();
        Layout layout = this.layout;
        if (layout == null || layout.width != w || layout.height != h) {
            layout = new Layout(w, h, crops(w, h, tileColumns, tileRows, tileOverlap));
            this.layout = layout; // a benign race: threads that lose it build an equal layout
        }
        ByteBuffer[] buffers = new ByteBuffer[layout.crops.length];
        float[] row = new float[INPUT_SIZE * 3];
        for (int i = 0; i < layout.crops.length; i++) {
            ByteBuffer buffer = freeBuffers.poll();
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(INPUT_FLOATS * Float.BYTES).order(ByteOrder.nativeOrder());
            }
            buffer.clear();
            letterbox(frame, layout.columns[i], layout.rows[i], row, buffer.asFloatBuffer());
            buffers[i] = buffer;
        }
        return new Input(buffers, layout.crops, w, h);
    }

    /** The crops of one frame size and where each of their input pixels samples the frame; immutable. */
    private static final class Layout {
        final int width;
        final int height;
        final Crop[] crops;
        final Axis[] columns;
        final Axis[] rows;

        Layout(int width, int height, Crop[] crops) {
            this.width = width;
            this.height = height;
            this.crops = crops;
            this.columns = new Axis[crops.length];
            this.rows = new Axis[crops.length];
            for (int i = 0; i < crops.length; i++) {
                Crop c = crops[i];
                columns[i] = new Axis(c.x(), c.width(), c.scale(), c.padX(), width);
                rows[i] = new Axis(c.y(), c.height(), c.scale(), c.padY(), height);
            }
        }
    }

    /**
     * Where each of the model's input columns (or rows) samples the frame along one axis: the two
     * neighbouring pixels (absolute indices) and the weight of the second, for bilinear resampling, in
     * full resolution and in half resolution (I420 chroma, whose samples sit between pairs of pixels).
     * Immutable after construction.
     */
    static final class Axis {
        final boolean[] inside = new boolean[INPUT_SIZE];
        final int[] lo = new int[INPUT_SIZE];
        final int[] hi = new int[INPUT_SIZE];
        final float[] frac = new float[INPUT_SIZE];
        final int[] chromaLo = new int[INPUT_SIZE];
        final int[] chromaHi = new int[INPUT_SIZE];
        final float[] chromaFrac = new float[INPUT_SIZE];

        Axis(int origin, int length, float scale, float pad, int frameLength) {
            int chromaLength = (frameLength + 1) / 2; // chroma samples along this axis, width or height alike
            for (int o = 0; o < INPUT_SIZE; o++) {
                float s = (o + 0.5f - pad) / scale - 0.5f;
                inside[o] = s > -0.5f && s < length - 0.5f;
                float c = Math.max(0f, Math.min(length - 1f, s));
                int i = (int) c;
                lo[o] = origin + i;
                hi[o] = origin + Math.min(i + 1, length - 1);
                frac[o] = c - i;
                // Chroma taken as centred between its two pixels (MPEG-2/H.264 sit it left; a quarter of a
                // chroma sample, invisible after resampling to 256 pixels).
                float cc = Math.max(0f, Math.min(chromaLength - 1f, (origin + c + 0.5f) / 2f - 0.5f));
                int ci = (int) cc;
                chromaLo[o] = ci;
                chromaHi[o] = Math.min(ci + 1, chromaLength - 1);
                chromaFrac[o] = cc - ci;
            }
        }
    }

    /** The whole frame when 1x1; otherwise a grid of equal crops that overlap by {@code overlap} of their size. */
    static Crop[] crops(int w, int h, int columns, int rows, float overlap) {
        if (columns == 1 && rows == 1) {
            return new Crop[] {Crop.of(0, 0, w, h)};
        }
        int cw = Math.max(1, Math.round(w / (columns - (columns - 1) * overlap)));
        int ch = Math.max(1, Math.round(h / (rows - (rows - 1) * overlap)));
        Crop[] crops = new Crop[columns * rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                int x = columns == 1 ? 0 : Math.round(c * (w - cw) / (float) (columns - 1));
                int y = rows == 1 ? 0 : Math.round(r * (h - ch) / (float) (rows - 1));
                crops[r * columns + c] = Crop.of(x, y, Math.min(cw, w - x), Math.min(ch, h - y));
            }
        }
        return crops;
    }

    /** Bilinear resampling of one crop of the frame into RGB floats in [0, 1], black outside the picture. */
    static void letterbox(Frame frame, Crop crop, FloatBuffer out) {
        float[] row = new float[INPUT_SIZE * 3];
        letterbox(frame, new Axis(crop.x(), crop.width(), crop.scale(), crop.padX(), frame.width()),
                new Axis(crop.y(), crop.height(), crop.scale(), crop.padY(), frame.height()), row, out);
    }

    private static void letterbox(Frame frame, Axis xs, Axis ys, float[] row, FloatBuffer out) {
        for (int oy = 0; oy < INPUT_SIZE; oy++) {
            Arrays.fill(row, 0f); // black wherever the picture does not reach: bars and margins
            if (ys.inside[oy] && frame.format() == PixelFormat.I420) {
                i420Row(frame, xs, ys, oy, row);
            } else if (ys.inside[oy]) {
                bgrRow(frame, xs, ys, oy, row);
            }
            out.put(row);
        }
    }

    private static void bgrRow(Frame frame, Axis xs, Axis ys, int oy, float[] row) {
        final float norm = 1f / 255f;
        byte[] bgr = frame.pixels();
        int r0 = ys.lo[oy] * frame.stride();
        int r1 = ys.hi[oy] * frame.stride();
        float fy = ys.frac[oy];
        for (int ox = 0; ox < INPUT_SIZE; ox++) {
            if (!xs.inside[ox]) {
                continue;
            }
            int o = 3 * ox;
            int a = 3 * xs.lo[ox];
            int b = 3 * xs.hi[ox];
            float wx = xs.frac[ox];
            for (int ch = 0; ch < 3; ch++) {
                // BGR in, RGB out: channel ch of the output is byte (2 - ch) of the pixel.
                row[o + ch] = bilinear(bgr, r0 + 2 - ch, r1 + 2 - ch, a, b, wx, fy) * norm;
            }
        }
    }

    // Resamples Y, U and V separately and converts once per model pixel (BT.601 limited range): the frame's
    // other pixels are never converted, which is why I420 frames make decoding cheap.
    private static void i420Row(Frame frame, Axis xs, Axis ys, int oy, float[] row) {
        final float norm = 1f / 255f;
        byte[] yuv = frame.pixels();
        int w = frame.width();
        int cw = PixelFormat.chromaWidth(w);
        int uPlane = PixelFormat.uOffset(w, frame.height());
        int vPlane = PixelFormat.vOffset(w, frame.height());
        int r0 = ys.lo[oy] * w;
        int r1 = ys.hi[oy] * w;
        float fy = ys.frac[oy];
        int c0 = ys.chromaLo[oy] * cw;
        int c1 = ys.chromaHi[oy] * cw;
        float cfy = ys.chromaFrac[oy];
        for (int ox = 0; ox < INPUT_SIZE; ox++) {
            if (!xs.inside[ox]) {
                continue;
            }
            int o = 3 * ox;
            float luma = bilinear(yuv, r0, r1, xs.lo[ox], xs.hi[ox], xs.frac[ox], fy) - 16f;
            int a = xs.chromaLo[ox];
            int b = xs.chromaHi[ox];
            float cfx = xs.chromaFrac[ox];
            float u = bilinear(yuv, uPlane + c0, uPlane + c1, a, b, cfx, cfy) - 128f;
            float v = bilinear(yuv, vPlane + c0, vPlane + c1, a, b, cfx, cfy) - 128f;
            float y = 1.164383f * luma;
            row[o] = unit((y + 1.596027f * v) * norm);
            row[o + 1] = unit((y - 0.391762f * u - 0.812968f * v) * norm);
            row[o + 2] = unit((y + 2.017232f * u) * norm);
        }
    }

    private static float bilinear(byte[] plane, int row0, int row1, int a, int b, float fx, float fy) {
        float top = (plane[row0 + a] & 0xff) * (1 - fx) + (plane[row0 + b] & 0xff) * fx;
        float bottom = (plane[row1 + a] & 0xff) * (1 - fx) + (plane[row1 + b] & 0xff) * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static float unit(float value) {
        return value < 0f ? 0f : Math.min(value, 1f);
    }

    @Override
    public List<PoseFrame> infer(List<Input> batch) {
        return guard.use(() -> inferOpen(batch));
    }

    private List<PoseFrame> inferOpen(List<Input> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.size() > maxBatchSize) {
            throw new IllegalArgumentException("batch of " + batch.size() + " exceeds maxBatchSize " + maxBatchSize);
        }
        Slot slot = borrow();
        try {
            List<PoseFrame> out = new ArrayList<>(batch.size());
            for (Input input : batch) {
                if (input.consumed) {
                    throw new IllegalArgumentException("this input was already consumed by an earlier infer call");
                }
                List<Scored> found = new ArrayList<>(input.crops.length);
                for (int t = 0; t < input.crops.length; t++) {
                    ByteBuffer pixels = input.pixels[t];
                    pixels.rewind();
                    slot.inputs[0] = pixels;
                    try {
                        slot.interpreter.runForMultipleInputsOutputs(slot.inputs, slot.outputs);
                    } catch (RuntimeException e) {
                        throw new JugglerException("TFLite inference failed on " + name + ": " + e.getMessage(), false, e);
                    }
                    float score = slot.score[0][0];
                    if (score >= minPoseScore) {
                        Person person = map(slot.landmarks[0], input.crops[t], input.width, input.height);
                        if (person != null) {
                            found.add(new Scored(person, score));
                        }
                    }
                }
                // Only a fully processed input gives its buffers back: a failed one stays intact, so that the
                // pipeline can retry it on its own.
                input.consumed = true;
                for (int t = 0; t < input.pixels.length; t++) {
                    freeBuffers.offer(input.pixels[t]);
                    input.pixels[t] = null;
                }
                out.add(merge(found));
            }
            return out;
        } finally {
            slots.add(slot);
        }
    }

    private Slot borrow() {
        if (guard.isClosed()) {
            throw new IllegalStateException(name + " is closed");
        }
        try {
            return slots.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JugglerException("interrupted while waiting for a free interpreter of " + name, true, e);
        }
    }

    /** A person with the pose score of the crop it was found in. */
    private record Scored(Person person, float score) {
    }

    /**
     * Keeps one person per place: overlapping tiles see the same person twice, so of two people whose
     * keypoint boxes overlap by more than a third (intersection over union) the higher-scored one stays.
     */
    private static PoseFrame merge(List<Scored> found) {
        if (found.size() <= 1) {
            return found.isEmpty() ? PoseFrame.EMPTY : PoseFrame.of(found.get(0).person());
        }
        found.sort((a, b) -> Float.compare(b.score(), a.score()));
        List<Person> kept = new ArrayList<>();
        List<float[]> boxes = new ArrayList<>();
        for (Scored s : found) {
            float[] box = box(s.person());
            boolean duplicate = false;
            for (float[] other : boxes) {
                if (iou(box, other) > 1f / 3f) {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate) {
                kept.add(s.person());
                boxes.add(box);
            }
        }
        return new PoseFrame(kept);
    }

    private static float[] box(Person p) {
        float[] b = {Float.MAX_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int k = 0; k < p.keypointCount(); k++) {
            if (p.confidence(k) > 0) {
                b[0] = Math.min(b[0], p.x(k));
                b[1] = Math.min(b[1], p.y(k));
                b[2] = Math.max(b[2], p.x(k));
                b[3] = Math.max(b[3], p.y(k));
            }
        }
        return b;
    }

    private static float iou(float[] a, float[] b) {
        float iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        float ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        float inter = iw * ih;
        float union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union <= 0 ? 1 : inter / union;
    }

    /**
     * Maps one crop's raw landmark output to a BODY_25 person in frame pixels, or {@code null} if no
     * keypoint lies inside the frame. Package-private for tests.
     */
    static Person map(float[] raw, Crop crop, int width, int height) {
        float[] blaze = new float[LANDMARKS * 3];
        boolean any = false;
        for (int i = 0; i < LANDMARKS; i++) {
            int r = i * VALUES_PER_LANDMARK;
            float x = crop.x() + (raw[r] - crop.padX()) / crop.scale();
            float y = crop.y() + (raw[r + 1] - crop.padY()) / crop.scale();
            float confidence = Math.min(sigmoid(raw[r + 3]), sigmoid(raw[r + 4]));
            if (x >= 0 && y >= 0 && x < width && y < height && Float.isFinite(confidence) && confidence > 0) {
                blaze[3 * i] = x;
                blaze[3 * i + 1] = y;
                blaze[3 * i + 2] = confidence;
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        float[] body = new float[BodyModel.BODY_25.arrayLength2d()];
        for (int k = 0; k < BODY25_FROM_BLAZE.length; k++) {
            int from = BODY25_FROM_BLAZE[k];
            if (from >= 0) {
                System.arraycopy(blaze, 3 * from, body, 3 * k, 3);
            } else if (from == -2) {
                int a = k == BodyModel.NECK ? 11 : 23;
                int b = a + 1;
                float ca = blaze[3 * a + 2];
                float cb = blaze[3 * b + 2];
                if (ca > 0 && cb > 0) {
                    body[3 * k] = (blaze[3 * a] + blaze[3 * b]) / 2f;
                    body[3 * k + 1] = (blaze[3 * a + 1] + blaze[3 * b + 1]) / 2f;
                    body[3 * k + 2] = Math.min(ca, cb);
                }
            }
        }
        return Person.of(body);
    }

    private static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }

    @Override
    public void close() {
        guard.close(() -> {
            allSlots.forEach(s -> s.interpreter.close());
            freeBuffers.clear();
        });
    }

    /** Configures a {@link BlazePoseModel}; each setter checks its value and names it. Not thread-safe. */
    public static final class Builder {
        private final Path modelFile;
        private String name = "cpu-blazepose";
        private int interpreters = 1;
        private int threadsPerInterpreter = 1;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private float minPoseScore = DEFAULT_MIN_POSE_SCORE;
        private int tileColumns = 1;
        private int tileRows = 1;
        private float tileOverlap = DEFAULT_TILE_OVERLAP;

        /**
         * Runs the model on a grid of overlapping crops instead of the whole frame, one person at most per
         * crop, duplicates merged; default 1x1 (the whole frame, one person). The landmark model expects a
         * person that fills much of its input, so a grid finds small and several people (e.g. 3x2 for
         * pedestrians in a street scene) at the cost of one inference per crop.
         */
        public Builder tiles(int columns, int rows) {
            if (columns < 1 || columns > 8) {
                throw InvalidConfigException.of("tiles.columns", columns, "must be in 1..8");
            }
            if (rows < 1 || rows > 8) {
                throw InvalidConfigException.of("tiles.rows", rows, "must be in 1..8");
            }
            this.tileColumns = columns;
            this.tileRows = rows;
            return this;
        }

        /** Fraction of a crop shared with its neighbour when tiling; default 0.25. */
        public Builder tileOverlap(float fraction) {
            if (!(fraction >= 0f && fraction < 0.9f)) {
                throw InvalidConfigException.of("tileOverlap", fraction, "must be in [0, 0.9)");
            }
            this.tileOverlap = fraction;
            return this;
        }

        private Builder(Path modelFile) {
            this.modelFile = Objects.requireNonNull(modelFile, "modelFile");
        }

        /** The accelerator name in logs and events; default {@code cpu-blazepose}. */
        public Builder name(String value) {
            if (value == null || value.isBlank()) {
                throw InvalidConfigException.of("name", value, "must not be blank");
            }
            this.name = value;
            return this;
        }

        /** Interpreters that may run at once (one per pipeline inference thread); default 1. */
        public Builder interpreters(int count) {
            if (count < 1 || count > 64) {
                throw InvalidConfigException.of("interpreters", count, "must be in 1..64");
            }
            this.interpreters = count;
            return this;
        }

        /** XNNPACK threads inside each interpreter; default 1. */
        public Builder threadsPerInterpreter(int count) {
            if (count < 1 || count > 256) {
                throw InvalidConfigException.of("threadsPerInterpreter", count, "must be in 1..256");
            }
            this.threadsPerInterpreter = count;
            return this;
        }

        /** Largest batch one {@link #infer} call takes; default 4. */
        public Builder maxBatchSize(int frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("maxBatchSize", frames, "must be >= 1");
            }
            this.maxBatchSize = frames;
            return this;
        }

        /** Pose score below which a frame has nobody; default 0.5. */
        public Builder minPoseScore(float score) {
            if (!(score >= 0f && score <= 1f)) {
                throw InvalidConfigException.of("minPoseScore", score, "must be in [0, 1]");
            }
            this.minPoseScore = score;
            return this;
        }

        /**
         * Loads the model.
         *
         * @throws ModelNotFoundException if the file does not exist
         * @throws JugglerException if it is not a BlazePose landmark model or TFLite cannot load it
         */
        public BlazePoseModel build() {
            if (!Files.isRegularFile(modelFile)) {
                throw new ModelNotFoundException("pose model " + modelFile + " does not exist; run "
                        + PoseModels.SETUP_COMMAND + " or pass another path");
            }
            return new BlazePoseModel(this);
        }
    }
}
