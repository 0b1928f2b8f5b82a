package dev.juggler.ledger;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * @param analysis only chunks of tracks of this analysis
 * @param reasons only chunks whose failure reason is exactly one of these (a failure group's reasons)
 * @param window only chunks that failed (last changed) in this window
 */
public record RescheduleFilter(Optional<Long> trackId, Optional<String> tagKey, Optional<String> tagValue,
        Optional<Pattern> reasonPattern, Optional<String> videoId, Optional<String> analysis, Optional<Set<String>> reasons,
        TimeWindow window) {

    public RescheduleFilter {
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(videoId, "videoId");
        Objects.requireNonNull(tagKey, "tagKey");
        Objects.requireNonNull(tagValue, "tagValue");
        Objects.requireNonNull(reasonPattern, "reasonPattern");
        Objects.requireNonNull(analysis, "analysis");
        reasons = Objects.requireNonNull(reasons, "reasons").map(Set::copyOf);
        Objects.requireNonNull(window, "window");
        if (tagKey.isPresent() != tagValue.isPresent()) {
            throw new IllegalArgumentException("tagKey and tagValue go together");
        }
    }

    /** A filter by track, tag, reason and video. */
    public RescheduleFilter(Optional<Long> trackId, Optional<String> tagKey, Optional<String> tagValue,
            Optional<Pattern> reasonPattern, Optional<String> videoId) {
        this(trackId, tagKey, tagValue, reasonPattern, videoId, Optional.empty(), Optional.empty(), TimeWindow.always());
    }

    /** A filter without a video condition (the form before {@code videoId} existed). */
    public RescheduleFilter(Optional<Long> trackId, Optional<String> tagKey, Optional<String> tagValue,
            Optional<Pattern> reasonPattern) {
        this(trackId, tagKey, tagValue, reasonPattern, Optional.empty());
    }

    /** Every failed chunk (but set-aside ones, see {@link RescheduleOutcome#skipped()}). */
    public static RescheduleFilter all() {
        return new RescheduleFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The failed chunks of one video's tracks. */
    public static RescheduleFilter video(String videoId) {
        return all().andVideo(videoId);
    }

    public RescheduleFilter andVideo(String id) {
        return new RescheduleFilter(trackId, tagKey, tagValue, reasonPattern, Optional.of(Objects.requireNonNull(id, "videoId")),
                analysis, reasons, window);
    }

    public static RescheduleFilter track(long trackId) {
        return all().andTrack(trackId);
    }

    public RescheduleFilter andTrack(long id) {
        return new RescheduleFilter(Optional.of(id), tagKey, tagValue, reasonPattern, videoId, analysis, reasons, window);
    }

    public RescheduleFilter andTag(String key, String value) {
        return new RescheduleFilter(trackId, Optional.of(key), Optional.of(value), reasonPattern, videoId, analysis, reasons,
                window);
    }

    public RescheduleFilter andReason(String regex) {
        return andReason(Pattern.compile(regex));
    }

    public RescheduleFilter andReason(Pattern regex) {
        return new RescheduleFilter(trackId, tagKey, tagValue, Optional.of(regex), videoId, analysis, reasons, window);
    }

    public RescheduleFilter andAnalysis(String name) {
        return new RescheduleFilter(trackId, tagKey, tagValue, reasonPattern, videoId, Optional.of(name), reasons, window);
    }

    /** Only chunks whose reason is exactly one of {@code exact}. */
    public RescheduleFilter andReasonIn(Set<String> exact) {
        return new RescheduleFilter(trackId, tagKey, tagValue, reasonPattern, videoId, analysis, Optional.of(exact), window);
    }

    public RescheduleFilter within(TimeWindow value) {
        return new RescheduleFilter(trackId, tagKey, tagValue, reasonPattern, videoId, analysis, reasons, value);
    }

    /** Whether the filter names a failure reason; only such a filter re-schedules set-aside work. */
    public boolean namesReason() {
        return reasonPattern.isPresent() || reasons.isPresent();
    }

    /**
     * Whether a FAILED chunk with this reason passes the reason conditions. A chunk without a reason never
     * matches a pattern (as in the tables' reason filter) and is the reason {@code ""} of an exact set (as
     * {@link ReasonCount} lists it).
     */
    public boolean reasonMatches(String reason) {
        if (reasonPattern.isPresent() && (reason == null || !reasonPattern.get().matcher(reason).find())) {
            return false;
        }
        return reasons.map(r -> r.contains(reason == null ? "" : reason)).orElse(true);
    }
}
