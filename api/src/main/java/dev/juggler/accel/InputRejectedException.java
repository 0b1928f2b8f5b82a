package dev.juggler.accel;

import dev.juggler.JugglerException;

/**
 * An accelerator refused an input as bad: the same input fails on any device or server (a remote server
 * answering HTTP 400 to it, for example), while the accelerator itself is fine. Always permanent. A pipeline
 * that gets it for a single frame records that frame as damaged, with this message, and carries on with the
 * next; a batch that gets it is retried frame by frame to find the bad one.
 *
 * <p>Immutable and thread-safe.
 */
public class InputRejectedException extends JugglerException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message who refused the input and why, in the refuser's words
     * @param cause the underlying failure, or {@code null}
     */
    public InputRejectedException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
