package dev.juggler.samples.console;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.inference.clean.CleanSettings;
import dev.juggler.inference.clean.CleanedFrame;
import dev.juggler.inference.clean.LedgerCleaning;
import dev.juggler.inference.clean.TrackCleaner;
import dev.juggler.ledger.TrackDerivation;
import dev.juggler.ledger.TrackView;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.JugglerCli;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.doctor.Texts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code juggler clean}: cleans pose tracks ({@link LedgerCleaning}) into derived tracks {@code <analysis>+clean},
 * track by track; a failing track is reported and the others go on. With {@code --dry-run} it only counts, with
 * {@code --csv} it also writes a CSV time series per track. Not thread-safe: picocli runs a command once.
 */
@Command(name = "clean", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cleans pose tracks into derived tracks <analysis>+clean: stable person ids,",
            "left/right swaps and outliers corrected, short gaps filled, keypoints smoothed.",
            "The source tracks are only read. Choose the tracks with --track ID or filters,",
            "e.g. --analysis pose --state DONE."})
public final class CleanCommand extends OperatorCommand {

    /** A progress line after this many cleaned frames of one track. */
    static final long PROGRESS_EVERY = 100_000;

    @Mixin
    TrackSelection selection = new TrackSelection();

    @Mixin
    CleanOptions cleaning = new CleanOptions();

    @Option(names = "--fps", paramLabel = "X", description = "The frame rate of videos registered without one (fps 0).")
    Double fps;

    @Option(names = "--dry-run",
            description = "Clean in memory and say what would be written; nothing is written to the ledger (--csv files still are).")
    boolean dryRun;

    @Option(names = "--csv", paramLabel = "DIR", description = "Also write one CSV time series per track into DIR (one row per frame and person).")
    Path csv;

    private CleanSettings settings;

    @Override
    void check() {
        // Cleaning every track of a ledger by accident would be slow and seldom meant.
        selection.check(this, clock, "choose the tracks to clean: --track ID, or filters such as --analysis pose --state DONE");
        settings = cleaning.settings(spec.commandLine());
        if (fps != null && !(fps > 0 && fps <= 10_000)) {
            throw usage("--fps = " + fps + ": must be a frame rate above 0 (at most 10000)");
        }
        if (csv != null && Files.exists(csv) && !Files.isDirectory(csv)) {
            throw usage("--csv " + Escape.quoted(csv.toString()) + ": is a file, not a folder");
        }
    }

    @Override
    int run(WorkLedger ledger, PrintWriter console) {
        int cleaned = 0;
        int failed = 0;
        int skipped = 0;
        if (selection.byId()) {
            for (long id : selection.ids()) {
                Optional<TrackView> track = ledger.reader().track(id);
                Optional<String> derived = track.flatMap(t -> derivedFrom(ledger, t));
                if (track.isEmpty()) {
                    console.println("track " + id + ": no such track");
                } else if (derived.isPresent()) {
                    console.println(name(track.get()) + ": not cleaned, it is " + derived.get() + "; clean its source instead");
                } else if (clean(ledger, track.get(), console)) {
                    cleaned++;
                    continue;
                }
                failed++;
            }
        } else {
            List<TrackView> selected = selected(ledger);
            for (TrackView track : selected) {
                Optional<String> derived = derivedFrom(ledger, track);
                if (derived.isPresent()) {
                    console.println(name(track) + ": skipped, it is " + derived.get());
                    skipped++;
                } else if (clean(ledger, track, console)) {
                    cleaned++;
                } else {
                    failed++;
                }
            }
            if (selected.isEmpty()) {
                console.println("No track matches the filters.");
            }
        }
        console.printf("%s %d track(s)%s%s.%s%n", dryRun ? "Dry run: would clean" : "Cleaned", cleaned,
                failed > 0 ? ", " + failed + " failed" : "", skipped > 0 ? ", " + skipped + " skipped (cleaned tracks)" : "",
                dryRun ? " Nothing was written to the ledger." : "");
        return failed == 0 ? JugglerCli.OK : JugglerCli.FAILED;
    }

