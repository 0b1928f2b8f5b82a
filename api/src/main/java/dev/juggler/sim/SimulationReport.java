package dev.juggler.sim;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one simulation measured. Frames are real frames. Immutable and thread-safe.
 *
 * @param finished every frame ended done or failed before the horizon
 * @param simulated simulated time covered
 * @param makespan time from the start to the last frame done
 * @param idealMakespan the time in which the available nodes could have done the work had nothing waited or been
 *     lost: the work (frames × the model's time per frame) spread over the availability trace
 * @param makespanVsIdeal {@code makespan / idealMakespan}
 * @param usefulGpuShare GPU time spent computing frames that were kept (not computed again), divided by the GPU time
 *     allocated to jobs
 * @param framesTotal frames of the corpus
 * @param framesDone frames done
 * @param framesFailed frames failed (damaged videos)
 * @param framesRedone frames computed more than once (lost work: kills, expired leases)
 * @param redoneShare {@code framesRedone / framesTotal}
 * @param gpuHoursIdleWaitingForStaging GPU hours of available nodes left idle while no staged frame was pending
 *     and unstaged ones were
 * @param gpuHoursIdleWithWork GPU hours of available nodes left idle while staged frames were pending (queue too
 *     short, polls too rare, jobs waiting for their start)
 * @param queueDrySamples samples at which no job was queued, nodes were idle and staged frames were pending
 * @param peakWorkspaceBytes the most bytes staged or reserved at once
 * @param workspaceBudget the budget
 * @param controllerCallsPerDay status, submit and cancel calls per simulated day
 * @param ledgerTransactionsPerDay ledger calls of the juggler and the workers per simulated day
 * @param controllerCallsRefused calls refused during maintenance
 * @param submitCalls submit calls
 * @param jobsStarted jobs that started
 * @param jobsEnded ended jobs by state, in the order of the states' names
 * @param transfersFailed transfers that failed
 * @param ticks juggler ticks
 * @param gpuHoursAllocated GPU hours allocated to jobs
 * @param wall wall-clock time the simulation took
 * @param processSwitches hand-overs between simulated processes (a cost measure)
 * @param samples the time series of the chart
 */
public record SimulationReport(boolean finished, Duration simulated, Duration makespan, Duration idealMakespan,
        double makespanVsIdeal, double usefulGpuShare, long framesTotal, long framesDone, long framesFailed, long framesRedone,
        double redoneShare, double gpuHoursIdleWaitingForStaging, double gpuHoursIdleWithWork, long queueDrySamples,
        long peakWorkspaceBytes, long workspaceBudget, double controllerCallsPerDay, double ledgerTransactionsPerDay,
        long controllerCallsRefused, long submitCalls, long jobsStarted, Map<String, Long> jobsEnded, long transfersFailed,
        long ticks, double gpuHoursAllocated, Duration wall, long processSwitches, List<Sample> samples) {

    public SimulationReport {
        jobsEnded = Collections.unmodifiableMap(new TreeMap<>(jobsEnded)); // by name: the same run, the same report
        samples = List.copyOf(samples);
    }

    /**
     * One point of the time series.
     *
     * @param hours simulated hours since the start
     * @param availableNodes nodes available to jobs
     * @param queued jobs waiting in the queue
     * @param running jobs running
     * @param framesDone frames done
     * @param workspaceBytes bytes staged or reserved
     * @param controllerUp whether the controller answered
     */
    public record Sample(double hours, int availableNodes, int queued, int running, long framesDone, long workspaceBytes,
            boolean controllerUp) {
    }

    /** The report as text, one measure per line. */
    public String text() {
        StringBuilder t = new StringBuilder();
        line(t, "finished", finished ? "yes" : "NO: cut off at the horizon after " + days(simulated));
        line(t, "makespan", days(makespan) + " (ideal " + days(idealMakespan) + ", ratio " + fmt("%.4f", makespanVsIdeal) + ")");
        line(t, "useful GPU time", fmt("%.2f %%", 100 * usefulGpuShare) + " of " + fmt("%.0f", gpuHoursAllocated) + " GPU hours allocated");
        line(t, "frames", framesDone + " done, " + framesFailed + " failed, of " + framesTotal);
        line(t, "frames redone", framesRedone + " (" + fmt("%.3f %%", 100 * redoneShare) + ")");
        line(t, "GPU hours idle, waiting for staging", fmt("%.1f", gpuHoursIdleWaitingForStaging));
        line(t, "GPU hours idle, work staged", fmt("%.1f", gpuHoursIdleWithWork) + " (queue empty at " + queueDrySamples + " samples)");
        line(t, "peak workspace", fmt("%.1f GB", peakWorkspaceBytes / 1e9) + " of " + fmt("%.1f GB", workspaceBudget / 1e9));
        line(t, "controller calls per day", fmt("%.1f", controllerCallsPerDay) + " (" + controllerCallsRefused + " refused in maintenance)");
        line(t, "ledger transactions per day", fmt("%.0f", ledgerTransactionsPerDay));
        line(t, "jobs", jobsStarted + " started in " + submitCalls + " submit calls; ended " + jobsEnded);
        line(t, "transfers failed", Long.toString(transfersFailed));
        line(t, "juggler ticks", Long.toString(ticks));
        line(t, "wall time", fmt("%.1f s", wall.toMillis() / 1000.0) + " (" + processSwitches + " process switches)");
        return t.toString();
    }

    private static void line(StringBuilder t, String key, String value) {
        t.append(String.format(Locale.ROOT, "%-38s %s%n", key, value));
    }

    static String fmt(String format, double value) {
        return String.format(Locale.ROOT, format, value);
    }

    static String days(Duration d) {
        return fmt("%.2f days", d.toMillis() / 86_400_000.0);
    }

    /** The chart: available nodes, running and queued jobs, frames done and workspace use over time, as SVG. */
    public String svg() {
        return SimulationChart.svg(this);
    }
}
