package dev.juggler.samples.console;

import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The tracks an operator command works on ({@code juggler export}, {@code juggler clean}): {@code --track ID}s or
 * the track table's filters, never both. Not thread-safe: picocli fills it once.
 */
final class TrackSelection {
    /** Tracks read per ledger page. */
    static final int PAGE = 500;

    @Option(names = "--track", paramLabel = "ID", description = "A track (repeatable); instead of the filters.")
    List<Long> tracks = new ArrayList<>();

    @Option(names = "--state", paramLabel = "STATE", description = "Only tracks in this state (DONE, FAILED, RUNNING, PENDING).")
    String state;

    @Option(names = "--analysis", paramLabel = "NAME", description = "Only tracks of this analysis.")
    String analysis;

    @Option(names = "--since", paramLabel = "TIME", description = "Only tracks with a range changed at or after TIME.")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only tracks with a range changed before TIME.")
    String until;

    @Mixin
    TableCommands.VideoFilters videos = new TableCommands.VideoFilters();

    private ViewParams params;

    /**
     * Checks the options: IDs and filters exclude each other, and with {@code neither} set one of them is required
     * ({@code neither} is then the usage message).
     */
    void check(OperatorCommand command, Clock clock, String neither) {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        put(raw, ViewParams.STATE, state);
        put(raw, ViewParams.ANALYSIS, analysis);
        put(raw, ViewParams.SINCE, since);
        put(raw, ViewParams.UNTIL, until);
        videos.into(raw);
        if (!tracks.isEmpty() && !raw.isEmpty()) {
            throw command.usage("give --track IDs or filters (" + String.join(", ", raw.keySet().stream().map(k -> "--" + k).toList())
                    + "), not both");
        }
        if (neither != null && tracks.isEmpty() && raw.isEmpty()) {
            throw command.usage(neither);
        }
        params = ViewParams.parse(TableKind.TRACKS, raw, clock);
    }

    /** Whether tracks were named by id. */
    boolean byId() {
        return !tracks.isEmpty();
    }

    /** The named track ids, each once, in the order given. */
    Set<Long> ids() {
        return new LinkedHashSet<>(tracks);
    }

    /** How many tracks the filters match, up to the ledger's count limit. */
    long count(WorkLedger ledger) {
        return ledger.reader().countTracks(params.trackQuery());
    }

    /** Every track the filters match, by id, a page at a time. */
    void forEachMatch(WorkLedger ledger, Consumer<TrackView> each) {
        for (long offset = 0;; offset += PAGE) {
            List<TrackView> page = ledger.reader().tracks(TableViews.tracksPage(params, offset, PAGE).sortedBy(TrackQuery.Sort.ID,
                    false));
            page.forEach(each);
            if (page.size() < PAGE) {
                return;
            }
        }
    }

    private static void put(Map<String, List<String>> raw, String key, String value) {
        if (value != null) {
            raw.put(key, List.of(value));
        }
    }
}
