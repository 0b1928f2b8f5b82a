package dev.juggler.run;

import dev.juggler.ledger.Progress;
import dev.juggler.stage.WorkspaceUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot for the status panel, published after every tick. Immutable and thread-safe.
 *
 * @param at when the tick ended
 * @param jobsPending worker jobs queued in the batch system, including jobs this juggler submitted that the
 *     backend's status has not shown yet
 * @param jobsRunning worker jobs running
 * @param jobsEnded worker jobs seen ending since this juggler started
 * @param jobsSubmitted worker jobs submitted since this juggler started
 * @param progress tracks and frames by state
 * @param workspace the workspace budget and its use
 * @param videosStaging transfers in progress
 * @param videosStaged videos staged since this juggler started
 * @param videosPurged videos purged since this juggler started
 * @param clusterUnavailableSince if the cluster is unavailable now: when the outage began (the start of the
 *     first status call that failed or did not answer in time, or the backend's own earlier instant)
 * @param nextTick when the next tick is due
 * @param problems the failures of this tick's steps (empty when all went well)
 * @param waiting why work waits that is not a failure, e.g. the next video in plan order waiting for
 *     workspace space (empty when nothing waits)
 */
public record JugglerStatus(Instant at, int jobsPending, int jobsRunning, long jobsEnded, long jobsSubmitted,
        Progress progress, WorkspaceUsage workspace, int videosStaging, long videosStaged, long videosPurged,
        Optional<Instant> clusterUnavailableSince, Instant nextTick,
        List<String> problems, List<String> waiting) {

    public JugglerStatus {
        problems = List.copyOf(problems);
        waiting = List.copyOf(waiting);
    }

    /** Frames done per second over the last hour, as the ledger measures it (0 until measured). */
    public double framesPerSecond() {
        return progress.framesPerSecond();
    }

    /** Time to finish the pending and leased frames at that rate, when measurable. */
    public Optional<Duration> eta() {
        return progress.eta();
    }

    /** {@code true} if no frame is pending or leased, no job is active and no transfer runs. */
    public boolean isIdle() {
        return progress.frames().isSettled() && jobsPending == 0 && jobsRunning == 0 && videosStaging == 0;
    }
}
