package dev.juggler;

/**
 * The root of every exception Juggler throws. Each instance says whether the failure is
 * {@linkplain #isTransient() transient} (the same call may succeed later: a lost connection, a
 * cluster controller that is restarting) or permanent (retrying the same call cannot help: a corrupt
 * video, a stale lease token, an invalid setting).
 *
 * <p>Messages carry the diagnostic state (ids, values, what to do) but never secrets.
 *
 * <p>Instances are immutable and therefore thread-safe.
 */
public class JugglerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    /**
     * @param message what failed, with the state needed to diagnose it
     * @param transientFailure {@code true} if retrying later may succeed
     * @param cause the underlying failure, or {@code null}
     */
    public JugglerException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** A permanent failure without a cause. */
    public JugglerException(String message) {
        this(message, false, null);
    }

    /** A failure that may go away: the same call may succeed later (a lost connection, a restarting server). */
    public static JugglerException transientFailure(String message, Throwable cause) {
        return new JugglerException(message, true, cause);
    }

    /** A failure that retrying the same call cannot mend (a corrupt input, a refused setting). */
    public static JugglerException permanentFailure(String message, Throwable cause) {
        return new JugglerException(message, false, cause);
    }

    /** {@code true} if the same operation may succeed when retried later. */
    public boolean isTransient() {
        return transientFailure;
    }
}
