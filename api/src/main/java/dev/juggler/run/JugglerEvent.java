package dev.juggler.run;

import dev.juggler.JugglerException;
import dev.juggler.cluster.JobStatus;
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
    record WorkersFailing(int jobsInARow, String lastFailure, java.time.Instant nextSubmission) implements JugglerEvent {
    }

    /** A step of the tick failed; the tick went on and the step is retried on the next one. */
    record StepFailed(String step, JugglerException error) implements JugglerEvent {
    }
}
