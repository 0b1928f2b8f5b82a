package dev.juggler.inference.pose;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.internal.NativePool;
import dev.juggler.inference.internal.TfLiteNatives;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.ServedModel;
import dev.juggler.inference.remote.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * A BlazePose landmark model (lite, full or heavy) on TFLite, served by an inference server: the other
 * half of {@link RemoteBlazePose}. Each row of input {@value RemoteBlazePose#INPUT} is one letterboxed
 * crop as RGB bytes; the outputs are the raw landmarks and the pose score of each row, unmapped (the client knows
 * where its crops came from).
 *
 * <p>Thread-safe: {@link #run} borrows one of its interpreters (which run one input at a time) and waits
 * when all are busy, so as many batches run at once as there are interpreters. Holds native memory:
 * {@link #close()} it.
 */
public final class BlazePoseServedModel implements ServedModel {

    /** The name the landmark model is served under unless told otherwise, and the one clients ask for by default. */
    public static final String DEFAULT_NAME = "blazepose";

    private static final int CROP_BYTES = Letterbox.FLOATS * Float.BYTES;

    private final String name;
    private final int maxBatchSize;
    private final NativePool<Slot> slots;

    /** An interpreter and its reusable input buffer, lent as one. */
    private record Slot(LandmarkInterpreter interpreter, ByteBuffer input) {
    }

    private BlazePoseServedModel(String name, Path modelFile, int interpreters, int threads, int maxBatchSize) {
        TfLiteNatives.load();
        this.name = name;
        this.maxBatchSize = maxBatchSize;
        this.slots = NativePool.open(name, "free interpreter", interpreters,
                () -> new Slot(LandmarkInterpreter.open(modelFile, threads, name),
                        ByteBuffer.allocateDirect(CROP_BYTES).order(ByteOrder.nativeOrder())),
                s -> s.interpreter().close());
    }

    /**
     * Loads {@code modelFile} into {@code interpreters} interpreters of {@code threads} XNNPACK threads each.
     *
     * @param name the model's name in URLs, e.g. {@code blazepose}
     * @param maxBatchSize the most crops one {@link #run} takes
     * @throws ModelNotFoundException if the file does not exist
     * @throws dev.juggler.JugglerException if it is not a BlazePose landmark model
     */
    public static BlazePoseServedModel open(String name, Path modelFile, int interpreters, int threads, int maxBatchSize) {
        ServedModel.requireName("model name", name);
        InvalidConfigException.requireInRange("interpreters", interpreters, 1, 64);
        InvalidConfigException.requireInRange("threads", threads, 1, 256);
        InvalidConfigException.requireInRange("maxBatchSize", maxBatchSize, 1, 4096);
        BlazePoseModel.requireModelFile(modelFile);
        return new BlazePoseServedModel(name, modelFile, interpreters, threads, maxBatchSize);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String platform() {
        return "tflite";
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(RemoteBlazePose.INPUT_SPEC);
    }

    @Override
    public List<TensorSpec> outputs() {
        return List.of(RemoteBlazePose.LANDMARKS_SPEC, RemoteBlazePose.SCORE_SPEC);
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    @Override
    public List<InferTensor> run(List<InferTensor> inputs) {
        InferTensor image = inputs.get(0);
        int rows = Math.toIntExact(image.shape()[0]);
        ByteBuffer wire = image.dataBuffer();
        float[] landmarks = new float[rows * LandmarkInterpreter.RAW_OUTPUT];
        float[] scores = new float[rows];
        slots.use(slot -> {
            for (int r = 0; r < rows; r++) {
                RemoteBlazePose.dequantize(wire, r * Letterbox.FLOATS, slot.input());
                scores[r] = slot.interpreter().run(slot.input());
                System.arraycopy(slot.interpreter().landmarks(), 0, landmarks, r * LandmarkInterpreter.RAW_OUTPUT,
                        LandmarkInterpreter.RAW_OUTPUT);
            }
            return null;
        });
        return List.of(InferTensor.ofFloats(RemoteBlazePose.LANDMARKS, new long[] {rows, LandmarkInterpreter.RAW_OUTPUT}, landmarks),
                InferTensor.ofFloats(RemoteBlazePose.SCORE, new long[] {rows, 1}, scores));
    }

    @Override
    public void close() {
        slots.close(() -> { });
    }

    @Override
    public String toString() {
        return "BlazePoseServedModel[" + name + ", max batch " + maxBatchSize + "]";
    }
}
