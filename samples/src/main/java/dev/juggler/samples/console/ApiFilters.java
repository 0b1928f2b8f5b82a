package dev.juggler.samples.console;

import dev.juggler.ledger.ReasonLike;
import dev.juggler.ledger.RescheduleFilter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The re-schedule filter of the API's {@code POST reschedule {"filter": {...}}}: the view keys that select failed
 * chunks ({@code track}, {@code video}, {@code analysis}, one {@code tag}, {@code reason}, {@code since},
 * {@code until}), checked by {@link ViewParams} so that they mean exactly what they mean in a table's URL. A
 * filter without any of them would match every failure: it must say so with {@code "all": "true"}, as the
 * command line wants {@code --all-failures}. Stateless and thread-safe.
 */
final class ApiFilters {

    /** The keys a re-schedule filter takes. */
    static final List<String> KEYS = List.of("track", "video", "analysis", "tag", "reason", "since", "until", "all");

    private ApiFilters() {
    }

    /**
     * @throws BadViewParameter for an unknown key or a bad value
     */
    static RescheduleFilter rescheduleFilter(Map<String, List<String>> raw, Clock clock) {
        Map<String, List<String>> chunkKeys = new LinkedHashMap<>();
        List<String> analysis = List.of();
        boolean all = false;
        for (Map.Entry<String, List<String>> e : raw.entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                throw BadViewParameter.of(e.getKey(), null, "not a re-schedule filter key", KEYS);
            }
            if (e.getKey().equals("all")) {
                if (!e.getValue().equals(List.of("true"))) {
                    throw BadViewParameter.of("all", String.join(",", e.getValue()), "only \"true\" (every failure) is meant",
                            List.of("true"));
                }
                all = true;
            } else if (e.getKey().equals("analysis")) {
                analysis = e.getValue().stream().filter(v -> v != null && !v.isEmpty()).toList();
            } else {
                chunkKeys.put(e.getKey(), e.getValue());
            }
        }
        if (!all && chunkKeys.isEmpty() && analysis.isEmpty()) {
            throw BadViewParameter.of("filter", "{}", "an empty filter re-schedules every failure; send \"all\": \"true\" to mean that",
                    KEYS);
        }
        ViewParams view = ViewParams.parse(TableKind.CHUNKS, chunkKeys, clock);
        if (analysis.size() > 1) {
            throw BadViewParameter.of("analysis", analysis.get(1), "given " + analysis.size() + " times; give it once", List.of());
        }
        if (view.tags().size() > 1) {
            throw BadViewParameter.of("tag", String.join(", ", view.tags().keySet()), "a re-schedule filter takes one tag",
                    List.of());
        }
        RescheduleFilter filter = RescheduleFilter.all().within(view.window());
        if (view.track().isPresent()) {
            filter = filter.andTrack(view.track().get());
        }
        if (view.video().isPresent()) {
            filter = filter.andVideo(view.video().get());
        }
        if (!analysis.isEmpty()) {
            filter = filter.andAnalysis(analysis.get(0));
        }
        for (Map.Entry<String, String> tag : view.tags().entrySet()) {
            filter = filter.andTag(tag.getKey(), tag.getValue());
        }
        if (view.reason().isPresent()) {
            filter = filter.andReason(ReasonLike.toRegex(view.reason().get()));
        }
        return filter;
    }
}
