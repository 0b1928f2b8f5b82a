package dev.juggler.inference.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.juggler.JugglerException;
import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a whole batch of protocol tensors into the model's NDArrays and its outputs back into protocol
 * tensors. The conversion happens inside the translator so that every NDArray lives in the predictor
 * context's manager and is freed when the call ends.
 *
 * <p>Stateless apart from the immutable specs, hence thread-safe; the predictors that use it are not.
 */
final class OnnxTranslator implements Translator<List<InferTensor>, List<InferTensor>> {

    private static final boolean NATIVE_IS_WIRE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final String model;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    OnnxTranslator(String model, OnnxSignature signature) {
        this.model = model;
        this.inputs = signature.inputs();
        this.outputs = signature.outputs();
    }

    @Override
    public NDList processInput(TranslatorContext ctx, List<InferTensor> batch) {
        if (batch.size() != inputs.size()) {
            throw new InferenceProtocolException("model " + model + " takes " + inputs.size() + " inputs " + inputs
                    + ", got " + batch.size());
        }
        NDList list = new NDList(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            TensorSpec spec = inputs.get(i);
            InferTensor t = batch.get(i);
            if (t.datatype() != spec.datatype() || !spec.accepts(t.shape())) {
                throw new InferenceProtocolException("input " + (i + 1) + " of model " + model + " is "
                        + t.datatype().wireName() + Arrays.toString(t.shape()) + "; the model takes " + spec);
            }
            NDArray array = ctx.getNDManager().create(toNative(t.dataBuffer(), elementSize(spec.datatype())),
                    new Shape(t.shape()), djlType(spec.datatype()));
            // ONNX Runtime feeds named arrays by name, so the order of the list cannot mix them up.
            array.setName(spec.name());
            list.add(array);
        }
        return list;
    }

    @Override
    public List<InferTensor> processOutput(TranslatorContext ctx, NDList list) {
        if (list.size() < outputs.size()) {
            throw new JugglerException("model " + model + " returned " + list.size() + " outputs, its signature has "
                    + outputs.size());
        }
        List<InferTensor> out = new ArrayList<>(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            TensorSpec spec = outputs.get(i);
            NDArray array = list.get(i);
            Datatype type = datatype(array.getDataType());
            if (type != spec.datatype()) {
                throw new JugglerException("output '" + spec.name() + "' of model " + model + " is " + array.getDataType()
                        + ", its signature says " + spec.datatype().wireName());
            }
            ByteBuffer data = array.toByteBuffer().duplicate().order(ByteOrder.nativeOrder());
            out.add(InferTensor.ofWire(spec.name(), type, array.getShape().getShape(), toWire(data, elementSize(type))));
        }
        return out;
    }

    @Override
    public Batchifier getBatchifier() {
        return null; // the protocol tensors arrive batched: the rows of every request are concatenated
    }

    /** Copies little-endian wire bytes into a direct buffer in the order ONNX Runtime reads them in. */
    static ByteBuffer toNative(ByteBuffer wire, int elementSize) {
        ByteBuffer src = wire.duplicate();
        ByteBuffer dst = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
        if (NATIVE_IS_WIRE || elementSize == 1) {
            dst.put(src);
        } else {
            swapInto(src, dst, elementSize);
        }
        return dst.flip();
    }

    /** The bytes of a native-order buffer in the protocol's little-endian layout. */
    static byte[] toWire(ByteBuffer nativeData, int elementSize) {
        ByteBuffer src = nativeData.duplicate();
        ByteBuffer dst = ByteBuffer.allocate(src.remaining());
        if (NATIVE_IS_WIRE || elementSize == 1) {
            dst.put(src);
        } else {
            swapInto(src, dst, elementSize);
        }
        return dst.array();
    }

    private static void swapInto(ByteBuffer src, ByteBuffer dst, int elementSize) {
        byte[] element = new byte[elementSize];
        while (src.remaining() >= elementSize) {
            src.get(element);
            for (int b = elementSize - 1; b >= 0; b--) {
                dst.put(element[b]);
            }
        }
    }

    private static int elementSize(Datatype type) {
        return type.elementSize().orElseThrow();
    }

    /** The DJL type of a protocol type; only the types {@link OnnxSignature} admits reach here. */
    static DataType djlType(Datatype type) {
        return switch (type) {
            case FP32 -> DataType.FLOAT32;
            case FP64 -> DataType.FLOAT64;
            case FP16 -> DataType.FLOAT16;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOLEAN;
            default -> throw new IllegalArgumentException("datatype " + type + " has no DJL counterpart here");
        };
    }

    /** The protocol type of a DJL type. */
    static Datatype datatype(DataType type) {
        return switch (type) {
            case FLOAT32 -> Datatype.FP32;
            case FLOAT64 -> Datatype.FP64;
            case FLOAT16 -> Datatype.FP16;
            case INT32 -> Datatype.INT32;
            case INT64 -> Datatype.INT64;
            case INT8 -> Datatype.INT8;
            case UINT8 -> Datatype.UINT8;
            case BOOLEAN -> Datatype.BOOL;
            default -> throw new JugglerException("DJL type " + type + " cannot be served");
        };
    }
}
