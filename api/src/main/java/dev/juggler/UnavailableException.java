package dev.juggler;

import java.time.Instant;
import java.util.Optional;

/**
 * A remote party (database, cluster controller, SSH host) could not be reached or did not answer in
 * time. Always transient. Carries the instant from which the party has been unavailable when known, so
 * an operator sees "unavailable since 03:12" rather than a pile of timeouts.
 * Immutable and thread-safe.
 */
public class UnavailableException extends JugglerException {
    private static final long serialVersionUID = 1L;

    private final Instant since;

    public UnavailableException(String message, Instant since, Throwable cause) {
        super(message, true, cause);
        this.since = since;
    }

    /** When the party was first seen unavailable in the current outage, if known. */
    public Optional<Instant> since() {
        return Optional.ofNullable(since);
    }
}
