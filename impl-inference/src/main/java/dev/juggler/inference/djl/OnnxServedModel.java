package dev.juggler.inference.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtException;
import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.inference.internal.NativePool;
import dev.juggler.inference.pose.ModelNotFoundException;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.ServedModel;
import dev.juggler.inference.remote.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Any ONNX model, served by an inference server through DJL's ONNX Runtime engine on the CPU. Its
 * {@link #inputs()} and {@link #outputs()} are the model's own: names, element types (FLOAT, DOUBLE,
 * FLOAT16, INT32, INT64, INT8, UINT8 and BOOL, as FP32, FP64, FP16, INT32, INT64, INT8, UINT8 and BOOL)
 * and shapes, with {@code -1} for dynamic dimensions. The first dimension of every input and output is the
 * batch and must be dynamic; a model with a fixed one is refused. {@link #run} feeds the whole batch to
 * the model in one call.
 *
 * <p>A malformed input (one the model's ONNX Runtime session rejects as an invalid argument) is an
 * {@link InferenceProtocolException}, which the server answers with 400; any other model failure is a
 * permanent {@link JugglerException} (500).
 *
 * <p>Thread-safe: DJL predictors are not, so each {@link #run} borrows one of {@code concurrency}
 * predictors and waits when all are busy. Holds native memory: {@link #close()} it (idempotent; waits for
 * running batches).
 *
 * <pre>{@code
 * try (OnnxServedModel model = OnnxServedModel.open("affine", Path.of("affine.onnx"), 8, 2);
 *         InferenceServer server = InferenceServer.builder().model(model).start()) { ... }
 * }</pre>
 */
public final class OnnxServedModel implements ServedModel {

    private final String name;
    private final int maxBatchSize;
    private final OnnxSignature signature;
    private final Model model;
    private final NativePool<Predictor<List<InferTensor>, List<InferTensor>>> predictors;

    private OnnxServedModel(String name, Path file, int maxBatchSize, int concurrency, OnnxSignature signature) {
        this.name = name;
        this.maxBatchSize = maxBatchSize;
        this.signature = signature;
        this.model = Model.newInstance(name, Device.cpu(), DjlAccelerator.DEFAULT_ENGINE);
        try {
            // Loading the file itself (not a folder and a prefix) takes any file name, not only *.onnx.
            model.load(file);
            OnnxTranslator translator = new OnnxTranslator(name, signature);
            this.predictors = NativePool.open(name, "predictor", concurrency, () -> model.newPredictor(translator),
                    Predictor::close);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new OnnxModelException("DJL " + DjlAccelerator.DEFAULT_ENGINE + " cannot load ONNX model " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Loads {@code onnxFile} with {@code concurrency} predictors.
     *
     * @param name the model's name in URLs: letters, digits, {@code ._-}, at most 100
     * @param onnxFile the ONNX model
     * @param maxBatchSize the most rows one {@link #run} takes, 1..4096
     * @param concurrency the predictors, i.e. the batches that may run at once, 1..64
     * @throws InvalidConfigException for a bad name or number
     * @throws ModelNotFoundException if the file does not exist
     * @throws OnnxModelException if it is not an ONNX model or cannot be served (see the class comment)
     */
    public static OnnxServedModel open(String name, Path onnxFile, int maxBatchSize, int concurrency) {
        ServedModel.requireName("model name", name);
        InvalidConfigException.required(onnxFile, "onnxFile");
        InvalidConfigException.requireInRange("maxBatchSize", maxBatchSize, 1, 4096);
        InvalidConfigException.requireInRange("concurrency", concurrency, 1, 64);
        if (!Files.isRegularFile(onnxFile)) {
            throw new ModelNotFoundException("ONNX model " + onnxFile + " does not exist or is not a file");
        }
        Path file = onnxFile.toAbsolutePath();
        return new OnnxServedModel(name, file, maxBatchSize, concurrency, OnnxSignature.read(file));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String platform() {
        return "onnxruntime";
    }

    @Override
    public List<TensorSpec> inputs() {
        return signature.inputs();
    }

    @Override
    public List<TensorSpec> outputs() {
        return signature.outputs();
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    @Override
    public List<InferTensor> run(List<InferTensor> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        long rows = inputs.isEmpty() || inputs.get(0).shape().length == 0 ? -1 : inputs.get(0).shape()[0];
        if (rows < 1 || rows > maxBatchSize) {
            throw new IllegalArgumentException("model " + name + " takes 1.." + maxBatchSize + " rows per run, got " + rows);
        }
        List<InferTensor> out = predictors.use(p -> predict(p, inputs, rows));
        for (InferTensor t : out) {
            if (t.shape().length == 0 || t.shape()[0] != rows) {
                throw new JugglerException("model " + name + ": output '" + t.name() + "' has shape "
                        + Arrays.toString(t.shape()) + " for " + rows + " input rows; a served model must keep "
                        + "the batch dimension first");
            }
        }
        return out;
    }

    private List<InferTensor> predict(Predictor<List<InferTensor>, List<InferTensor>> predictor, List<InferTensor> inputs,
            long rows) {
        try {
            return predictor.predict(inputs);
        } catch (TranslateException | RuntimeException e) {
            throw classify(e, rows);
        }
    }

    /** An input the model rejects is the client's fault (400); anything else is the model's (500). */
    private RuntimeException classify(Exception e, long rows) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InferenceProtocolException p) {
                return p;
            }
            if (c instanceof OrtException ort && ort.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
                return new InferenceProtocolException("model " + name + " rejected the input: " + ort.getMessage(), e);
            }
        }
        return JugglerException.permanentFailure("model " + name + " failed on a batch of " + rows + " rows: "
                + e.getMessage(), e);
    }

    @Override
    public void close() {
        predictors.close(model::close);
    }

    @Override
    public String toString() {
        return "OnnxServedModel[" + name + ", inputs " + signature.inputs() + ", outputs " + signature.outputs()
                + ", max batch " + maxBatchSize + "]";
    }
}
