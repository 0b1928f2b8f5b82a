package dev.juggler.inference.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.accel.Accelerator;
import dev.juggler.inference.internal.NativePool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An {@link Accelerator} that runs a model with DJL: ONNX Runtime by default ({@value #DEFAULT_ENGINE}),
 * on the CPU or on GPU {@code n} where the engine sees one ({@link Builder#device(String)}: {@code auto},
 * {@code cpu}, {@code gpu0}, …). The caller supplies a DJL {@link Translator} from a whole batch of
 * inputs to the model's tensors and from its output tensors back to one output per input, and
 * {@link #infer} runs one model call per batch. The translator builds the batch tensor itself (no
 * {@link Batchifier}) because ONNX Runtime's NDArrays cannot stack; {@link #floatVectors} is one for
 * models that take one float tensor per frame.
 *
 * <p>The model is loaded with {@code Model.newInstance(name, device, engine).load(dir, prefix)} and not
 * through DJL's {@code Criteria}, which also works when another DJL engine jar of an older version is on
 * the class path.
 *
 * <p>Thread-safe: DJL predictors are not, so each {@link #infer} call borrows one of
 * {@link Builder#predictors(int)} predictors from a {@link NativePool} and waits when all are busy. Holds
 * native memory: {@link #close()} it (idempotent; waits for running batches).
 *
 * <pre>{@code
 * try (Accelerator<float[], float[]> model = DjlAccelerator.builder(Path.of("net.onnx"),
 *         DjlAccelerator.floatVectors(3)).build()) {
 *     float[] out = model.infer(List.of(new float[] {1, 0, 2})).get(0);
 * }
 * }</pre>
 *
 * @param <I> the input per frame
 * @param <O> the output per frame
 */
public final class DjlAccelerator<I, O> implements Accelerator<I, O> {

    /** The default DJL engine. */
    public static final String DEFAULT_ENGINE = "OnnxRuntime";
    /** Default largest batch. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 8;

    private final String name;
    private final int maxBatchSize;
    private final Model model;
    private final NativePool<Predictor<List<I>, List<O>>> predictors;

    private DjlAccelerator(Builder<I, O> b) {
        Path file = b.modelFile.toAbsolutePath();
        Engine engine;
        try {
            engine = Engine.getEngine(b.engine);
        } catch (RuntimeException e) {
            throw JugglerException.permanentFailure("DJL engine " + b.engine + " is not available (is its jar on the class path?): "
                    + e.getMessage(), e);
        }
        Device device = device(b.device, engine);
        this.name = b.name != null ? b.name : device.getDeviceType() + device.getDeviceId() + "-" + b.engine.toLowerCase(java.util.Locale.ROOT);
        this.maxBatchSize = b.maxBatchSize;
        String fileName = file.getFileName().toString();
        String prefix = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
        this.model = Model.newInstance(prefix, device, b.engine);
        try {
            model.load(file.getParent(), prefix);
            this.predictors = NativePool.open(name, "predictor", b.predictors, () -> model.newPredictor(b.translator),
                    Predictor::close);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw JugglerException.permanentFailure("cannot load model " + file + " with DJL " + b.engine + " on " + device + ": "
                    + e.getMessage(), e);
        }
    }

    private static Device device(String spec, Engine engine) {
        if ("auto".equals(spec)) {
            // CUDA where present: the engine reports the GPUs it can use (0 for a CPU-only build).
            return engine.getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        if ("cpu".equals(spec)) {
            return Device.cpu();
        }
        int id = Integer.parseInt(spec.substring(3));
        if (id >= engine.getGpuCount()) {
            throw new JugglerException("device " + spec + " requested but DJL " + engine.getEngineName() + " sees "
                    + engine.getGpuCount() + " GPU(s)");
        }
        return Device.gpu(id);
    }

    /** A builder for the model in {@code modelFile}, translated by {@code translator}. */
    public static <I, O> Builder<I, O> builder(Path modelFile, Translator<List<I>, List<O>> translator) {
        return new Builder<>(modelFile, translator);
    }

    /**
     * A translator for models that take one float tensor per frame and return one: each input is a
     * {@code float[]} of shape {@code inputShape} (the model sees {@code [batch, inputShape...]}) and each
     * output is the model's first output for that frame, flattened.
     */
    public static Translator<List<float[]>, List<float[]>> floatVectors(long... inputShape) {
        long[] shape = inputShape.clone();
        int elements = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        return new Translator<>() {
            @Override
            public NDList processInput(TranslatorContext ctx, List<float[]> batch) {
                float[] flat = new float[batch.size() * elements];
                for (int i = 0; i < batch.size(); i++) {
                    float[] input = batch.get(i);
                    if (input.length != elements) {
                        throw new IllegalArgumentException("input " + i + " of the batch has " + input.length
                                + " values, the model takes " + elements + " " + Arrays.toString(shape));
                    }
                    System.arraycopy(input, 0, flat, i * elements, elements);
                }
                long[] batched = new long[shape.length + 1];
                batched[0] = batch.size();
                System.arraycopy(shape, 0, batched, 1, shape.length);
                return new NDList(ctx.getNDManager().create(flat, new Shape(batched)));
            }

            @Override
            public List<float[]> processOutput(TranslatorContext ctx, NDList list) {
                float[] flat = list.get(0).toFloatArray();
                int n = Math.toIntExact(list.get(0).getShape().get(0));
                int per = flat.length / n;
                List<float[]> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(Arrays.copyOfRange(flat, i * per, (i + 1) * per));
                }
                return out;
            }

            @Override
            public Batchifier getBatchifier() {
                return null; // the translator batches itself (above)
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    @Override
    public List<O> infer(List<I> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.size() > maxBatchSize) {
            throw new IllegalArgumentException("batch of " + batch.size() + " exceeds maxBatchSize " + maxBatchSize);
        }
        if (batch.isEmpty()) {
            return List.of();
        }
        return predictors.use(predictor -> predict(predictor, batch));
    }

    private List<O> predict(Predictor<List<I>, List<O>> predictor, List<I> batch) {
        try {
            List<O> out = predictor.predict(batch);
            if (out.size() != batch.size()) {
                throw new JugglerException("the translator of " + name + " returned " + out.size() + " outputs for "
                        + batch.size() + " inputs");
            }
            return out;
        } catch (TranslateException | RuntimeException e) {
            throw JugglerException.permanentFailure("inference on " + name + " failed for a batch of " + batch.size() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        predictors.close(model::close);
    }

    /** Configures a {@link DjlAccelerator}; each setter checks its value and names it. Not thread-safe. */
    public static final class Builder<I, O> {
        private final Path modelFile;
        private final Translator<List<I>, List<O>> translator;
        private String engine = DEFAULT_ENGINE;
        private String device = "auto";
        private String name;
        private int predictors = 1;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;

        private Builder(Path modelFile, Translator<List<I>, List<O>> translator) {
            this.modelFile = InvalidConfigException.required(modelFile, "modelFile");
            this.translator = InvalidConfigException.required(translator, "translator");
        }

        /** The DJL engine name; default {@value #DEFAULT_ENGINE}. */
        public Builder<I, O> engine(String value) {
            if (value == null || value.isBlank()) {
                throw InvalidConfigException.of("engine", value, "must name a DJL engine, e.g. OnnxRuntime");
            }
            this.engine = value;
            return this;
        }

        /** {@code auto} (default: GPU 0 if the engine sees one, else CPU), {@code cpu} or {@code gpuN}. */
        public Builder<I, O> device(String value) {
            if (value == null || !value.matches("auto|cpu|gpu[0-9]{1,3}")) {
                throw InvalidConfigException.of("device", value, "must be auto, cpu or gpuN (e.g. gpu0)");
            }
            this.device = value;
            return this;
        }

        /** The accelerator name; default from the device and engine, e.g. {@code cpu-1-onnxruntime}. */
        public Builder<I, O> name(String value) {
            if (value == null || value.isBlank()) {
                throw InvalidConfigException.of("name", value, "must not be blank");
            }
            this.name = value;
            return this;
        }

        /** Predictors that may run at once (one per pipeline inference thread); default 1. */
        public Builder<I, O> predictors(int count) {
            if (count < 1 || count > 64) {
                throw InvalidConfigException.of("predictors", count, "must be in 1..64");
            }
            this.predictors = count;
            return this;
        }

        /** Largest batch per model call; default 8. */
        public Builder<I, O> maxBatchSize(int frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("maxBatchSize", frames, "must be >= 1");
            }
            this.maxBatchSize = frames;
            return this;
        }

        /**
         * Loads the model.
         *
         * @throws JugglerException (permanent) if the file is missing, the engine is absent or cannot load it
         */
        public DjlAccelerator<I, O> build() {
            if (!Files.isRegularFile(modelFile)) {
                throw new JugglerException("model file " + modelFile + " does not exist");
            }
            return new DjlAccelerator<>(this);
        }
    }
}