    /**
     * Every matching track, read before the first is cleaned: the derived tracks it adds would otherwise shift the
     * pages under the reading, and could match the filters themselves.
     */
    private List<TrackView> selected(WorkLedger ledger) {
        List<TrackView> all = new ArrayList<>();
        selection.forEachMatch(ledger, all::add);
        return all;
    }

    /** Cleans one track and says how it went; false if it failed (said on one line). */
    private boolean clean(WorkLedger ledger, TrackView track, PrintWriter console) {
        double rate = ledger.video(track.videoId()).map(r -> r.video().fps()).orElse(0.0);
        if (!(rate > 0)) {
            if (fps == null) {
                console.println(name(track) + ": the frame rate of video " + Escape.quoted(track.videoId()) + " is unknown; give --fps");
                return false;
            }
            rate = fps;
        }
        try {
            // Judged before the derived track is made, so a misfit leaves no empty derived track behind.
            TrackCleaner.requireFits(settings, rate);
        } catch (InvalidConfigException e) {
            console.println(name(track) + ": " + CleanOptions.asOption("--cutoff", e) + " (the video has " + rate + " fps)");
            return false;
        }
        try (CleanCsvFile file = csv == null ? null : CleanCsvFile.open(csv, track, rate)) {
            LedgerCleaning.Outcome outcome = new LedgerCleaning(ledger).clean(track.trackId(), track.analysis(), track.range(), rate,
                    settings, dryRun, progress(track, file, console));
            if (file != null) {
                file.commit();
            }
            report(track, outcome, file, console);
            return true;
        } catch (JugglerException e) {
            if (e.isTransient()) {
                throw e; // the ledger is gone: OperatorCommand says so once, not once per remaining track
            }
            console.println(name(track) + ": " + Texts.firstLine(e));
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            console.println(name(track) + ": " + Texts.firstLine(e));
        }
        console.flush();
        return false;
    }

    private Consumer<CleanedFrame> progress(TrackView track, CleanCsvFile file, PrintWriter console) {
        long[] frames = {0};
        return frame -> {
            if (file != null) {
                file.write(frame);
            }
            if (++frames[0] % PROGRESS_EVERY == 0) {
                console.printf("... track %d: %s frames cleaned%n", track.trackId(), Human.count(frames[0]));
                console.flush();
            }
        };
    }

    private void report(TrackView track, LedgerCleaning.Outcome outcome, CleanCsvFile file, PrintWriter console) {
        String cleanedName = Escape.quoted(CleanSettings.cleanedName(track.analysis()));
        String counts = outcome.stats().summary() + ", " + outcome.unreadable() + " unreadable results";
        if (dryRun) {
            console.println(name(track) + " -> " + cleanedName + " (dry run, nothing written): would write " + counts);
        } else {
            console.println(name(track) + " -> track " + outcome.derivedTrackId() + " " + cleanedName + ": " + counts);
        }
        if (file != null) {
            console.println("  CSV: " + Escape.quoted(file.target().toString()));
        }
        if (!dryRun) {
            console.println("  export it as OpenPose JSON: juggler export --track " + outcome.derivedTrackId() + " --out DIR");
        }
        console.flush();
    }

    /** What the track is derived from, if it is a derived track (cleaning a cleaned track would stack the filters). */
    private static Optional<String> derivedFrom(WorkLedger ledger, TrackView track) {
        Optional<TrackDerivation> derivation = ledger.derivation(track.trackId());
        if (derivation.isPresent()) {
            return Optional.of("derived from track " + derivation.get().sourceTrackId());
        }
        return track.analysis().endsWith(CleanSettings.SUFFIX) ? Optional.of("of a cleaned analysis") : Optional.empty();
    }

    private static String name(TrackView track) {
        return "track " + track.trackId() + " " + Escape.quoted(track.videoId()) + " " + Escape.quoted(track.analysis());
    }
}
