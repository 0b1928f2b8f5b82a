package dev.juggler.ledger;

import dev.juggler.cluster.JobStatus;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

/**
 * The juggler's durable record of the batch jobs it submitted, so that a restarted juggler adopts what
 * it finds instead of submitting again, and settles every ended job exactly once. Part of the ledger
 * ({@link WorkLedger#jobRecords()}), kept apart from its chunk table.
 *
 * <p>The protocol (see {@link dev.juggler.run.Juggler}): {@link #recordSubmission} before the batch system
 * is asked, {@link #recordSubmitted} with the ids after; {@link #recordState} whenever the cluster shows a
 * change; {@link #settle} once an ended job's leases are revoked. A job id is the batch system's, and
 * batch systems reuse ids (a local backend after a restart, SLURM after wrapping around): every call that
 * names a job acts on the newest record of that id, and recording a new submission of an id settles an
 * older unsettled record of the same id (as GONE, without anyone counting it).
 *
 * <p>Guarantees every implementation keeps (checked by {@code JobRecordsContract} in the api test-jar):
 * {@link #settle} returns {@code true} once per job record, also across processes sharing the store;
 * {@link #recordState} appends to the history only on a change; an intent stays {@link #unconfirmed} until
 * ids are recorded for it. Implementations are thread-safe; failures are
 * {@link dev.juggler.JugglerException}s.
 */
public interface JobRecords {

    /** Records what is about to be submitted, before the batch system is asked; returns the submission's id. */
    long recordSubmission(SubmissionIntent intent);

    /**
     * Records the job ids a submission yielded (new records in the intent's run, with its spec hash and
     * time), and confirms it. Ids already recorded for this submission are left alone. An empty list closes
     * an intent that yielded no job anyone saw (it is no longer {@link #unconfirmed}).
     *
     * @throws dev.juggler.NotFoundException if there is no such submission
     */
    void recordSubmitted(long submissionId, List<String> jobIds, Instant at);

    /**
     * Records jobs found in the cluster that no record accounts for, as adopted: attached to the given
     * unconfirmed submission (a juggler crashed between submitting and {@link #recordSubmitted}; they take
     * its spec hash and time, and confirm it), or without one (then submitted "at" {@code at}). Ids that
     * already have an unsettled record are left alone.
     *
     * @throws dev.juggler.NotFoundException if a submission is given and there is no such submission
     */
    void recordAdopted(String runKey, OptionalLong submissionId, List<String> jobIds, Instant at);

    /**
     * Appends the job's state to its history if it differs from the last recorded one (state, native
     * state, reason or exit code); a terminal state also sets the job's end time, once.
     *
     * @return {@code true} if it was a change and was appended
     * @throws dev.juggler.NotFoundException if the job has no record
     */
    boolean recordState(JobStatus status, Instant at);

    /**
     * Settles an ended job: records its final state (as {@link #recordState} does) and marks it settled.
     *
     * @return {@code true} only for the first call for this job's record, whoever makes it
     * @throws dev.juggler.NotFoundException if the job has no record
     */
    boolean settle(JobStatus finalStatus, Instant at);

    /** The run's jobs that are not settled yet (submitted, adopted or ended but not settled), oldest first. */
    List<JobRecord> unsettled(String runKey);

    /** The run's submissions for which no ids were recorded yet, oldest first. */
    List<Submission> unconfirmed(String runKey);

    /** The newest record of each of these job ids that has one (any run), in no particular order. */
    List<JobRecord> find(Collection<String> jobIds);

    /** The recorded state history of the newest record of this job id, oldest first; empty if none. */
    List<JobStateChange> history(String jobId);

    /** One page of job records (for a console's jobs table). */
    List<JobRecord> jobs(JobQuery query);

    /** Keeps {@code report} as its run's latest, replacing the one before. */
    void recordRunReport(RunReport report);

    /** The latest report of every run, most recent first. */
    List<RunReport> runReports();
}
