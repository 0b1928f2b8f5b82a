package dev.juggler.inference.pose;

import dev.juggler.JugglerException;

/**
 * A model file is not on this machine. Permanent: the message names where it was looked for and the
 * command that gets it. Immutable and thread-safe.
 */
public class ModelNotFoundException extends JugglerException {
    private static final long serialVersionUID = 1L;

    /** @param message where the model was looked for and how to get it */
    public ModelNotFoundException(String message) {
        super(message, false, null);
    }
}
