package dev.juggler.ledger;

import java.util.Objects;

/**
 * Where a derived track came from: the track it was computed from and the parameters it was computed with
 * (a cleaned pose track records its cleaner settings here). Immutable and thread-safe.
 *
 * @param sourceTrackId the track whose results were read
 * @param parameters the derivation's parameters, as the deriving tool wrote them (one line of text)
 */
public record TrackDerivation(long sourceTrackId, String parameters) {
    public TrackDerivation {
        Objects.requireNonNull(parameters, "parameters");
    }
}
