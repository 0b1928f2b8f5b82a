package dev.juggler.samples.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.juggler.cluster.JobState;
import dev.juggler.ledger.JobQuery;
import dev.juggler.ledger.LedgerReader;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.RunReport;
import dev.juggler.ledger.WorkEstimate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The status panel: what the ledger says about progress and what each juggler last reported about itself,
 * read once. The command line prints it ({@code juggler status}); the web console renders the same snapshot
 * from {@link #toJson()}. Immutable and thread-safe.
 *
 * @param at when it was read
 * @param tracksDone tracks all of whose frames are done
 * @param tracksFailed tracks with failed frames and nothing pending or running
 * @param tracksRunning tracks with a leased chunk
 * @param tracksPending the other tracks
 * @param frames frames by state
 * @param framesPerSecond frames done per second over the last hour
 * @param eta time to finish the pending and running frames at that rate; empty when nothing was done lately
 * @param jobsQueued worker jobs waiting in the cluster's queue: from the reports of the jugglers that are
 *     reporting, else from the job records
 * @param jobsRunning worker jobs running, likewise
 * @param runs every juggler's last report, most recent first
 */
public record StatusSnapshot(Instant at, long tracksDone, long tracksFailed, long tracksRunning, long tracksPending,
        WorkEstimate frames, double framesPerSecond, Optional<Duration> eta, long jobsQueued, long jobsRunning,
        List<RunStatus> runs) {

    /** A report is stale when it is this many tick intervals past its next tick. */
    public static final int STALE_TICKS = 3;

    public StatusSnapshot {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(frames, "frames");
        Objects.requireNonNull(eta, "eta");
        runs = List.copyOf(runs);
    }

    /**
     * One juggler as its last report shows it. Immutable and thread-safe.
     *
     * @param report the report as stored
     * @param reporting whether the juggler still reports: a report is stale once now is later than its next tick
     *     plus {@value StatusSnapshot#STALE_TICKS} tick intervals (the interval being next tick − report time)
     */
    public record RunStatus(RunReport report, boolean reporting) {
        public RunStatus {
            Objects.requireNonNull(report, "report");
        }

        /** When the juggler stopped reporting (its last report), if it did. */
        public Optional<Instant> notReportingSince() {
            return reporting ? Optional.empty() : Optional.of(report.at());
        }
    }

    /** Reads the snapshot: a few aggregate reads, independent of the ledger's size. */
    public static StatusSnapshot read(LedgerReader reader, Clock clock) {
        Instant now = clock.instant();
        Progress p = reader.progress();
        List<RunStatus> runs = new ArrayList<>();
        for (RunReport r : reader.runReports()) {
            runs.add(new RunStatus(r, !stale(r, now)));
        }
        long queued = reader.countJobs(jobs(JobState.PENDING));
        long running = reader.countJobs(jobs(JobState.RUNNING));
        // A juggler that reports knows its queue better than the records it writes after each tick; one that
        // stopped reporting may have left PENDING/RUNNING records behind, which are all we have for it.
        for (RunStatus run : runs) {
            if (run.reporting()) {
                RunReport r = run.report();
                queued += r.jobsPending() - reader.countJobs(jobs(JobState.PENDING).ofRun(r.runKey()));
                running += r.jobsRunning() - reader.countJobs(jobs(JobState.RUNNING).ofRun(r.runKey()));
            }
        }
        return new StatusSnapshot(now, p.tracksDone(), p.tracksFailed(), p.tracksRunning(), p.tracksPending(), p.frames(),
                p.framesPerSecond(), p.eta(), Math.max(0, queued), Math.max(0, running), runs);
    }

    /** Whether {@code report} is too old to count as a running juggler's at {@code now}. */
    public static boolean stale(RunReport report, Instant now) {
        Duration interval = Duration.between(report.at(), report.nextTick());
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            interval = Duration.ofSeconds(1);
        }
        return now.isAfter(report.nextTick().plus(interval.multipliedBy(STALE_TICKS)));
    }

    /** All tracks. */
    public long tracksTotal() {
        return tracksDone + tracksFailed + tracksRunning + tracksPending;
    }

    /** Done frames as a percentage of all frames (0 without frames). */
    public double percentDone() {
        long total = frames.totalFrames();
        return total == 0 ? 0 : 100.0 * frames.doneFrames() / total;
    }

    /** The snapshot as one JSON object (the console's {@code /api/v1/status}); field names as in this record. */
    public String toJson() {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(text)) {
            writeJson(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Writes the snapshot as one JSON object; instants as ISO-8601 UTC strings, durations in seconds. */
    public void writeJson(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("at", TimeText.format(at));
        g.writeObjectFieldStart("tracks");
        g.writeNumberField("done", tracksDone);
        g.writeNumberField("failed", tracksFailed);
        g.writeNumberField("running", tracksRunning);
        g.writeNumberField("pending", tracksPending);
        g.writeNumberField("total", tracksTotal());
        g.writeEndObject();
        g.writeObjectFieldStart("frames");
        g.writeNumberField("done", frames.doneFrames());
        g.writeNumberField("failed", frames.failedFrames());
        g.writeNumberField("leased", frames.leasedFrames());
        g.writeNumberField("claimable", frames.claimableFrames());
        g.writeNumberField("waiting", frames.waitingFrames());
        g.writeNumberField("total", frames.totalFrames());
        g.writeNumberField("percentDone", Math.round(percentDone() * 10) / 10.0);
        g.writeEndObject();
        g.writeNumberField("framesPerSecond", Math.round(framesPerSecond * 100) / 100.0);
        if (eta.isPresent()) {
            g.writeNumberField("etaSeconds", eta.get().getSeconds());
        } else {
            g.writeNullField("etaSeconds");
        }
        g.writeObjectFieldStart("jobs");
        g.writeNumberField("queued", jobsQueued);
        g.writeNumberField("running", jobsRunning);
        g.writeEndObject();
        g.writeArrayFieldStart("runs");
        for (RunStatus run : runs) {
            RunReport r = run.report();
            g.writeStartObject();
            g.writeStringField("run", r.runKey());
            g.writeStringField("reportedAt", TimeText.format(r.at()));
            g.writeBooleanField("reporting", run.reporting());
            g.writeStringField("nextTick", TimeText.format(r.nextTick()));
            g.writeNumberField("jobsPending", r.jobsPending());
            g.writeNumberField("jobsRunning", r.jobsRunning());
            g.writeNumberField("workspaceUsedBytes", r.workspaceUsedBytes());
            g.writeNumberField("workspaceBudgetBytes", r.workspaceBudgetBytes());
            g.writeNumberField("videosStaging", r.videosStaging());
            if (r.clusterUnavailableSince().isPresent()) {
                g.writeStringField("clusterUnavailableSince", TimeText.format(r.clusterUnavailableSince().get()));
            } else {
                g.writeNullField("clusterUnavailableSince");
            }
            g.writeArrayFieldStart("problems");
            for (String problem : r.problems()) {
                g.writeString(problem);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("waiting");
            for (String w : r.waiting()) {
                g.writeString(w);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static JobQuery jobs(JobState state) {
        return JobQuery.firstPage(1).inState(state);
    }
}
