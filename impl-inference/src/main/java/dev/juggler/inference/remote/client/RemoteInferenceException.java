package dev.juggler.inference.remote.client;

import dev.juggler.JugglerException;
import java.util.OptionalInt;

/**
 * A remote inference call failed. {@link #badInput()} says whose fault it was: the request's (HTTP 400 or
 * 404: the same request fails on every server, so it is permanent and never retried elsewhere) or the
 * endpoint's (503, 424, other statuses, timeouts, refused or lost connections, a response that cannot be
 * read: transient, another endpoint may answer).
 *
 * <p>Messages name the endpoint by its URL without credentials and carry the server's error text. Immutable
 * and thread-safe.
 */
public final class RemoteInferenceException extends JugglerException {
    private static final long serialVersionUID = 1L;

    private final boolean badInput;
    private final int status;

    private RemoteInferenceException(String message, boolean badInput, int status, Throwable cause) {
        super(message, !badInput, cause);
        this.badInput = badInput;
        this.status = status;
    }

    /** The request was refused as bad input (permanent). */
    static RemoteInferenceException badInput(String message, int status) {
        return new RemoteInferenceException(message, true, status, null);
    }

    /** The endpoint could not answer (transient). */
    static RemoteInferenceException endpoint(String message, int status, Throwable cause) {
        return new RemoteInferenceException(message, false, status, cause);
    }

    /** {@code true} if the request itself was refused (HTTP 400 or 404); {@code false} for endpoint failures. */
    public boolean badInput() {
        return badInput;
    }

    /** The HTTP status the endpoint answered with; empty when no answer came (timeout, connection error). */
    public OptionalInt status() {
        return status > 0 ? OptionalInt.of(status) : OptionalInt.empty();
    }
}
