package dev.juggler.inference.djl;

import ai.djl.engine.Engine;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.juggler.inference.remote.Datatype;
import dev.juggler.inference.remote.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The inputs and outputs of an ONNX model as the inference protocol describes them, read from an ONNX Runtime
 * session. DJL's {@code describeInput} gives shapes but neither element types nor outputs, so the signature
 * comes from ONNX Runtime itself, which DJL's engine wraps.
 *
 * <p>Immutable and thread-safe.
 *
 * @param inputs the inputs in the session's order, the order DJL feeds them in
 * @param outputs the outputs in the session's order, the order DJL returns them in
 */
record OnnxSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {

    OnnxSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * Opens {@code file} in a short-lived session and reads its signature.
     *
     * @throws OnnxModelException if ONNX Runtime cannot load the file or the model cannot be served
     */
    static OnnxSignature read(Path file) {
        try {
            // DJL's engine creates the process-wide ONNX Runtime environment with its thread pool; one created here
            // first, without it, would make the engine fail to start.
            Engine.getEngine(DjlAccelerator.DEFAULT_ENGINE);
        } catch (RuntimeException | LinkageError e) {
            throw new OnnxModelException("DJL engine " + DjlAccelerator.DEFAULT_ENGINE + " is not available: "
                    + e.getMessage(), e);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, NodeInfo> in;
        Map<String, NodeInfo> out;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // only the signature is read here: no need to optimise a graph that DJL loads again to run
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(file.toString(), options)) {
                in = session.getInputInfo();
                out = session.getOutputInfo();
            }
        } catch (OrtException e) {
            throw new OnnxModelException("ONNX Runtime cannot load " + file + " (is it an ONNX model?): " + e.getMessage(), e);
        }
        return new OnnxSignature(specs(file, "input", in), specs(file, "output", out));
    }

    private static List<TensorSpec> specs(Path file, String kind, Map<String, NodeInfo> nodes) {
        if (nodes.isEmpty()) {
            throw new OnnxModelException("ONNX model " + file + " has no " + kind + "s", null);
        }
        List<TensorSpec> specs = new ArrayList<>(nodes.size());
        for (NodeInfo node : nodes.values()) {
            String where = "ONNX model " + file + " " + kind + " '" + node.getName() + "'";
            if (!(node.getInfo() instanceof TensorInfo tensor)) {
                throw new OnnxModelException(where + " is " + node.getInfo() + "; only tensors can be served", null);
            }
            long[] shape = tensor.getShape();
            // The server concatenates requests along the first dimension, so it must take any row count.
            if (shape.length == 0 || shape[0] != -1) {
                throw new OnnxModelException(where + " has shape " + Arrays.toString(shape) + "; serving needs a dynamic "
                        + "first dimension (the batch): the ONNX model needs a dynamic first dimension, e.g. exported "
                        + "with dynamic_axes={'" + node.getName() + "': {0: 'batch'}}", null);
            }
            specs.add(new TensorSpec(node.getName(), datatype(where, tensor.onnxType), shape));
        }
        return specs;
    }

    /** The protocol's name for an ONNX element type; the types ONNX Runtime's Java API and DJL both carry. */
    private static Datatype datatype(String where, TensorInfo.OnnxTensorType type) {
        return switch (type) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> Datatype.FP32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> Datatype.FP64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> Datatype.FP16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> Datatype.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> Datatype.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> Datatype.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> Datatype.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> Datatype.BOOL;
            default -> throw new OnnxModelException(where + " has element type " + type.name().replace(
                    "ONNX_TENSOR_ELEMENT_DATA_TYPE_", "") + ", which cannot be served; supported are FLOAT, DOUBLE, "
                    + "FLOAT16, INT32, INT64, INT8, UINT8 and BOOL", null);
        };
    }
}
