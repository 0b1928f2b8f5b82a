package dev.juggler;

/**
 * An id (video, track, chunk, job) that the callee does not know. Permanent. Immutable and
 * thread-safe.
 */
public class NotFoundException extends JugglerException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String what, Object id) {
        super(what + " not found: " + id, false, null);
    }
}
