package dev.juggler.inference.remote.client;

import dev.juggler.inference.remote.InferRequest;
import dev.juggler.inference.remote.InferResponse;
import java.util.List;

/**
 * Turns a batch of a model's inputs into an inference request and the response back into one output per
 * input: what a {@link RemoteAccelerator} needs to know about the model it calls.
 *
 * <p>Implementations are thread-safe: batches are mapped from several threads at once.
 *
 * @param <I> the model's input per frame
 * @param <O> the model's output per frame
 */
public interface TensorMapping<I, O> {

    /** The request for {@code batch}, non-empty; it names the outputs it wants. */
    InferRequest request(List<I> batch);

    /**
     * One output per input of {@code batch}, in order, from the response to {@link #request(List)}.
     *
     * @throws dev.juggler.inference.remote.InferenceProtocolException if the response lacks an output or its
     *     shape does not fit the batch (the server runs another model)
     */
    List<O> outputs(InferResponse response, List<I> batch);

    /**
     * Checks that a model, as its server describes it, is one this mapping can talk to.
     *
     * @throws dev.juggler.InvalidConfigException naming the missing or different tensor if it is not
     */
    default void check(ModelMetadata model) {
    }
}
