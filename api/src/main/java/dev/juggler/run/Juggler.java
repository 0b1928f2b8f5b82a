package dev.juggler.run;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.internal.Listeners;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.WorkEstimate;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.WorkspaceUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop that keeps a batch cluster busy: every tick it reads the state of all its jobs in one
 * call and revokes the leases of jobs that ended, reaps expired leases, purges finished videos, stages
 * the next videos within the workspace budget (in the background), submits as many workers as the
 * claimable frames justify up to the queue cap, and publishes a {@link JugglerStatus}.
 *
 * <p>A failing backend, stager or ledger never stops the loop: the step is logged (WARN), reported in
 * the status and as a {@link JugglerEvent.StepFailed} event, and retried on the next tick.
 *
 * <p><b>The cluster's status call is bounded.</b> It runs on an own thread ({@code juggler-status}), at
 * most one at a time, and the tick waits for it at most {@link Builder#statusTimeout} (never more than
 * the poll interval, or 10 s when the poll interval is shorter). A call that has not answered by then is left running and waited for again by the
 * next tick; meanwhile the tick goes on with purging and staging, submits nothing, and reports the
 * cluster unavailable since the start of the first call that failed or hung. The start and the end of
 * an outage are logged once each and fired as {@link JugglerEvent.ClusterUnavailable} and
 * {@link JugglerEvent.ClusterRecovered}. Submit calls are bounded the same way (thread {@code juggler-submit}):
 * one that does not answer in time, or fails as unavailable, starts an outage at its own start; one still
 * running keeps the next submissions back, and its jobs, if it makes any, are adopted when the status
 * shows them.
 *
 * <p><b>How many workers it submits.</b> Jobs it submitted count as pending until the backend's status
 * shows them (a backend may answer from an older snapshot), or for the grace (see "Restarts"). Only claimable frames that no queued or running job will take justify a
 * new job: every pending (or submitted, not yet shown) job absorbs {@link Builder#framesPerWorker} frames,
 * every running job absorbs {@code framesPerWorker} times the share of its time limit it has left (counted from
 * when this juggler first saw it running; or, when less, the ledger's throughput of the last hour per running job
 * over that time) minus the frames it holds under lease now (at least 0), as
 * {@link dev.juggler.ledger.LedgerReader#leasedFramesByJob()} says; one job is wanted per
 * {@code framesPerWorker} frames left over (rounded up), bounded by the queue and active caps (pending
 * jobs again including the submitted, not yet shown ones). So a worker that has just claimed its first
 * chunk does not make it submit another job for the frames it will claim next.
 *
 * <p><b>Staging</b> keeps plan order; a video larger than the whole workspace budget is set aside in
 * the ledger ({@link dev.juggler.ledger.WorkLedger#setAside}) with a reason, reported as a status
 * problem and a {@link JugglerEvent.VideoSetAside} event, and staging goes on with the next videos.
 *
 * <p>Workers that keep failing do not make it submit ever more of them: once
 * {@link Builder#failedJobsBeforeBackoff} jobs in a row have ended FAILED or OUT_OF_MEMORY while no frame
 * got done, it waits a poll interval before submitting again, doubling up to an hour, and says so in the
 * status and with a {@link JugglerEvent.WorkersFailing} event (a worker that cannot start, say, because its
 * node lacks the model, would otherwise fill the batch queue with jobs that fail at once). A job that
 * completes, or frames getting done, end the backoff. Jobs that had already ended when this juggler
 * first read the cluster (a restart finds them) get their leases revoked but do not count.
 *
 * <p><b>Restarts.</b> Its jobs are kept in the ledger's {@link dev.juggler.ledger.JobRecords} under its
 * {@link Builder#runKey run key}: the intent (spec hash, count) before each submit call, the ids after it,
 * every state change in a history. An ended job is settled (leases revoked, counted, {@link JugglerEvent.JobEnded}
 * fired) only by the call that marks its record settled: once, also across restarts. A (re)started juggler
 * takes over the run's unsettled jobs and its submissions without ids (a crash between submit call and
 * write): these count as pending for the grace (ten poll intervals, at least ten minutes), so the work is not
 * submitted again, and jobs the status shows that no record knows are adopted into the oldest of them. A
 * recorded job the status does not show for the grace is settled as GONE. Nothing is submitted while the
 * records cannot be read. A ledger without job records gets an in-memory stand-in (logged at WARN).
 *
 * <p>Thread-safe. {@link #tick()} runs one tick on the calling thread (for hosts with their own
 * scheduling, and for tests); {@link #start()} runs ticks on an own thread every poll interval, and
 * earlier when {@link #requestTick()} is called or a video finished staging.
 */
public final class Juggler implements AutoCloseable {

    /** Default cap on worker jobs waiting in the batch queue. */
    public static final int DEFAULT_MAX_QUEUED_JOBS = 100;
    /** Default cap on worker jobs queued or running. */
    public static final int DEFAULT_MAX_ACTIVE_JOBS = 1000;
    /** Default frames one worker job is expected to process in its life. */
    public static final long DEFAULT_FRAMES_PER_WORKER = 100_000;
    /** Default time between ticks (polite to a batch controller: one status call a minute). */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMinutes(1);
    /** Default longest wait for the cluster's status call (capped at the poll interval). */
    public static final Duration DEFAULT_STATUS_TIMEOUT = Duration.ofSeconds(20);
    /** Default number of videos staged at once. */
    public static final int DEFAULT_PARALLEL_STAGING = 2;
    /** Default number of jobs in a row that fail without progress before submissions back off. */
    public static final int DEFAULT_FAILED_JOBS_BEFORE_BACKOFF = 3;

    /** The status timeout is cut to the poll interval, but never below this. */
    static final Duration MIN_STATUS_WAIT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);

    private final WorkLedger ledger;
    private final ClusterBackend backend;
    private final VideoStager stager;
    private final JobSpec workerJob;
    private final Duration pollInterval;
    private final Clock clock;
    private final Listeners<JugglerListener> listeners = new Listeners<>();
    private final ClusterWatch cluster;
    private final WorkspaceFeeder workspace;
    private final WorkerBackoff backoff;
    private final JobBook book;
    private final WorkerSubmitter submitter;
    private final AtomicLong jobsEnded = new AtomicLong();
    private final AtomicReference<JugglerStatus> lastStatus = new AtomicReference<>();
    private final ReentrantLock tickLock = new ReentrantLock();
    private final TickLoop loop;
    private volatile boolean closed;
    // tick thread, under the tick lock: the jobs the last status showed
    private int pendingSeen;
    private int runningSeen;

    private Juggler(Builder b) {
        this.ledger = b.ledger;
        this.backend = b.backend;
        this.stager = b.stager;
        this.workerJob = b.workerJob;
        this.pollInterval = b.pollInterval;
        this.clock = b.clock;
        listeners.addAll(b.listeners);
        // A short poll interval (a demo's half second) must not turn a slow first SSH connection into an outage.
        Duration longest = pollInterval.compareTo(MIN_STATUS_WAIT) > 0 ? pollInterval : MIN_STATUS_WAIT;
        Duration statusTimeout = b.statusTimeout.compareTo(longest) > 0 ? longest : b.statusTimeout;
        this.cluster = new ClusterWatch(backend, clock, statusTimeout, this::fire);
        this.workspace = new WorkspaceFeeder(ledger, ledger, stager, clock, pollInterval, b.parallelStaging, this::fire, this::requestTick,
                b.stagingExecutor);
        this.backoff = new WorkerBackoff(b.failedJobsBeforeBackoff, pollInterval);
        this.book = new JobBook(JobBook.recordsOf(ledger), b.runKey != null ? b.runKey : workerJob.name(), workerJob,
                JobBook.graceFor(pollInterval));
        this.submitter = new WorkerSubmitter(ledger, backend, cluster, book, backoff, workerJob, b.framesPerWorker, b.maxQueuedJobs,
                b.maxActiveJobs, b.arrayConcurrency, clock, this::fire);
        this.loop = new TickLoop(this::tick, pollInterval);
    }

    /**
     * @param ledger the source of truth
     * @param backend where worker jobs run
     * @param stager the workspace the workers read videos from
     * @param workerJob what one worker job runs (the worker command and its resources)
     */
    public static Builder builder(WorkLedger ledger, ClusterBackend backend, VideoStager stager, JobSpec workerJob) {
        return new Builder(ledger, backend, stager, workerJob);
    }

    /** Starts ticking on an own thread. Idempotent. */
    public void start() {
        if (closed) {
            throw new IllegalStateException("juggler is closed");
        }
        loop.start();
    }

    /** Asks for a tick now instead of at the next poll interval. Thread-safe. */
    public void requestTick() {
        loop.wake();
    }

    /** The status published by the last tick, if there was one. */
    public Optional<JugglerStatus> status() {
        return Optional.ofNullable(lastStatus.get());
    }

    /** Runs one tick on the calling thread and returns the status it published. */
    public JugglerStatus tick() {
        tickLock.lock();
        try {
            return doTick();
        } finally {
            tickLock.unlock();
        }
    }

    /**
     * Stops ticking, staging and a status call that hangs; waits briefly for transfers to stop. Leaves
     * the ledger, backend and stager open: the caller created them. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        loop.stop();
        workspace.close();
        cluster.close();
    }

    private JugglerStatus doTick() {
        List<String> problems = new ArrayList<>();
        List<JobStatus> jobs = readJobs(problems);
        step("reap expired leases", problems, () -> {
            int reaped = ledger.reapExpired();
            if (reaped > 0) {
                fire(new JugglerEvent.LeasesReaped(reaped));
            }
        });
        if (!workspace.reconciled()) {
            step("reconcile the workspace", problems, workspace::reconcile);
        }
        step("purge finished videos", problems, workspace::purgeFinished);
        step("stage videos", problems, workspace::stageNext);
        problems.addAll(workspace.problems());
        // One progress read per tick serves the submission arithmetic and the status.
        Progress progress = readProgress(problems);
        if (jobs != null && progress != null) {
            step("submit workers", problems, () -> submitter.submit(jobs, problems, progress));
        }
        return publish(jobs, problems, progress);
    }

    private Progress readProgress(List<String> problems) {
        Progress[] progress = new Progress[1];
        // Like every step: a failure is a problem of this tick (and an event), never the end of the tick.
        step("read progress", problems, () -> progress[0] = ledger.reader().progress());
        return progress[0];
    }

    /**
     * Reads all jobs in one bounded call and revokes the leases of those that ended; {@code null} if the
     * cluster did not answer (in time).
     */
    private List<JobStatus> readJobs(List<String> problems) {
        ClusterWatch.Reading reading = cluster.read();
        if (!reading.answered()) {
            stepFailed("read job states", reading.failure(), reading.problem(), problems, false);
            return null;
        }
        List<JobStatus> jobs = reading.jobs();
        pendingSeen = JobBook.count(jobs, JobState.PENDING);
        runningSeen = JobBook.count(jobs, JobState.RUNNING);
        Instant now = clock.instant();
        List<JobBook.Ended> ended = new ArrayList<>();
        if (!step("record job states", problems, () -> ended.addAll(book.observe(jobs, now)))) {
            return null; // submitting without the records could repeat a submission
        }
        int failedBefore = backoff.failedInARow();
        for (JobBook.Ended end : ended) {
            JobStatus job = end.status();
            step("revoke leases of job " + job.jobId(), problems, () -> {
                int revoked = ledger.revokeJob(job.jobId(), "job " + job.jobId() + " ended: " + JobBook.describe(job));
                if (book.settle(job, clock.instant())) { // false: settled already (by an earlier juggler of this run)
                    jobsEnded.incrementAndGet();
                    if (!end.beforeStart()) { // a restart's inheritance says nothing about workers now
                        backoff.jobEnded(job, JobBook.describe(job));
                    }
                    fire(new JugglerEvent.JobEnded(job, revoked));
                }
            });
        }
        if (backoff.failedInARow() > failedBefore) {
            JugglerEvent.WorkersFailing failing = backoff.afterRead(failedBefore, framesDoneSinceLastTick(), now);
            if (failing != null) {
                fire(failing);
            }
        }
        return jobs;
    }

    // Whether the ledger counts more done frames than the last published status did; false if unknown.
    private boolean framesDoneSinceLastTick() {
        JugglerStatus last = lastStatus.get();
        if (last == null) {
            return false;
        }
        try {
            return ledger.estimate().doneFrames() > last.progress().frames().doneFrames();
        } catch (JugglerException e) {
            return false;
        }
    }

    private JugglerStatus publish(List<JobStatus> jobs, List<String> problems, Progress read) {
        Instant now = clock.instant();
        Progress progress = read;
        if (progress == null) {
            JugglerStatus previous = lastStatus.get();
            progress = previous != null ? previous.progress()
                    : new Progress(0, 0, 0, 0, new WorkEstimate(0, 0, 0, 0, 0));
        }
        WorkspaceUsage usage;
        try {
            usage = stager.usage();
        } catch (JugglerException e) {
            problems.add("workspace: " + e.getMessage());
            usage = new WorkspaceUsage(0, 0, 0);
        }
        // Submitted jobs the backend has not shown yet are queued as far as anyone can tell.
        JugglerStatus status = new JugglerStatus(now, pendingSeen + book.unshown(), runningSeen, jobsEnded.get(),
                submitter.submitted(), progress, usage, workspace.staging(), workspace.staged(), workspace.purged(),
                cluster.unavailableSince(), now.plus(pollInterval), problems, workspace.waiting());
        lastStatus.set(status);
        book.report(status);
        listeners.fire(l -> l.onStatus(status));
        return status;
    }

    /** Runs a step; a failure is reported (see {@link #stepFailed}) and {@code false} returned. */
    private boolean step(String name, List<String> problems, Runnable action) {
        try {
            action.run();
            return true;
        } catch (JugglerException e) {
            stepFailed(name, e, name + ": " + e.getMessage(), problems, false);
        } catch (RuntimeException e) {
            JugglerException wrapped = JugglerException.permanentFailure(name + " failed: " + e, e);
            stepFailed(name, wrapped, wrapped.getMessage(), problems, true);
        }
        return false;
    }

    /** One WARN line (with the stack trace if unexpected), one status problem and one event per failed step. */
    private void stepFailed(String name, JugglerException error, String problem, List<String> problems, boolean unexpected) {
        if (unexpected) {
            LOG.warn("{} failed unexpectedly (retried next tick): {}", name, error.getMessage(), error);
        } else {
            LOG.warn("{} failed (retried next tick): {}", name, error.getMessage());
        }
        problems.add(problem);
        fire(new JugglerEvent.StepFailed(name, error));
    }

    private void fire(JugglerEvent event) {
        if (!listeners.isEmpty()) {
            listeners.fire(l -> l.onEvent(event));
        }
    }

    /** Configures a {@link Juggler}; setters check their values. Not thread-safe. */
    public static final class Builder {
        private final WorkLedger ledger;
        private final ClusterBackend backend;
        private final VideoStager stager;
        private final JobSpec workerJob;
        private int maxQueuedJobs = DEFAULT_MAX_QUEUED_JOBS;
        private int maxActiveJobs = DEFAULT_MAX_ACTIVE_JOBS;
        private long framesPerWorker = DEFAULT_FRAMES_PER_WORKER;
        private int arrayConcurrency;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration statusTimeout = DEFAULT_STATUS_TIMEOUT;
        private int parallelStaging = DEFAULT_PARALLEL_STAGING;
        private int failedJobsBeforeBackoff = DEFAULT_FAILED_JOBS_BEFORE_BACKOFF;
        private Clock clock = Clock.systemUTC();
        private Executor stagingExecutor;
        private String runKey;
        private final List<JugglerListener> listeners = new ArrayList<>();

        private Builder(WorkLedger ledger, ClusterBackend backend, VideoStager stager, JobSpec workerJob) {
            this.ledger = InvalidConfigException.required(ledger, "ledger");
            this.backend = InvalidConfigException.required(backend, "backend");
            this.stager = InvalidConfigException.required(stager, "stager");
            this.workerJob = InvalidConfigException.required(workerJob, "workerJob");
        }

        /** Most worker jobs waiting in the batch queue at once; default 100. */
        public Builder maxQueuedJobs(int jobs) {
            if (jobs < 1) {
                throw InvalidConfigException.of("maxQueuedJobs", jobs, "must be >= 1");
            }
            this.maxQueuedJobs = jobs;
            return this;
        }

        /** Most worker jobs queued or running at once; default 1000. */
        public Builder maxActiveJobs(int jobs) {
            if (jobs < 1) {
                throw InvalidConfigException.of("maxActiveJobs", jobs, "must be >= 1");
            }
            this.maxActiveJobs = jobs;
            return this;
        }

        /** Frames one worker job is expected to do; sizes how many jobs the claimable frames justify. */
        public Builder framesPerWorker(long frames) {
            if (frames < 1) {
                throw InvalidConfigException.of("framesPerWorker", frames, "must be >= 1");
            }
            this.framesPerWorker = frames;
            return this;
        }

        /** Cap on concurrently running tasks of one submitted array; 0 (default) for none. */
        public Builder arrayConcurrency(int tasks) {
            if (tasks < 0) {
                throw InvalidConfigException.of("arrayConcurrency", tasks, "must be >= 0");
            }
            this.arrayConcurrency = tasks;
            return this;
        }

        /** Time between ticks; default 1 minute, at least 100 ms. */
        public Builder pollInterval(Duration interval) {
            if (interval == null || interval.compareTo(Duration.ofMillis(100)) < 0) {
                throw InvalidConfigException.of("pollInterval", interval, "must be at least 100 ms");
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Longest wait of a tick for the cluster's status call (see the class comment); default 20 s, and
         * never more than the poll interval or 10 s, whichever is longer (a longer value is cut to it).
         * At least 1 ms.
         */
        public Builder statusTimeout(Duration timeout) {
            if (timeout == null || timeout.compareTo(Duration.ofMillis(1)) < 0) {
                throw InvalidConfigException.of("statusTimeout", timeout, "must be at least 1 ms");
            }
            this.statusTimeout = timeout;
            return this;
        }

        /** Videos staged at once; default 2. */
        public Builder parallelStaging(int transfers) {
            if (transfers < 1 || transfers > 64) {
                throw InvalidConfigException.of("parallelStaging", transfers, "must be in 1..64");
            }
            this.parallelStaging = transfers;
            return this;
        }

        /**
         * Worker jobs that must end FAILED or OUT_OF_MEMORY in a row, with no frame done meanwhile, before
         * submissions back off (see the class comment); default 3.
         */
        public Builder failedJobsBeforeBackoff(int jobs) {
            if (jobs < 1) {
                throw InvalidConfigException.of("failedJobsBeforeBackoff", jobs, "must be >= 1");
            }
            this.failedJobsBeforeBackoff = jobs;
            return this;
        }

        /**
         * The key under which this juggler's jobs are recorded, the same for every restart of one run (see the
         * class comment); default: the worker job's name. 1..200 characters.
         */
        public Builder runKey(String key) {
            if (key == null || key.isBlank() || key.length() > 200) {
                throw InvalidConfigException.of("runKey", key, "must be 1..200 characters, not blank");
            }
            this.runKey = key;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = InvalidConfigException.required(value, "clock");
            return this;
        }

        /**
         * Runs staging transfers on the host's executor instead of on own threads ({@code juggler-stage-*}); the
         * juggler then neither shuts it down nor waits for it on close. It must run at least
         * {@link #parallelStaging} tasks at once. For hosts with their own thread management, and for
         * {@code dev.juggler.sim}, whose executor runs transfers in simulated time.
         */
        public Builder stagingExecutor(Executor executor) {
            this.stagingExecutor = InvalidConfigException.required(executor, "stagingExecutor");
            return this;
        }

        public Builder listener(JugglerListener listener) {
            listeners.add(InvalidConfigException.required(listener, "listener"));
            return this;
        }

        public Juggler build() {
            return new Juggler(this);
        }
    }
}
