package dev.juggler.inference.remote.client;

import dev.juggler.inference.remote.TensorSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code GET /v2/models/{m}} says about a model: its name, versions, platform and tensors.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the model's name
 * @param versions the versions the server has, possibly empty
 * @param platform the framework, or {@code ""}
 * @param inputs the inputs
 * @param outputs the outputs
 */
public record ModelMetadata(String name, List<String> versions, String platform, List<TensorSpec> inputs,
        List<TensorSpec> outputs) {

    /** Copies the lists. */
    public ModelMetadata {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(platform, "platform");
        versions = List.copyOf(versions);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The input called {@code tensor}, if the model has one. */
    public Optional<TensorSpec> input(String tensor) {
        return inputs.stream().filter(t -> t.name().equals(tensor)).findFirst();
    }

    /** The output called {@code tensor}, if the model has one. */
    public Optional<TensorSpec> output(String tensor) {
        return outputs.stream().filter(t -> t.name().equals(tensor)).findFirst();
    }
}
