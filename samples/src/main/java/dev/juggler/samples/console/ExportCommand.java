package dev.juggler.samples.console;

import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.JugglerCli;
import dev.juggler.samples.config.Escape;
import java.io.PrintWriter;
import java.nio.file.Path;
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

    /** A progress line after this many tracks. */
    static final int PROGRESS_EVERY = 100;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The folder that receives one folder per track.")
    Path out;

    @Mixin
    TrackSelection selection = new TrackSelection();

    @Override
    void check() {
        selection.check(this, clock, null);
    }

    @Override
    int run(WorkLedger ledger, PrintWriter console) {
        TrackExporter exporter = new TrackExporter(ledger, out);
        long[] totals = {0, 0, 0}; // tracks, written, skipped
        int missing = 0;
        if (selection.byId()) {
            for (long id : selection.ids()) {
                Optional<TrackView> track = ledger.reader().track(id);
                if (track.isEmpty()) {
                    console.println("track " + id + ": no such track");
                    missing++;
                    continue;
                }
                export(exporter, track.get(), totals, console, selection.ids().size());
            }
        } else {
            long all = selection.count(ledger);
            selection.forEachMatch(ledger, track -> export(exporter, track, totals, console, all));
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
}
