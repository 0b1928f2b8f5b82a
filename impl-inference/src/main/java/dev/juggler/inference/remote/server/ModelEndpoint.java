package dev.juggler.inference.remote.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.juggler.InvalidConfigException;
import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferTensor;
import dev.juggler.inference.remote.InferenceProtocolException;
import dev.juggler.inference.remote.RequestedOutput;
import dev.juggler.inference.remote.ServedModel;
import dev.juggler.inference.remote.TensorSpec;
import dev.juggler.inference.remote.server.ServerStats.ModelStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One served model as the server sees it: its specs, checked once at start, the checks of a request
 * against them, its metadata, its batcher and its totals. Immutable after construction and thread-safe
 * (the batcher and the totals are).
 */
final class ModelEndpoint {


    final ServedModel model;
    final String name;
    final String version;
    final ModelStats stats;
    final DynamicBatcher batcher;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    /** Wraps {@code model}; {@code batcherFactory} builds the batcher once the model is checked. */
    ModelEndpoint(ServedModel model, ModelStats stats, java.util.function.Function<ModelEndpoint,
            DynamicBatcher> batcherFactory) {
        this.model = model;
        this.name = model.name();
        this.version = model.version();
        this.inputs = List.copyOf(model.inputs());
        this.outputs = List.copyOf(model.outputs());
        this.stats = stats;
        this.batcher = batcherFactory.apply(this);
    }

    /**
     * Checks what the server needs of a model before it serves it.
     *
     * @throws InvalidConfigException naming the model and what is wrong
     */
    static void check(ServedModel model) {
        String name = ServedModel.requireName("served model name", model.name());
        if (name.equals("stats")) {
            throw InvalidConfigException.of("served model name", name, "must not be \"stats\", a path of its own");
        }
        ServedModel.requireName("model " + name + " version", model.version());
        if (model.maxBatchSize() < 1) {
            throw InvalidConfigException.of("model " + name + " maxBatchSize", model.maxBatchSize(), "must be >= 1");
        }
        checkSpecs(name, "input", model.inputs());
        checkSpecs(name, "output", model.outputs());
    }

    private static void checkSpecs(String model, String kind, List<TensorSpec> specs) {
        if (specs == null || specs.isEmpty()) {
            throw new InvalidConfigException("model " + model + ": it declares no " + kind + "s");
        }
        for (TensorSpec s : specs) {
            long[] shape = s.shape();
            if (shape.length == 0 || shape[0] != -1) {
                throw InvalidConfigException.of("model " + model + " " + kind + " " + s.name(), s,
                        "a served model's tensors need the batch dimension -1 first");
            }
        }
        if (specs.stream().map(TensorSpec::name).distinct().count() != specs.size()) {
            throw new InvalidConfigException("model " + model + ": two " + kind + "s share a name: " + specs);
        }
    }

    /**
     * The request's inputs in the model's order, checked against the specs.
     *
     * @throws InferenceProtocolException naming the input and the defect
     */
    List<InferTensor> checkInputs(InferRequest request) {
        Map<String, InferTensor> given = new HashMap<>();
        for (InferTensor t : request.inputs()) {
            given.put(t.name(), t);
        }
        for (String n : given.keySet()) {
            if (inputs.stream().noneMatch(s -> s.name().equals(n))) {
                throw new InferenceProtocolException("model " + name + " has no input '" + clip(n) + "'; its inputs are "
                        + describe(inputs));
            }
        }
        List<InferTensor> ordered = new ArrayList<>(inputs.size());
        long rows = -1;
        String first = null;
        for (TensorSpec spec : inputs) {
            InferTensor t = given.get(spec.name());
            if (t == null) {
                throw new InferenceProtocolException("input '" + spec.name() + "' is missing; model " + name
                        + " takes " + describe(inputs));
            }
            if (t.datatype() != spec.datatype()) {
                throw new InferenceProtocolException("input '" + spec.name() + "' is " + t.datatype() + " but model "
                        + name + " takes " + spec);
            }
            long[] shape = t.shape();
            if (!spec.accepts(shape)) {
                throw new InferenceProtocolException("input '" + spec.name() + "' has shape " + shapeText(shape)
                        + " but model " + name + " takes " + spec + " (-1: any size)");
            }
            if (shape[0] == 0) {
                throw new InferenceProtocolException("input '" + spec.name() + "' has 0 rows; send at least one");
            }
            if (rows >= 0 && shape[0] != rows) {
                throw new InferenceProtocolException("input '" + spec.name() + "' has " + shape[0] + " rows but input '"
                        + first + "' has " + rows + "; every input needs the same number of rows");
            }
            rows = shape[0];
            first = spec.name();
            ordered.add(t);
        }
        return ordered;
    }

    /**
     * The indexes in the model's outputs of the outputs to answer with, in the order asked: all when the
     * request names none.
     *
     * @throws InferenceProtocolException for an output the model does not have
     */
    List<Integer> requestedOutputs(InferRequest request) {
        List<Integer> which = new ArrayList<>();
        if (request.outputs().isEmpty()) {
            for (int i = 0; i < outputs.size(); i++) {
                which.add(i);
            }
            return which;
        }
        for (RequestedOutput o : request.outputs()) {
            int index = -1;
            for (int i = 0; i < outputs.size(); i++) {
                if (outputs.get(i).name().equals(o.name())) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new InferenceProtocolException("model " + name + " has no output '" + clip(o.name())
                        + "'; its outputs are " + describe(outputs));
            }
            which.add(index);
        }
        return which;
    }

    /** Writes the model metadata object ({@code $metadata_model_response}). */
    void writeMetadata(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeArrayFieldStart("versions");
        g.writeString(version);
        g.writeEndArray();
        g.writeStringField("platform", model.platform());
        writeSpecs(g, "inputs", inputs);
        writeSpecs(g, "outputs", outputs);
        g.writeEndObject();
    }

    private static void writeSpecs(JsonGenerator g, String field, List<TensorSpec> specs) throws IOException {
        g.writeArrayFieldStart(field);
        for (TensorSpec s : specs) {
            g.writeStartObject();
            g.writeStringField("name", s.name());
            g.writeStringField("datatype", s.datatype().wireName());
            g.writeArrayFieldStart("shape");
            for (long d : s.shape()) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static String describe(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }

    private static String shapeText(long[] shape) {
        return shape.length > 16 ? "of rank " + shape.length : Arrays.toString(shape);
    }

    /** A name from the wire, cut short so that a hostile request cannot flood a message or a log. */
    static String clip(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }
}
