package dev.juggler.inference.remote;

import dev.juggler.JugglerException;

/**
 * A value or an HTTP body does not follow the Open Inference Protocol: an unknown datatype, data that do
 * not fit the shape, a binary section that does not fit the body, a tensor larger than the configured
 * limit. The message names the tensor (or the field) and what is wrong. Always permanent: the same bytes
 * are wrong every time.
 *
 * <p>Immutable and thread-safe.
 */
public class InferenceProtocolException extends JugglerException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and where
     * @param cause the parser's exception, or {@code null}
     */
    public InferenceProtocolException(String message, Throwable cause) {
        super(message, false, cause);
    }

    /** A permanent protocol error without a cause. */
    public InferenceProtocolException(String message) {
        this(message, null);
    }
}
