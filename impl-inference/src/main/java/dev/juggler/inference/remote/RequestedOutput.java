package dev.juggler.inference.remote;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An output a request asks for ({@code $request_output}): its name and parameters. The binary extension's
 * per-output {@code "binary_data": true|false} lives in the parameters; {@link #binary(String, boolean)}
 * sets it and {@link #binaryData()} reads it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the output tensor's name
 * @param parameters the output's protocol parameters
 */
public record RequestedOutput(String name, Map<String, Object> parameters) {

    /** The per-output parameter of the binary extension. */
    public static final String BINARY_DATA = "binary_data";

    /**
     * @throws InferenceProtocolException if a parameter is not a string, number or boolean, or
     *     {@code binary_data} is not a boolean
     */
    public RequestedOutput {
        Objects.requireNonNull(name, "name");
        parameters = Params.copy(parameters, "requested output '" + InferTensor.clip(name) + "'");
        Object flag = parameters.get(BINARY_DATA);
        if (flag != null && !(flag instanceof Boolean)) {
            throw new InferenceProtocolException("requested output '" + InferTensor.clip(name) + "': parameter "
                    + BINARY_DATA + " must be a boolean, not " + flag);
        }
    }

    /** The output {@code name} with the server's default encoding. */
    public static RequestedOutput of(String name) {
        return new RequestedOutput(name, Map.of());
    }

    /** The output {@code name}, asked for in binary ({@code true}) or explicitly in JSON ({@code false}). */
    public static RequestedOutput binary(String name, boolean binary) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(BINARY_DATA, binary);
        return new RequestedOutput(name, p);
    }

    /** The {@code binary_data} flag, empty when this output leaves it to the request. */
    public Optional<Boolean> binaryData() {
        return Optional.ofNullable((Boolean) parameters.get(BINARY_DATA));
    }
}
