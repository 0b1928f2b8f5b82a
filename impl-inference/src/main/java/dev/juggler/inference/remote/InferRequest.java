package dev.juggler.inference.remote;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An inference request ({@code $inference_request}): an optional id, parameters, the input tensors and
 * the outputs asked for (empty: the model's outputs with default settings). The model and its version
 * are not part of the body; they travel in the URL.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the request id that the response must echo, if any
 * @param parameters the request's protocol parameters (e.g. {@code binary_data_output})
 * @param inputs the input tensors, with distinct names
 * @param outputs the outputs asked for, with distinct names
 */
public record InferRequest(Optional<String> id, Map<String, Object> parameters, List<InferTensor> inputs,
        List<RequestedOutput> outputs) {

    /** The request-wide parameter of the binary extension: all outputs in binary unless overridden. */
    public static final String BINARY_DATA_OUTPUT = "binary_data_output";

    /**
     * @throws InferenceProtocolException if names repeat or a parameter is not a string, number or boolean
     */
    public InferRequest {
        Objects.requireNonNull(id, "id");
        parameters = Params.copy(parameters, "request");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        Object flag = parameters.get(BINARY_DATA_OUTPUT);
        if (flag != null && !(flag instanceof Boolean)) {
            throw new InferenceProtocolException("request: parameter " + BINARY_DATA_OUTPUT
                    + " must be a boolean, not " + flag);
        }
        Set<String> seen = new HashSet<>();
        for (InferTensor t : inputs) {
            if (!seen.add(t.name())) {
                throw new InferenceProtocolException("request: input '" + InferTensor.clip(t.name()) + "' appears twice");
            }
        }
        seen.clear();
        for (RequestedOutput o : outputs) {
            if (!seen.add(o.name())) {
                throw new InferenceProtocolException("request: output '" + InferTensor.clip(o.name()) + "' is asked for twice");
            }
        }
    }

    /** A request without id or parameters that asks for all outputs. */
    public static InferRequest of(List<InferTensor> inputs) {
        return new InferRequest(Optional.empty(), Map.of(), inputs, List.of());
    }

    /** A request without id or parameters. */
    public static InferRequest of(List<InferTensor> inputs, List<RequestedOutput> outputs) {
        return new InferRequest(Optional.empty(), Map.of(), inputs, outputs);
    }

    /** This request with {@code newId}. */
    public InferRequest withId(String newId) {
        return new InferRequest(Optional.of(newId), parameters, inputs, outputs);
    }

    /**
     * Whether the client wants output {@code outputName} as binary data: that output's {@code binary_data}
     * if given, else the request's {@code binary_data_output}, else {@code false}.
     */
    public boolean wantsBinary(String outputName) {
        for (RequestedOutput o : outputs) {
            if (o.name().equals(outputName) && o.binaryData().isPresent()) {
                return o.binaryData().get();
            }
        }
        return Boolean.TRUE.equals(parameters.get(BINARY_DATA_OUTPUT));
    }
}
