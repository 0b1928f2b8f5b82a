package dev.juggler.inference.pose;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.inference.internal.NativePool;
import dev.juggler.inference.internal.TfLiteNatives;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
 * This class only runs the interpreter; the arithmetic around it is pure and tested on its own:
 * {@link Letterbox} (crops and letterboxing), {@link Body25Mapping} and {@link PoseNms} (the merging).
 *
 * <p>Thread-safe: {@link #infer} may be called from several threads; each call borrows one of
 * {@link Builder#interpreters(int)} TFLite interpreters (which are not thread-safe themselves) from a
 * {@link NativePool} and waits when all are busy. Input buffers are recycled: a buffer {@link #preprocess} fills goes back to a pool
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
    public static final int INPUT_SIZE = Letterbox.SIZE;
    /** Default pose score below which a frame has nobody. */
    public static final float DEFAULT_MIN_POSE_SCORE = 0.5f;
    /** Default largest batch (the model runs one frame at a time; a batch is a loop). */
    public static final int DEFAULT_MAX_BATCH_SIZE = 4;
    /** Default fraction of a crop shared with its neighbour when tiling. */
    public static final float DEFAULT_TILE_OVERLAP = 0.25f;
    /** Number of landmarks BlazePose reports. */
    public static final int LANDMARKS = Body25Mapping.LANDMARKS;

    private final String name;
    private final int maxBatchSize;
    private final float minPoseScore;
    private final LetterboxInputs inputs;
    private final NativePool<LandmarkInterpreter> slots;

    /**
     * One frame's model input: one letterboxed crop per tile and how to map model coordinates back to the
     * frame. Made by {@link #preprocess}, consumed once by {@link #infer}. Not thread-safe (handed between
     * threads through the pipeline's queues, owned by one at a time).
     */
    public static final class Input {
        final ByteBuffer[] pixels;
        final Letterbox.Crop[] crops;
        final int width;
        final int height;
        private boolean consumed;

        Input(ByteBuffer[] pixels, Letterbox.Crop[] crops, int width, int height) {
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

        /** Number of letterboxed crops (tiles) in this input. */
        public int crops() {
            return crops.length;
        }

        void requireFresh() {
            if (consumed) {
                throw new IllegalArgumentException("this input was already consumed by an earlier infer call");
            }
        }

        void consume() {
            requireFresh();
            consumed = true;
        }
    }

    private BlazePoseModel(Builder b) {
        TfLiteNatives.load();
        this.name = b.name;
        this.maxBatchSize = b.maxBatchSize;
        this.minPoseScore = b.minPoseScore;
        this.inputs = new LetterboxInputs(b.tileColumns, b.tileRows, b.tileOverlap);
        this.slots = NativePool.open(name, "free interpreter", b.interpreters,
                () -> LandmarkInterpreter.open(b.modelFile, b.threadsPerInterpreter, b.name), LandmarkInterpreter::close);
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
        return inputs.preprocess(frame);
    }

    @Override
    public List<PoseFrame> infer(List<Input> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.size() > maxBatchSize) {
            throw new IllegalArgumentException("batch of " + batch.size() + " exceeds maxBatchSize " + maxBatchSize);
        }
        return slots.use(slot -> inferOn(slot, batch));
    }

    private List<PoseFrame> inferOn(LandmarkInterpreter slot, List<Input> batch) {
        List<PoseFrame> out = new ArrayList<>(batch.size());
        for (Input input : batch) {
            input.requireFresh();
            List<PoseNms.Scored> found = new ArrayList<>(input.crops.length);
            for (int t = 0; t < input.crops.length; t++) {
                float score = slot.run(input.pixels[t]);
                if (score >= minPoseScore) {
                    Person person = Body25Mapping.map(slot.landmarks(), input.crops[t], input.width, input.height);
                    if (person != null) {
                        found.add(new PoseNms.Scored(person, score));
                    }
                }
            }
            inputs.recycle(input);
            out.add(PoseNms.merge(found));
        }
        return out;
    }

    @Override
    public void close() {
        slots.close(inputs::clear);
    }

    /** @throws ModelNotFoundException, saying how to get the models, if {@code modelFile} is not a file */
    static void requireModelFile(Path modelFile) {
        if (!Files.isRegularFile(modelFile)) {
            throw new ModelNotFoundException("pose model " + modelFile + " does not exist; run "
                    + PoseModels.SETUP_COMMAND + " or pass another path");
        }
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
            InvalidConfigException.requireInRange("tiles.columns", columns, 1, 8);
            InvalidConfigException.requireInRange("tiles.rows", rows, 1, 8);
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
            this.modelFile = InvalidConfigException.required(modelFile, "modelFile");
        }

        /** The accelerator name in logs and events; default {@code cpu-blazepose}. */
        public Builder name(String value) {
            this.name = InvalidConfigException.requireNotBlank("name", value);
            return this;
        }

        /** Interpreters that may run at once (one per pipeline inference thread); default 1. */
        public Builder interpreters(int count) {
            this.interpreters = InvalidConfigException.requireInRange("interpreters", count, 1, 64);
            return this;
        }

        /** XNNPACK threads inside each interpreter; default 1. */
        public Builder threadsPerInterpreter(int count) {
            this.threadsPerInterpreter = InvalidConfigException.requireInRange("threadsPerInterpreter", count, 1, 256);
            return this;
        }

        /** Largest batch one {@link #infer} call takes; default 4. */
        public Builder maxBatchSize(int frames) {
            this.maxBatchSize = InvalidConfigException.requireInRange("maxBatchSize", frames, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Pose score below which a frame has nobody; default 0.5. */
        public Builder minPoseScore(float score) {
            this.minPoseScore = InvalidConfigException.requireInRange("minPoseScore", score, 0f, 1f);
            return this;
        }

        /**
         * Loads the model.
         *
         * @throws ModelNotFoundException if the file does not exist
         * @throws JugglerException if it is not a BlazePose landmark model or TFLite cannot load it
         */
        public BlazePoseModel build() {
            requireModelFile(modelFile);
            return new BlazePoseModel(this);
        }
    }
}
