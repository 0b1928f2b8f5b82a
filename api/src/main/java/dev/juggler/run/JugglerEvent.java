package dev.juggler.run;

import dev.juggler.JugglerException;
import dev.juggler.cluster.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Something the juggler did or saw, for operators and metrics. Immutable and thread-safe.
 */
public sealed interface JugglerEvent {

    /** Worker jobs were submitted. */
    record JobsSubmitted(List<String> jobIds) implements JugglerEvent {
        public JobsSubmitted {
            jobIds = List.copyOf(jobIds);
        }
    }

    /** A job ended (or vanished); its leases were revoked. */
    record JobEnded(JobStatus status, int leasesRevoked) implements JugglerEvent {
    }

    /** Expired leases went back to pending. */
    record LeasesReaped(int count) implements JugglerEvent {
    }

    /** A video is in the workspace and its chunks are claimable. */
    record VideoStaged(String videoId, String location, long bytes) implements JugglerEvent {
    }

    /** Staging a video failed; it is retried on a later tick. */
    record StagingFailed(String videoId, String reason) implements JugglerEvent {
    }

    /** A finished video was removed from the workspace. */
    record VideoPurged(String videoId) implements JugglerEvent {
    }

    /**
     * Worker jobs keep failing without getting frames done; no more are submitted before
     * {@code nextSubmission}.
     *
     * @param jobsInARow jobs that ended FAILED or OUT_OF_MEMORY in a row
     * @param lastFailure which job failed last, and how
     */
    record WorkersFailing(int jobsInARow, String lastFailure, Instant nextSubmission) implements JugglerEvent {
    }

    /**
     * A video is larger than the whole workspace budget, so it can never be staged: its pending work
     * was set aside (see {@link dev.juggler.ledger.WorkLedger#setAside}) and staging went on with the
     * next videos.
     */
    record VideoSetAside(String videoId, String reason) implements JugglerEvent {
    }

    /**
     * The cluster's status call failed or did not answer in time: an outage began.
     *
     * @param since the start of the first status call that failed or hung (or the backend's own
     *     earlier "unavailable since")
     * @param reason what went wrong
     */
    record ClusterUnavailable(Instant since, String reason) implements JugglerEvent {
    }

    /**
     * The cluster answered again after an outage.
     *
     * @param since when the outage began
     * @param outage how long it lasted
     */
    record ClusterRecovered(Instant since, Duration outage) implements JugglerEvent {
    }

    /** A step of the tick failed; the tick went on and the step is retried on the next one. */
    record StepFailed(String step, JugglerException error) implements JugglerEvent {
    }
}
