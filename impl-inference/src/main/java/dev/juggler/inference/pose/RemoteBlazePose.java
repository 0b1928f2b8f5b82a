package dev.juggler.inference.pose;

import dev.juggler.InvalidConfigException;
import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.RequestedOutput;
import dev.juggler.inference.remote.TensorSpec;
import dev.juggler.inference.remote.client.ModelMetadata;
import dev.juggler.inference.remote.client.TensorMapping;
import dev.juggler.pipeline.Frame;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * BlazePose with the landmark model on an inference server: frames are letterboxed here exactly as
 * {@link BlazePoseModel} does it (one crop per tile), the server runs the model on the crops
 * ({@link BlazePoseServedModel}, or any server with the same tensors), and its raw landmarks are mapped
 * to BODY_25 and merged here. So a remote run finds the people an in-process one finds, with keypoints a
 * fraction of a pixel apart (from rounding the input to bytes).
 *
 * <p>Tensors, batch dimension first (one row per crop): input {@value #INPUT} UINT8 {@code [n,256,256,3]}
 * (the letterboxed crop as RGB bytes: a quarter of the floats' bytes on the wire, for a change of at most
 * half a grey level from the in-process model's input); outputs {@value #LANDMARKS} FP32 {@code [n,195]} (39 landmarks × x, y, z,
 * visibility, presence, in input pixels) and {@value #SCORE} FP32 {@code [n,1]} (the pose score).
 *
 * <p>Thread-safe: preprocessing and mapping may run from several threads at once.
 */
public final class RemoteBlazePose implements TensorMapping<BlazePoseModel.Input, PoseFrame> {

    /** The input tensor's name. */
    public static final String INPUT = "image";
    /** The raw landmark output's name. */
    public static final String LANDMARKS = "landmarks";
    /** The pose score output's name. */
    public static final String SCORE = "score";

    static final TensorSpec INPUT_SPEC = new TensorSpec(INPUT, Datatype.UINT8, new long[] {-1, Letterbox.SIZE, Letterbox.SIZE, 3});
    static final TensorSpec LANDMARKS_SPEC = new TensorSpec(LANDMARKS, Datatype.FP32, new long[] {-1, LandmarkInterpreter.RAW_OUTPUT});
    static final TensorSpec SCORE_SPEC = new TensorSpec(SCORE, Datatype.FP32, new long[] {-1, 1});

    /** Byte value to model input: {@code b / 255}. */
    private static final float[] UNIT = new float[256];

    static {
        for (int b = 0; b < UNIT.length; b++) {
            UNIT[b] = b / 255f;
        }
    }

    private final LetterboxInputs inputs;
    private final float minPoseScore;

    private RemoteBlazePose(int tileColumns, int tileRows, float tileOverlap, float minPoseScore) {
        this.inputs = new LetterboxInputs(tileColumns, tileRows, tileOverlap);
        this.minPoseScore = minPoseScore;
    }

    /**
     * The mapping for a grid of {@code columns × rows} overlapping crops (1×1: the whole frame), as
     * {@link BlazePoseModel.Builder#tiles} and {@link BlazePoseModel.Builder#minPoseScore} define them.
     */
    public static RemoteBlazePose of(int columns, int rows, float tileOverlap, float minPoseScore) {
        InvalidConfigException.requireInRange("tiles.columns", columns, 1, 8);
        InvalidConfigException.requireInRange("tiles.rows", rows, 1, 8);
        if (!(tileOverlap >= 0f && tileOverlap < 0.9f)) {
            throw InvalidConfigException.of("tileOverlap", tileOverlap, "must be in [0, 0.9)");
        }
        InvalidConfigException.requireInRange("minPoseScore", minPoseScore, 0f, 1f);
        return new RemoteBlazePose(columns, rows, tileOverlap, minPoseScore);
    }

    /** Letterboxes a frame into the crops that {@link #request} sends; the frame's pixels are read, not kept. */
    public BlazePoseModel.Input preprocess(Frame frame) {
        return inputs.preprocess(frame);
    }

    @Override
    public InferRequest request(List<BlazePoseModel.Input> batch) {
        int rows = 0;
        for (BlazePoseModel.Input input : batch) {
            input.requireFresh();
            rows += input.crops.length;
        }
        byte[] wire = new byte[Math.multiplyExact(rows, Letterbox.FLOATS)];
        int offset = 0;
        for (BlazePoseModel.Input input : batch) {
            for (ByteBuffer crop : input.pixels) {
                quantize(crop, wire, offset);
                offset += Letterbox.FLOATS;
            }
        }
        InferTensor image = InferTensor.ofWire(INPUT, Datatype.UINT8, new long[] {rows, Letterbox.SIZE, Letterbox.SIZE, 3}, wire);
        return InferRequest.of(List.of(image), List.of(RequestedOutput.of(LANDMARKS), RequestedOutput.of(SCORE)));
    }

    /** Rounds the {@link Letterbox#FLOATS} floats in {@code [0, 1]} of one crop to bytes at {@code out[offset…]}. */
    static void quantize(ByteBuffer crop, byte[] out, int offset) {
        FloatBuffer floats = crop.duplicate().order(crop.order()).clear().asFloatBuffer();
        for (int i = 0; i < Letterbox.FLOATS; i++) {
            int value = Math.round(floats.get(i) * 255f);
            out[offset + i] = (byte) Math.max(0, Math.min(255, value));
        }
    }

    /** Writes one crop's bytes, from {@code wire} at {@code offset}, as the model's floats in {@code [0, 1]} into {@code to}. */
    static void dequantize(ByteBuffer wire, int offset, ByteBuffer to) {
        FloatBuffer floats = to.clear().asFloatBuffer();
        for (int i = 0; i < Letterbox.FLOATS; i++) {
            floats.put(i, UNIT[wire.get(offset + i) & 0xFF]);
        }
    }

    @Override
    public List<PoseFrame> outputs(InferResponse response, List<BlazePoseModel.Input> batch) {
        int rows = batch.stream().mapToInt(i -> i.crops.length).sum();
        float[] landmarks = floats(response, LANDMARKS, rows, LandmarkInterpreter.RAW_OUTPUT);
        float[] scores = floats(response, SCORE, rows, 1);
        List<PoseFrame> out = new ArrayList<>(batch.size());
        int row = 0;
        for (BlazePoseModel.Input input : batch) {
            List<PoseNms.Scored> found = new ArrayList<>(input.crops.length);
            for (int t = 0; t < input.crops.length; t++, row++) {
                float score = scores[row];
                if (score >= minPoseScore) {
                    float[] raw = Arrays.copyOfRange(landmarks, row * LandmarkInterpreter.RAW_OUTPUT,
                            (row + 1) * LandmarkInterpreter.RAW_OUTPUT);
                    Person person = Body25Mapping.map(raw, input.crops[t], input.width, input.height);
                    if (person != null) {
                        found.add(new PoseNms.Scored(person, score));
                    }
                }
            }
            out.add(PoseNms.merge(found));
        }
        for (BlazePoseModel.Input input : batch) {
            inputs.recycle(input);
        }
        return out;
    }

    private static float[] floats(InferResponse response, String name, int rows, int columns) {
        Optional<InferTensor> tensor = response.output(name);
        if (tensor.isEmpty()) {
            throw new InferenceProtocolException("the response lacks output " + name + " (the server runs another model?)");
        }
        InferTensor t = tensor.get();
        if (t.datatype() != Datatype.FP32 || t.elementCount() != (long) rows * columns) {
            throw new InferenceProtocolException("output " + name + " is " + t.datatype().wireName() + Arrays.toString(t.shape())
                    + ", expected FP32 [" + rows + ", " + columns + "]");
        }
        return t.asFloats();
    }

    @Override
    public void check(ModelMetadata model) {
        require(model.input(INPUT), INPUT_SPEC, model);
        require(model.output(LANDMARKS), LANDMARKS_SPEC, model);
        require(model.output(SCORE), SCORE_SPEC, model);
    }

    private static void require(Optional<TensorSpec> found, TensorSpec wanted, ModelMetadata model) {
        long[] example = wanted.shape();
        example[0] = 1;
        if (found.isEmpty() || found.get().datatype() != wanted.datatype() || !found.get().accepts(example)) {
            throw InvalidConfigException.of("remote model " + model.name(), found.map(TensorSpec::toString).orElse("no tensor " + wanted.name()),
                    "a BlazePose landmark model needs " + wanted + " (serve one with juggler serve)");
        }
    }
}
