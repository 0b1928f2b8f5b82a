package dev.juggler.inference.djl;

import dev.juggler.JugglerException;

/**
 * An ONNX file that cannot be served: ONNX Runtime cannot load it (not an ONNX model, a corrupt one), or its
 * signature does not fit the inference protocol (an element type the protocol lacks, a fixed first
 * dimension where the batch must go). Permanent: the same file fails every time; the message names the file
 * and what is wrong. Immutable and thread-safe.
 */
public class OnnxModelException extends JugglerException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the file and what is wrong with it
     * @param cause the engine's exception, or {@code null}
     */
    public OnnxModelException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
