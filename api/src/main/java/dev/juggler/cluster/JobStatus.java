package dev.juggler.cluster;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The state of one batch job as last seen. Immutable and thread-safe.
 *
 * @param jobId the backend's id for the job (for array tasks, the per-task id)
 * @param name the job name given at submission
 * @param state the portable state
 * @param nativeState the batch system's own state word, e.g. {@code OUT_OF_MEMORY} or {@code exited}
 * @param reason the batch system's reason or a human explanation; empty if none
 * @param exitCode the exit status when the job ended and one is known
 */
public record JobStatus(String jobId, String name, JobState state, String nativeState, Optional<String> reason,
        OptionalInt exitCode) {

    public JobStatus {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(nativeState, "nativeState");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(exitCode, "exitCode");
    }
}
