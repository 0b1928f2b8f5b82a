package dev.juggler.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a running juggler last reported about itself, kept in the ledger so that an operator's
 * {@code status} in another process sees what only the juggler knows: its queue, its workspace, an
 * outage of the cluster and its problems. One report per run, replaced after every tick. Immutable and
 * thread-safe.
 *
 * @param runKey the run
 * @param at when the tick that made it ended
 * @param jobsPending worker jobs queued
 * @param jobsRunning worker jobs running
 * @param workspaceUsedBytes bytes of the workspace in use
 * @param workspaceBudgetBytes the workspace budget in bytes (0 when unlimited)
 * @param videosStaging transfers in progress
 * @param clusterUnavailableSince when the current outage of the cluster began, if it is unavailable now
 * @param nextTick when the next tick is due: a report much older than this means the juggler is not running
 * @param problems the failures of that tick's steps, one line each (line breaks inside one are folded to spaces)
 * @param waiting why work waits that is not a failure, one line each
 */
public record RunReport(String runKey, Instant at, int jobsPending, int jobsRunning, long workspaceUsedBytes,
        long workspaceBudgetBytes, int videosStaging, Optional<Instant> clusterUnavailableSince, Instant nextTick,
        List<String> problems, List<String> waiting) {

    public RunReport {
        JobRecord.requireKey(runKey);
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(clusterUnavailableSince, "clusterUnavailableSince");
        Objects.requireNonNull(nextTick, "nextTick");
        problems = problems.stream().map(RunReport::oneLine).toList();
        waiting = waiting.stream().map(RunReport::oneLine).toList();
    }

    private static String oneLine(String text) {
        return text.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }
}
