package dev.juggler.samples;

import dev.juggler.cluster.JobState;
import dev.juggler.run.JugglerEvent;
import dev.juggler.run.JugglerListener;
import dev.juggler.run.JugglerStatus;
import dev.juggler.samples.config.Escape;
import dev.juggler.samples.console.Human;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a running Juggler to a person: a progress bar with the job counts on a terminal, or one plain
 * status line at most every {@code lineInterval} otherwise (a log file, cron mail), plus one line per
 * event an operator must act on (an outage, a set-aside video, workers that keep failing or cannot
 * reach the ledger). Listener callbacks come from the juggler's thread; the methods are synchronized.
 */
final class StatusView implements JugglerListener, AutoCloseable {

    private static final int MAX_REPORTED_JOB_FAILURES = 3;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final ProgressBar bar;
    private final PrintWriter out;
    private final Clock clock;
    private final Duration lineInterval;
    private Instant lastLine;
    private int failedJobs;

    /**
     * @param totalFrames the frames known at the start (the bar grows as more are registered)
     * @param plain plain lines instead of a progress bar
     */
    StatusView(long totalFrames, boolean plain, PrintWriter out, Clock clock, Duration lineInterval) {
        this.out = out;
        this.clock = clock;
        this.lineInterval = lineInterval;
        this.bar = plain ? null : new ProgressBarBuilder().setTaskName("frames").setInitialMax(Math.max(1, totalFrames))
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build();
    }

    /** One status line: job counts, frames, throughput, workspace, the next tick and any problem. */
    static String line(JugglerStatus status) {
        StringBuilder s = new StringBuilder(160);
        s.append(String.format(Locale.ROOT, "frames %d/%d", status.progress().frames().doneFrames(),
                status.progress().frames().totalFrames()));
        s.append(String.format(Locale.ROOT, ", jobs %d running %d queued", status.jobsRunning(), status.jobsPending()));
        if (status.framesPerSecond() > 0) {
            s.append(String.format(Locale.ROOT, ", %.1f frames/s", status.framesPerSecond()));
        }
        status.eta().ifPresent(eta -> s.append(", ETA ").append(Human.duration(eta)));
        s.append(", workspace ").append(Human.bytes(status.workspace().usedBytes())).append('/')
                .append(Human.bytes(status.workspace().budgetBytes()));
        if (status.videosStaging() > 0) {
            s.append(", ").append(status.videosStaging()).append(" uploading");
        }
        status.clusterUnavailableSince().ifPresent(since -> s.append(", CLUSTER UNREACHABLE since ").append(TIME.format(since)));
        if (!status.waiting().isEmpty()) {
            s.append(", waiting: ").append(Escape.visible(String.join("; ", status.waiting())));
        }
        if (!status.problems().isEmpty()) {
            s.append(", problems: ").append(Escape.visible(String.join("; ", status.problems())));
        }
        return s.toString();
    }

    @Override
    public synchronized void onStatus(JugglerStatus status) {
        if (bar != null) {
            bar.maxHint(Math.max(1, status.progress().frames().totalFrames()));
            bar.stepTo(status.progress().frames().doneFrames());
            bar.setExtraMessage(String.format(Locale.ROOT, "jobs %d running %d queued, %d uploading", status.jobsRunning(),
                    status.jobsPending(), status.videosStaging()));
            return;
        }
        Instant now = clock.instant();
        if (lastLine == null || !now.isBefore(lastLine.plus(lineInterval))) {
            lastLine = now;
            say(TIME.format(status.at()) + " " + line(status));
        }
    }

    @Override
    public synchronized void onEvent(JugglerEvent event) {
        if (event instanceof JugglerEvent.StepFailed failed && bar == null) {
            say("problem: " + failed.step() + ": " + Escape.visible(failed.error().getMessage()));
        } else if (event instanceof JugglerEvent.ClusterUnavailable down) {
            say("cluster unreachable since " + TIME.format(down.since()) + ": " + Escape.visible(down.reason())
                    + " (the run goes on; jobs are submitted again when it answers)");
        } else if (event instanceof JugglerEvent.ClusterRecovered up) {
            say("cluster reachable again after " + Human.duration(up.outage()));
        } else if (event instanceof JugglerEvent.VideoSetAside aside) {
            say("video " + Escape.visible(aside.videoId()) + " set aside: " + Escape.visible(aside.reason()));
        } else if (event instanceof JugglerEvent.WorkersFailing failing) {
            // A worker that keeps failing (a missing model on its node, say) would otherwise only show as
            // frames that do not move: say so, and point at the logs.
            say(String.format(Locale.ROOT, "workers keep failing (%d jobs in a row, last: %s); next worker not before %s",
                    failing.jobsInARow(), Escape.visible(failing.lastFailure()), TIME.format(failing.nextSubmission())));
        } else if (event instanceof JugglerEvent.JobEnded ended && ended.status().state() != JobState.COMPLETED
                && ended.status().state() != JobState.CANCELLED && ++failedJobs <= MAX_REPORTED_JOB_FAILURES) {
            say(String.format("worker job %s ended %s%s%s; its output is in the job log folder%s", ended.status().jobId(),
                    ended.status().state(), ended.status().reason().map(r -> " (" + Escape.visible(r) + ")").orElse(""),
                    WorkerExit.explain(ended.status().exitCode()).map(e -> ": " + e).orElse(""),
                    failedJobs == MAX_REPORTED_JOB_FAILURES ? " (further failed jobs are not listed)" : ""));
        }
    }

    /** Prints a line of the run's own (a track cleaned, say), above the progress bar if there is one. */
    public synchronized void note(String text) {
        say(text);
    }

    private void say(String text) {
        if (bar != null) {
            // Keep the bar on its own line: print above it.
            out.print('\r');
        }
        out.println(text);
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
