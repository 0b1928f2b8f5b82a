package dev.juggler.cluster;

import java.util.Collection;
import java.util.List;

/**
 * A batch system that runs worker jobs: submit, read the state of all of this backend's jobs in one
 * round trip, cancel. The SDK never ties a job to a piece of work: workers pull work from the ledger.
 *
 * <p>Implementations are thread-safe. Failures to reach the batch system are
 * {@link dev.juggler.UnavailableException}s (transient).
 */
public interface ClusterBackend extends AutoCloseable {

    /**
     * Submits {@code count} identical worker jobs, as one array where the batch system has arrays.
     * Each job sees its own id in the environment variable {@link #JOB_ID_ENV}.
     *
     * @param spec what to run
     * @param count how many jobs, {@code >= 1}
     * @param maxConcurrent at most this many of them run at once ({@code 0}: no cap)
     * @return the ids of the submitted jobs, one per job
     */
    List<String> submit(JobSpec spec, int count, int maxConcurrent);

    /**
     * The state of every job this backend submitted that it still tracks, read in one round trip.
     * Jobs the batch system has forgotten are reported as {@link JobState#GONE} once.
     */
    List<JobStatus> status();

    /**
     * Asks the batch system to cancel these jobs. Finished ids, and well-formed ids it does not know, are ignored;
     * an id that cannot be one of its jobs may be refused ({@link dev.juggler.InvalidConfigException}).
     */
    void cancel(Collection<String> jobIds);

    /** Stops tracking; by default leaves running jobs alone (see the implementation). Idempotent. */
    @Override
    void close();

    /** The environment variable through which a job learns its own id. */
    String JOB_ID_ENV = "JUGGLER_JOB_ID";

    /** The environment variable through which a job learns its end time (epoch milliseconds). */
    String JOB_DEADLINE_ENV = "JUGGLER_JOB_DEADLINE_MS";
}
