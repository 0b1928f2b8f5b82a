package dev.juggler.ledger;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which FAILED chunks to put back to pending. Empty fields match everything; set fields must all
 * match. Immutable and thread-safe.
 *
 * @param trackId only chunks of this track
 * @param tagKey with {@code tagValue}: only chunks of videos that carry this tag
 * @param tagValue the tag's value
 * @param reasonPattern only chunks whose failure reason contains a match of this regular expression
 */
public record RescheduleFilter(Optional<Long> trackId, Optional<String> tagKey, Optional<String> tagValue,
        Optional<Pattern> reasonPattern) {

    public RescheduleFilter {
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(tagKey, "tagKey");
        Objects.requireNonNull(tagValue, "tagValue");
        Objects.requireNonNull(reasonPattern, "reasonPattern");
        if (tagKey.isPresent() != tagValue.isPresent()) {
            throw new IllegalArgumentException("tagKey and tagValue go together");
        }
    }

    /** Every failed chunk. */
    public static RescheduleFilter all() {
        return new RescheduleFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static RescheduleFilter track(long trackId) {
        return all().andTrack(trackId);
    }

    public RescheduleFilter andTrack(long id) {
        return new RescheduleFilter(Optional.of(id), tagKey, tagValue, reasonPattern);
    }

    public RescheduleFilter andTag(String key, String value) {
        return new RescheduleFilter(trackId, Optional.of(key), Optional.of(value), reasonPattern);
    }

    public RescheduleFilter andReason(String regex) {
        return new RescheduleFilter(trackId, tagKey, tagValue, Optional.of(Pattern.compile(regex)));
    }
}
