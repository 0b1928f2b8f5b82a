package dev.juggler.ledger;

import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One entry of a job's recorded state history: the state the cluster reported, as from when. Immutable
 * and thread-safe.
 *
 * @param at when the juggler saw the change
 * @param state the portable state
 * @param nativeState the batch system's own state word
 * @param reason the batch system's reason, if any
 * @param exitCode the exit status, when the job ended and one is known
 */
public record JobStateChange(Instant at, JobState state, String nativeState, Optional<String> reason, OptionalInt exitCode) {

    public JobStateChange {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(nativeState, "nativeState");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(exitCode, "exitCode");
    }

    /** The change that {@code status} describes, seen at {@code at}. */
    public static JobStateChange of(JobStatus status, Instant at) {
        return new JobStateChange(at, status.state(), status.nativeState(), status.reason(), status.exitCode());
    }

    /** Whether {@code status} says the same as this entry (state, native state, reason and exit code). */
    public boolean sameAs(JobStatus status) {
        return state == status.state() && nativeState.equals(status.nativeState()) && reason.equals(status.reason())
                && exitCode.equals(status.exitCode());
    }
}
