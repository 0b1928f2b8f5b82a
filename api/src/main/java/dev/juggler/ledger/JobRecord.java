package dev.juggler.ledger;

import dev.juggler.cluster.JobState;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One batch job as the job records know it: who submitted it, when, what the cluster last said about
 * it, when it ended and when the juggler settled it (revoked its leases and counted it). Immutable and
 * thread-safe.
 *
 * @param jobId the batch system's id
 * @param runKey the run (juggler) the job belongs to
 * @param submissionId the submission it came from; empty for a job adopted without one
 * @param adopted whether the job was found in the cluster rather than recorded after its submission (a
 *        juggler crashed between submitting and writing the ids, or the job predates the records)
 * @param specHash the digest of the submitted spec; empty when adopted without a submission
 * @param submittedAt when it was submitted (for an adopted job: its submission's intent, or when it was found)
 * @param lastState the last recorded change; empty while the cluster has not shown the job yet
 * @param endedAt when a terminal state was first recorded
 * @param settledAt when the juggler settled it; empty while it still counts as active
 * @param framesDone frames completed under the job's leases (0 where the ledger cannot tell)
 */
public record JobRecord(String jobId, String runKey, OptionalLong submissionId, boolean adopted, String specHash,
        Instant submittedAt, Optional<JobStateChange> lastState, Optional<Instant> endedAt, Optional<Instant> settledAt,
        long framesDone) {

    public JobRecord {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(runKey, "runKey");
        Objects.requireNonNull(submissionId, "submissionId");
        Objects.requireNonNull(specHash, "specHash");
        Objects.requireNonNull(submittedAt, "submittedAt");
        Objects.requireNonNull(lastState, "lastState");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(settledAt, "settledAt");
    }

    /** The last recorded portable state; empty while the cluster has not shown the job. */
    public Optional<JobState> state() {
        return lastState.map(JobStateChange::state);
    }

    /** Whether the job is settled: its leases were revoked and it was counted, once. */
    public boolean settled() {
        return settledAt.isPresent();
    }

    /** Checks a run key: 1..200 characters, not blank. */
    static String requireKey(String runKey) {
        if (runKey == null || runKey.isBlank() || runKey.length() > 200) {
            throw new IllegalArgumentException("runKey = " + runKey + ": must be 1..200 characters, not blank");
        }
        return runKey;
    }
}
