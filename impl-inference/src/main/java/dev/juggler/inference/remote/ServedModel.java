package dev.juggler.inference.remote;

import java.util.List;

/**
 * A model that an inference server runs on batches of tensors. Every input and output has the batch
 * dimension first: the server concatenates the rows of several requests along it (dynamic batching),
 * calls {@link #run} with at most {@link #maxBatchSize()} rows, and splits the outputs back by rows.
 *
 * <p>The server has checked the inputs against {@link #inputs()} (names, datatypes, fixed dimensions, the
 * same row count in every input) before {@link #run} sees them. {@link #run} returns every output of
 * {@link #outputs()}, each with as many rows as the inputs; it throws a permanent
 * {@link dev.juggler.JugglerException} for an input the model cannot take and a transient one when the
 * device fails.
 *
 * <p>Implementations are thread-safe: a server may run batches from several threads at once.
 */
public interface ServedModel extends AutoCloseable {

    /** The longest model name (or version) a URL may carry. */
    int MAX_NAME = 100;

    /**
     * Checks a model name or version: letters, digits, {@code ._-}, at most {@value #MAX_NAME} characters, so that
     * it can stand in a URL path as it is.
     *
     * @return {@code name}
     * @throws dev.juggler.InvalidConfigException if it is anything else
     */
    static String requireName(String what, String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1," + MAX_NAME + "}")) {
            throw dev.juggler.InvalidConfigException.of(what, name, "use letters, digits, '.', '_' and '-' (at most "
                    + MAX_NAME + ")");
        }
        return name;
    }

    /** The model's name in URLs, e.g. {@code blazepose}: see {@link #requireName}. */
    String name();

    /** The version served, e.g. {@code "1"}. */
    default String version() {
        return "1";
    }

    /** The framework, as Triton reports it, e.g. {@code tflite} or {@code onnxruntime}. */
    String platform();

    /** The inputs, batch dimension first ({@code -1}). */
    List<TensorSpec> inputs();

    /** The outputs, batch dimension first ({@code -1}). */
    List<TensorSpec> outputs();

    /** The most rows one {@link #run} takes; at least 1. */
    int maxBatchSize();

    /**
     * Runs the model on {@code inputs} (in the order of {@link #inputs()}), all with the same number of rows.
     *
     * @return the outputs in the order of {@link #outputs()}, each with as many rows as the inputs
     */
    List<InferTensor> run(List<InferTensor> inputs);

    /** Frees the model; idempotent. */
    @Override
    void close();
}
