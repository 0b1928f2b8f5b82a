package dev.juggler.samples.console;

import dev.juggler.ledger.TrackQuery;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.JugglerCli;
import dev.juggler.samples.config.Escape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code juggler export}: writes the stored results of the chosen tracks as OpenPose JSON folders
 * ({@link TrackExporter}), track by track, resumable. Not thread-safe: picocli runs a command once.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes OpenPose JSON folders (one per track, one file per frame) of the chosen tracks.",
            "Resumable: a re-run skips the files that exist. Only frames that are done have results."})
public final class ExportCommand extends OperatorCommand {

    /** Tracks read per ledger page. */
    static final int PAGE = 500;
    /** A progress line after this many tracks. */
    static final int PROGRESS_EVERY = 100;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The folder that receives one folder per track.")
    Path out;

    @Option(names = "--track", paramLabel = "ID", description = "A track to export (repeatable); instead of the filters.")
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

    @Override
    void check() {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        put(raw, ViewParams.STATE, state);
        put(raw, ViewParams.ANALYSIS, analysis);
        put(raw, ViewParams.SINCE, since);
        put(raw, ViewParams.UNTIL, until);
        videos.into(raw);
        if (!tracks.isEmpty() && !raw.isEmpty()) {
            throw usage("give --track IDs or filters (" + String.join(", ", raw.keySet().stream().map(k -> "--" + k).toList())
                    + "), not both");
        }
        params = ViewParams.parse(TableKind.TRACKS, raw, clock);
    }

    @Override
    int run(WorkLedger ledger, PrintWriter console) {
        TrackExporter exporter = new TrackExporter(ledger, out);
        long[] totals = {0, 0, 0}; // tracks, written, skipped
        int missing = 0;
        if (!tracks.isEmpty()) {
            for (long id : tracks) {
                Optional<TrackView> track = ledger.reader().track(id);
                if (track.isEmpty()) {
                    console.println("track " + id + ": no such track");
                    missing++;
                    continue;
                }
                export(exporter, track.get(), totals, console, tracks.size());
            }
        } else {
            long all = ledger.reader().countTracks(params.trackQuery());
            for (long offset = 0;; offset += PAGE) {
                List<TrackView> page = ledger.reader().tracks(TableViews.tracksPage(params, offset, PAGE).sortedBy(TrackQuery.Sort.ID,
                        false));
                for (TrackView track : page) {
                    export(exporter, track, totals, console, all);
                }
                if (page.size() < PAGE) {
                    break;
                }
            }
        }
        console.printf("Exported %d track(s) to %s: %s file(s) written, %s already there (skipped).%n", totals[0],
                Escape.quoted(out.toString()), Human.count(totals[1]), Human.count(totals[2]));
        return missing == 0 ? JugglerCli.OK : JugglerCli.FAILED;
    }

    private static void export(TrackExporter exporter, TrackView track, long[] totals, PrintWriter console, long all) {
        TrackExporter.TrackResult r = exporter.export(track);
        totals[0]++;
        totals[1] += r.written();
        totals[2] += r.skipped();
        if (r.written() > 0) {
            console.printf("track %d (%s) -> %s: %d written, %d skipped%n", track.trackId(), Escape.quoted(track.videoId()),
                    Escape.quoted(r.folder()), r.written(), r.skipped());
        }
        if (totals[0] % PROGRESS_EVERY == 0) {
            console.printf("... %d of %d tracks, %s written, %s skipped%n", totals[0], all, Human.count(totals[1]),
                    Human.count(totals[2]));
        }
        console.flush();
    }

    private static void put(Map<String, List<String>> raw, String key, String value) {
        if (value != null) {
            raw.put(key, List.of(value));
        }
    }
}
