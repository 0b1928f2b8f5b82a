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
 * @param videoId only chunks of tracks of this video
 */
public record RescheduleFilter(Optional<Long> trackId, Optional<String> tagKey, Optional<String> tagValue,
        Optional<Pattern> reasonPattern, Optional<String> videoId) {

    public RescheduleFilter {
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(videoId, "videoId");
        Objects.requireNonNull(tagKey, "tagKey");
        Objects.requireNonNull(tagValue, "tagValue");
        Objects.requireNonNull(reasonPattern, "reasonPattern");
        if (tagKey.isPresent() != tagValue.isPresent()) {
            throw new IllegalArgumentException("tagKey and tagValue go together");
        }
    }

    /** A filter without a video condition (the form before {@code videoId} existed). */
    public RescheduleFilter(Optional<Long> trackId, Optional<String> tagKey, Optional<String> tagValue,
            Optional<Pattern> reasonPattern) {
        this(trackId, tagKey, tagValue, reasonPattern, Optional.empty());
    }

    /** Every failed chunk. */
    public static RescheduleFilter all() {
        return new RescheduleFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The failed chunks of one video's tracks. */
    public static RescheduleFilter video(String videoId) {
        return all().andVideo(videoId);
    }

    public RescheduleFilter andVideo(String id) {
        return new RescheduleFilter(trackId, tagKey, tagValue, reasonPattern, Optional.of(Objects.requireNonNull(id, "videoId")));
    }

    public static RescheduleFilter track(long trackId) {
        return all().andTrack(trackId);
    }

    public RescheduleFilter andTrack(long id) {
        return new RescheduleFilter(Optional.of(id), tagKey, tagValue, reasonPattern, videoId);
    }

    public RescheduleFilter andTag(String key, String value) {
        return new RescheduleFilter(trackId, Optional.of(key), Optional.of(value), reasonPattern, videoId);
    }

    public RescheduleFilter andReason(String regex) {
        return new RescheduleFilter(trackId, tagKey, tagValue, Optional.of(Pattern.compile(regex)), videoId);
    }
}
