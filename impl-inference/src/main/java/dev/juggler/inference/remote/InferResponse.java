package dev.juggler.inference.remote;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A successful inference response ({@code $inference_response}). A failed one is the error object that
 * {@link InferCodec#encodeError(String)} writes.
 *
 * <p>Immutable and thread-safe.
 *
 * @param modelName the model that answered; empty when the server left it out (Triton's binary examples do)
 * @param modelVersion the version that answered, if the server has versions
 * @param id the request's id, if it had one
 * @param parameters the response's protocol parameters
 * @param outputs the output tensors, with distinct names
 */
public record InferResponse(String modelName, Optional<String> modelVersion, Optional<String> id,
        Map<String, Object> parameters, List<InferTensor> outputs) {

    /**
     * @throws InferenceProtocolException if output names repeat or a parameter is not a string, number or
     *     boolean
     */
    public InferResponse {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(id, "id");
        parameters = Params.copy(parameters, "response");
        outputs = List.copyOf(outputs);
        Set<String> seen = new HashSet<>();
        for (InferTensor t : outputs) {
            if (!seen.add(t.name())) {
                throw new InferenceProtocolException("response: output '" + InferTensor.clip(t.name()) + "' appears twice");
            }
        }
    }

    /** A response of {@code modelName} without version, id or parameters. */
    public static InferResponse of(String modelName, List<InferTensor> outputs) {
        return new InferResponse(modelName, Optional.empty(), Optional.empty(), Map.of(), outputs);
    }

    /** The output called {@code name}. */
    public Optional<InferTensor> output(String name) {
        return outputs.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
