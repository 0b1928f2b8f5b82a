package dev.juggler.cluster;

/**
 * The portable set of batch-job states every backend maps its native states to. The native state and
 * reason are kept beside it in {@link JobStatus}.
 */
public enum JobState {
    /** Waiting in the queue (includes configuring, held, suspended before start). */
    PENDING(false),
    /** Started and not finished (includes completing, suspended after start). */
    RUNNING(false),
    /** Finished with exit status 0. */
    COMPLETED(true),
    /** Finished with a non-zero exit status or killed by a signal it did not ask for. */
    FAILED(true),
    /** Cancelled by a user or by this SDK. */
    CANCELLED(true),
    /** Killed at its time limit. */
    TIMEOUT(true),
    /** Its node failed. */
    NODE_FAILURE(true),
    /** Preempted by a job of higher priority. */
    PREEMPTED(true),
    /** Killed for exceeding its memory. */
    OUT_OF_MEMORY(true),
    /** The backend no longer knows the job (forgotten after it ended, or lost with a restart). */
    GONE(true);

    private final boolean terminal;

    JobState(boolean terminal) {
        this.terminal = terminal;
    }

    /** {@code true} if the job will not run (again) in this state. */
    public boolean isTerminal() {
        return terminal;
    }

    /** {@code true} for states in which the job occupies a place in the queue or on a node. */
    public boolean isActive() {
        return !terminal;
    }
}
