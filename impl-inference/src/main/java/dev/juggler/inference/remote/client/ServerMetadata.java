package dev.juggler.inference.remote.client;

import java.util.Objects;
import java.util.Set;

/**
 * What {@code GET /v2} says about a server: its name, version and protocol extensions (e.g.
 * {@code binary_tensor_data}). Servers that answer that call with nothing useful get empty values.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the server's name, or {@code ""}
 * @param version its version, or {@code ""}
 * @param extensions the extensions it lists
 */
public record ServerMetadata(String name, String version, Set<String> extensions) {

    /** The extension that lets tensors travel as raw bytes after the JSON. */
    public static final String BINARY_TENSOR_DATA = "binary_tensor_data";
    /** The extension of Triton's {@code /v2/models/{m}/stats}. */
    public static final String STATISTICS = "statistics";

    /** Copies the extensions. */
    public ServerMetadata {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        extensions = Set.copyOf(extensions);
    }

    /** {@code true} if the server takes and sends tensors as binary data. */
    public boolean binaryTensors() {
        return extensions.contains(BINARY_TENSOR_DATA);
    }
}
