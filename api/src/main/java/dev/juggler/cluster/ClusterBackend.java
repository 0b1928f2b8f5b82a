package dev.juggler.cluster;

import java.util.Collection;
import java.util.List;

/**
 * A batch system that runs worker jobs: submit, read the state of all of this backend's jobs in one
 * round trip, cancel. The SDK never ties a job to a piece of work: workers pull work from the ledger.
 *
 * <p>The rules the {@link dev.juggler.run.Juggler} relies on, each checked by {@code ClusterBackendContract}
 * in this module's test-jar (run it against your implementation; see {@code docs/custom-backend.md}):
 * <ul>
 *   <li><b>Ids.</b> The id {@link #submit} returns for a job is exactly the value of {@link #JOB_ID_ENV}
 *       that job sees: the workers' leases carry it, and the juggler revokes them by it.</li>
 *   <li><b>Deadline.</b> A job with a time limit sees its end in {@link #JOB_DEADLINE_ENV}, so that its
 *       worker can checkpoint and stop before it is killed.</li>
 *   <li><b>Count.</b> {@code submit} with a count below 1 throws {@link dev.juggler.InvalidConfigException} and
 *       submits nothing.</li>
 *   <li><b>Restarts.</b> Where jobs outlive the process (a batch system, remote machines), {@link #status()}
 *       includes the jobs that an earlier instance with the same stable identity (a tag, a state
 *       directory) submitted, so a restarted host adopts its jobs instead of losing them. Such an identity
 *       is required or has a stable default, never a random one.</li>
 *   <li><b>Vanished jobs.</b> A job the batch system has forgotten is reported {@link JobState#GONE} in
 *       exactly one answer of {@link #status()}, and never after.</li>
 * </ul>
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
     * @param count how many jobs, {@code >= 1} (else {@link dev.juggler.InvalidConfigException})
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
