package dev.juggler.samples.console;

import dev.juggler.ledger.RunReport;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.samples.config.Escape;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code juggler status}: the status panel as text or JSON, from the ledger and the jugglers' last reports, so it
 * works from any machine that reaches the ledger, whether the juggler runs or not. Not thread-safe: picocli runs a
 * command once.
 */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Shows the status panel: jobs, tracks, frames, throughput, ETA, workspace, cluster outages, problems.")
public final class StatusCommand extends OperatorCommand {

    enum Format { TEXT, JSON }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text (default) or json.")
    String formatText;

    private Format format;

    @Override
    void check() {
        format = Formats.parse(this, formatText, Format.values());
    }

    @Override
    int run(WorkLedger ledger, PrintWriter out) {
        StatusSnapshot s = StatusSnapshot.read(ledger.reader(), clock);
        if (format == Format.JSON) {
            out.println(s.toJson());
        } else {
            print(s, out);
        }
        return 0;
    }

    /** The panel as lines of text; every value from the data escaped. */
    static void print(StatusSnapshot s, PrintWriter out) {
        WorkEstimate f = s.frames();
        out.printf("Jobs queued:      %s%n", Human.count(s.jobsQueued()));
        out.printf("Jobs running:     %s%n", Human.count(s.jobsRunning()));
        out.printf("Tracks completed: %s of %s%n", Human.count(s.tracksDone()), Human.count(s.tracksTotal()));
        out.printf("Tracks failed:    %s%n", Human.count(s.tracksFailed()));
        out.printf("Tracks running:   %s%n", Human.count(s.tracksRunning()));
        out.printf("Tracks pending:   %s%n", Human.count(s.tracksPending()));
        out.printf(Locale.ROOT, "Frames done:      %s of %s (%.1f %%); %s running, %s failed, %s pending%n", Human.count(f.doneFrames()),
                Human.count(f.totalFrames()), s.percentDone(), Human.count(f.leasedFrames()), Human.count(f.failedFrames()),
                Human.count(f.claimableFrames() + f.waitingFrames()));
        out.printf(Locale.ROOT, "Throughput:       %.1f frames/s over the last hour%n", s.framesPerSecond());
        out.println("ETA:              " + s.eta().map(eta -> Human.duration(eta) + " (about " + TimeText.format(s.at().plus(eta)) + ")")
                .orElse(f.isSettled() ? "nothing left to do" : "unknown (no frames done in the last hour)"));
        if (s.runs().isEmpty()) {
            out.println("Juggler:          no report in the ledger (no `juggler run` has reported yet)");
        }
        for (StatusSnapshot.RunStatus run : s.runs()) {
            RunReport r = run.report();
            String name = Escape.quoted(r.runKey());
            if (!run.reporting() && s.frames().isSettled()) {
                // Nothing is left to do: a juggler that stopped then is done, not in trouble.
                out.println("Juggler " + name + ": last reported " + TimeText.format(r.at()) + " (nothing is left to do)");
            } else if (!run.reporting()) {
                out.println("Juggler " + name + ": NOT REPORTING since " + TimeText.format(r.at())
                        + " (its next update was due " + TimeText.format(r.nextTick()) + "); the values below are from then");
            } else {
                out.println("Juggler " + name + ": reported " + TimeText.format(r.at()) + ", next update " + TimeText.format(r.nextTick()));
            }
            out.printf("  Jobs:           %d queued, %d running%n", r.jobsPending(), r.jobsRunning());
            if (r.workspaceBudgetBytes() > 0) {
                out.printf(Locale.ROOT, "  Workspace:      %s of %s (%.0f %%)%n", Human.bytes(r.workspaceUsedBytes()),
                        Human.bytes(r.workspaceBudgetBytes()), 100.0 * r.workspaceUsedBytes() / r.workspaceBudgetBytes());
            } else {
                out.printf("  Workspace:      %s (no budget)%n", Human.bytes(r.workspaceUsedBytes()));
            }
            if (r.videosStaging() > 0) {
                out.printf("  Uploading:      %d video(s)%n", r.videosStaging());
            }
            r.clusterUnavailableSince().ifPresent(since -> out.println("  CLUSTER UNREACHABLE since " + TimeText.format(since)));
            r.problems().forEach(p -> out.println("  Problem:        " + Escape.visible(p)));
            r.waiting().forEach(w -> out.println("  Waiting:        " + Escape.visible(w)));
        }
    }
}
