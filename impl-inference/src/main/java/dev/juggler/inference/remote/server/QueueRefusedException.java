package dev.juggler.inference.remote.server;

import dev.juggler.JugglerException;

/**
 * The batcher did not take a request: its queue is full, or it is closing. Transient: the same request may
 * be taken later. The server answers it with 503 and {@code Retry-After}. Immutable and thread-safe.
 */
final class QueueRefusedException extends JugglerException {
    private static final long serialVersionUID = 1L;

    QueueRefusedException(String message) {
        super(message, true, null);
    }
}
