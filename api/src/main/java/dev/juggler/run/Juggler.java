package dev.juggler.run;

import dev.juggler.InvalidConfigException;
import dev.juggler.JugglerException;
import dev.juggler.UnavailableException;
import dev.juggler.cluster.ClusterBackend;
import dev.juggler.cluster.JobSpec;
import dev.juggler.cluster.JobState;
import dev.juggler.cluster.JobStatus;
import dev.juggler.internal.Listeners;
import dev.juggler.internal.NamedThreadFactory;
import dev.juggler.ledger.Progress;
import dev.juggler.ledger.StageState;
import dev.juggler.ledger.VideoRecord;
import dev.juggler.ledger.WorkLedger;
import dev.juggler.stage.StageListener;
import dev.juggler.stage.StagedVideo;
import dev.juggler.stage.VideoStager;
import dev.juggler.stage.WorkspaceFullException;
import dev.juggler.stage.WorkspaceUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop that keeps a batch cluster busy: every tick it reads the state of all its jobs in one
 * call and revokes the leases of jobs that ended, reaps expired leases, purges finished videos, stages
 * the next videos within the workspace budget (in the background), submits as many workers as the
 * claimable frames justify up to the queue cap, and publishes a {@link JugglerStatus}.
 *
 * <p>A failing backend, stager or ledger never stops the loop: the step is reported in the status and as
 * a {@link JugglerEvent.StepFailed} event and retried on the next tick.
 *
 * <p>Workers that keep failing do not make it submit ever more of them: once
 * {@link Builder#failedJobsBeforeBackoff} jobs in a row have ended FAILED or OUT_OF_MEMORY while no frame
 * got done, it waits a poll interval before submitting again, doubling up to an hour, and says so in the
 * status and with a {@link JugglerEvent.WorkersFailing} event (a worker that cannot start, say, because its
 * node lacks the model, would otherwise fill the batch queue with jobs that fail at once). A job that
 * completes, or frames getting done, end the backoff.
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
    /** Default number of videos staged at once. */
    public static final int DEFAULT_PARALLEL_STAGING = 2;
    /** Default number of jobs in a row that fail without progress before submissions back off. */
    public static final int DEFAULT_FAILED_JOBS_BEFORE_BACKOFF = 3;

    private static final Logger LOG = LoggerFactory.getLogger(Juggler.class);
    /** Longest wait before staging a video again after it failed, or before submitting after failed workers. */
    static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);

    private final WorkLedger ledger;
    private final ClusterBackend backend;
    private final VideoStager stager;
    private final JobSpec workerJob;
    private final int maxQueuedJobs;
    private final int maxActiveJobs;
    private final long framesPerWorker;
    private final int arrayConcurrency;
    private final Duration pollInterval;
    private final int parallelStaging;
    private final int failedJobsBeforeBackoff;
    private final Clock clock;
    private final Listeners<JugglerListener> listeners = new Listeners<>();
    private final ExecutorService stagingThreads;
    /** Transfers this juggler started and that have not ended: video id to bytes. */
    private final Map<String, Long> staging = new ConcurrentHashMap<>();
    /** Videos whose staging failed: when to try again and how often it failed in a row. */
    private final Map<String, StageRetry> stageRetries = new ConcurrentHashMap<>();
    private final Set<String> settledJobs = new HashSet<>();
    private final AtomicLong jobsSubmitted = new AtomicLong();
    private final AtomicLong jobsEnded = new AtomicLong();
    private final AtomicLong videosStaged = new AtomicLong();
    private final AtomicLong videosPurged = new AtomicLong();
    private final AtomicReference<JugglerStatus> lastStatus = new AtomicReference<>();
    private final ReentrantLock tickLock = new ReentrantLock();
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wake = wakeLock.newCondition();
    private boolean wakeRequested;
    private volatile boolean closed;
    private Thread loopThread;
    private Instant unavailableSince;
    private boolean reconciled;
    // Worker jobs that failed in a row without progress, and the submission backoff they caused (tick thread).
    private int failedJobsInARow;
    private String lastJobFailure;
    private int backoffSteps;
    private Instant submitNotBefore;

    private Juggler(Builder b) {
        this.ledger = b.ledger;
        this.backend = b.backend;
        this.stager = b.stager;
        this.workerJob = b.workerJob;
        this.maxQueuedJobs = b.maxQueuedJobs;
        this.maxActiveJobs = b.maxActiveJobs;
        this.framesPerWorker = b.framesPerWorker;
        this.arrayConcurrency = b.arrayConcurrency;
        this.pollInterval = b.pollInterval;
        this.parallelStaging = b.parallelStaging;
        this.failedJobsBeforeBackoff = b.failedJobsBeforeBackoff;
        this.clock = b.clock;
        listeners.addAll(b.listeners);
        this.stagingThreads = Executors.newFixedThreadPool(parallelStaging, new NamedThreadFactory("juggler-stage"));
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
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("juggler is closed");
        }
        if (loopThread != null) {
            return;
        }
        loopThread = new NamedThreadFactory("juggler-loop").newThread(this::loop);
        loopThread.start();
    }

    /** Asks for a tick now instead of at the next poll interval. Thread-safe. */
    public void requestTick() {
        wakeLock.lock();
        try {
            wakeRequested = true;
            wake.signalAll();
        } finally {
            wakeLock.unlock();
        }
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
     * Stops ticking and staging; waits briefly for transfers to stop. Leaves the ledger, backend and
     * stager open: the caller created them. Idempotent.
     */
    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            thread = loopThread;
        }
        requestTick();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stagingThreads.shutdownNow();
        try {
            stagingThreads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.error("juggler tick failed unexpectedly; next tick in {}", pollInterval, e);
            }
            wakeLock.lock();
            try {
                long waitNanos = pollInterval.toNanos();
                while (!wakeRequested && !closed && waitNanos > 0) {
                    waitNanos = wake.awaitNanos(waitNanos);
                }
                wakeRequested = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                wakeLock.unlock();
            }
        }
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
        if (!reconciled) {
            step("reconcile the workspace", problems, this::reconcileWorkspace);
        }
        step("purge finished videos", problems, this::purgeFinished);
        step("stage videos", problems, this::stageNext);
        if (jobs != null) {
            step("submit workers", problems, () -> submitWorkers(jobs, problems));
        }
        return publish(jobs, problems);
    }

    /** Reads all jobs in one call and revokes the leases of those that ended; {@code null} if unreachable. */
    private List<JobStatus> readJobs(List<String> problems) {
        List<JobStatus> jobs;
        try {
            jobs = backend.status();
        } catch (JugglerException e) {
            if (unavailableSince == null) {
                unavailableSince = e instanceof UnavailableException u ? u.since().orElse(clock.instant()) : clock.instant();
            }
            problems.add("cluster: " + e.getMessage());
            fire(new JugglerEvent.StepFailed("read job states", e));
            return null;
        }
        unavailableSince = null;
        int failedBefore = failedJobsInARow;
        for (JobStatus job : jobs) {
            if (job.state().isTerminal() && !settledJobs.contains(job.jobId())) {
                step("revoke leases of job " + job.jobId(), problems, () -> {
                    int revoked = ledger.revokeJob(job.jobId(), "job " + job.jobId() + " ended: " + describe(job));
                    settledJobs.add(job.jobId());
                    jobsEnded.incrementAndGet();
                    noteJobEnd(job);
                    fire(new JugglerEvent.JobEnded(job, revoked));
                });
            }
        }
        if (failedJobsInARow > failedBefore && framesDoneSinceLastTick()) {
            endBackoff(); // frames got done meanwhile: these failures are not every worker's
        }
        // One backoff step per tick, however many jobs of an array failed together.
        if (failedJobsInARow > failedBefore && failedJobsInARow >= failedJobsBeforeBackoff) {
            backoffSteps++;
            submitNotBefore = clock.instant().plus(backoffDelay(pollInterval, backoffSteps));
            LOG.warn("{} worker jobs in a row failed without progress (last: {}); next submission not before {}",
                    failedJobsInARow, lastJobFailure, submitNotBefore);
            fire(new JugglerEvent.WorkersFailing(failedJobsInARow, lastJobFailure, submitNotBefore));
        }
        return jobs;
    }

    private void noteJobEnd(JobStatus job) {
        switch (job.state()) {
            case COMPLETED -> endBackoff();
            case FAILED, OUT_OF_MEMORY -> {
                failedJobsInARow++;
                lastJobFailure = "job " + job.jobId() + " " + describe(job);
            }
            default -> {
                // cancelled, timed out, preempted, node failure, gone: the cluster's doing, not the worker's
            }
        }
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

    private void endBackoff() {
        failedJobsInARow = 0;
        backoffSteps = 0;
        submitNotBefore = null;
    }

    private static String describe(JobStatus job) {
        StringBuilder text = new StringBuilder(job.state().name()).append(" (").append(job.nativeState());
        job.exitCode().ifPresent(code -> text.append(", exit ").append(code));
        job.reason().ifPresent(reason -> text.append(", ").append(reason));
        return text.append(')').toString();
    }

    /** After a restart, what the stager really holds is the truth about which videos are staged. */
    private void reconcileWorkspace() {
        for (StagedVideo staged : stager.list()) {
            Optional<VideoRecord> record = ledger.video(staged.videoId());
            if (record.isPresent() && record.get().stageState() != StageState.STAGED) {
                ledger.markStage(staged.videoId(), StageState.STAGED, Optional.of(staged.location()), Optional.empty());
            }
        }
        reconciled = true;
    }

    private void purgeFinished() {
        for (VideoRecord video : ledger.videosToPurge()) {
            String id = video.video().id();
            stager.purge(id);
            ledger.markStage(id, StageState.PURGED, Optional.empty(), Optional.empty());
            videosPurged.incrementAndGet();
            fire(new JugglerEvent.VideoPurged(id));
        }
    }

    private void stageNext() {
        if (closed || staging.size() >= parallelStaging) {
            return;
        }
        // The stager counts a transfer only once it has started, so a transfer queued here but not yet
        // started would otherwise be invisible and the plan could overbook the budget.
        WorkspaceUsage usage = stager.usage();
        long inFlight = staging.values().stream().mapToLong(Long::longValue).sum();
        long free = Math.max(0, usage.budgetBytes() - usage.usedBytes() - Math.max(usage.reservedBytes(), inFlight));
        for (VideoRecord candidate : ledger.videosToStage(parallelStaging * 4)) {
            if (staging.size() >= parallelStaging) {
                break;
            }
            String id = candidate.video().id();
            StageRetry retry = stageRetries.get(id);
            if (staging.containsKey(id) || (retry != null && clock.instant().isBefore(retry.notBefore()))) {
                continue;
            }
            long size = candidate.video().sizeBytes();
            if (size > free) {
                // Plan order is kept: a large video is not overtaken by smaller ones, or it might starve.
                break;
            }
            free -= size;
            staging.put(id, size);
            stagingThreads.execute(() -> stageOne(candidate));
        }
    }

    private void stageOne(VideoRecord candidate) {
        String id = candidate.video().id();
        try {
            StagedVideo staged = stager.stage(candidate.video(), StageListener.NONE);
            ledger.markStage(id, StageState.STAGED, Optional.of(staged.location()), Optional.empty());
            videosStaged.incrementAndGet();
            stageRetries.remove(id);
            fire(new JugglerEvent.VideoStaged(id, staged.location(), staged.sizeBytes()));
        } catch (WorkspaceFullException e) {
            LOG.debug("video {} waits for workspace space: {}", id, e.getMessage());
        } catch (JugglerException e) {
            StageRetry retry = stageRetries.merge(id, StageRetry.first(clock.instant(), pollInterval),
                    (old, fresh) -> old.next(clock.instant(), pollInterval));
            LOG.warn("staging video {} failed ({} time(s) in a row; next try after {}): {}", id, retry.failures(),
                    retry.notBefore(), e.getMessage());
            try {
                ledger.markStage(id, StageState.STAGE_FAILED, Optional.empty(), Optional.of(e.getMessage()));
            } catch (JugglerException again) {
                LOG.warn("cannot record the staging failure of {}: {}", id, again.getMessage());
            }
            fire(new JugglerEvent.StagingFailed(id, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("staging video {} failed unexpectedly", id, e);
            fire(new JugglerEvent.StagingFailed(id, e.toString()));
        } finally {
            staging.remove(id);
            if (!closed) {
                requestTick();
            }
        }
    }

    /** Exponential backoff for a video that failed to stage: a poll interval, doubling, at most an hour. */
    private record StageRetry(int failures, Instant notBefore) {
        static StageRetry first(Instant now, Duration base) {
            return new StageRetry(1, now.plus(base));
        }

        StageRetry next(Instant now, Duration base) {
            int count = failures + 1;
            return new StageRetry(count, now.plus(backoffDelay(base, count)));
        }
    }

    /** {@code base} doubled for each attempt after the first, at most {@link #MAX_RETRY_DELAY}. */
    static Duration backoffDelay(Duration base, int attempt) {
        Duration delay = base.multipliedBy(1L << Math.min(attempt - 1, 20));
        return delay.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay;
    }

    private void submitWorkers(List<JobStatus> jobs, List<String> problems) {
        if (submitNotBefore != null && clock.instant().isBefore(submitNotBefore)) {
            problems.add("workers failing: " + failedJobsInARow + " jobs in a row ended without progress (last: "
                    + lastJobFailure + "); next submission not before " + submitNotBefore);
            return;
        }
        int pending = count(jobs, JobState.PENDING);
        int active = pending + count(jobs, JobState.RUNNING);
        long claimable = ledger.estimate().claimableFrames();
        long justified = (claimable + framesPerWorker - 1) / framesPerWorker - pending;
        long wanted = Math.min(justified, Math.min(maxQueuedJobs - pending, maxActiveJobs - active));
        if (wanted <= 0) {
            return;
        }
        List<String> ids = backend.submit(workerJob, (int) wanted, arrayConcurrency);
        jobsSubmitted.addAndGet(ids.size());
        LOG.info("submitted {} worker job(s) for {} claimable frames: {}", ids.size(), claimable, ids);
        fire(new JugglerEvent.JobsSubmitted(ids));
    }

    private static int count(List<JobStatus> jobs, JobState state) {
        int n = 0;
        for (JobStatus job : jobs) {
            if (job.state() == state) {
                n++;
            }
        }
        return n;
    }

    private JugglerStatus publish(List<JobStatus> jobs, List<String> problems) {
        Instant now = clock.instant();
        Progress progress;
        try {
            progress = ledger.reader().progress();
        } catch (JugglerException e) {
            problems.add("ledger: " + e.getMessage());
            JugglerStatus previous = lastStatus.get();
            progress = previous != null ? previous.progress()
                    : new Progress(0, 0, 0, 0, new dev.juggler.ledger.WorkEstimate(0, 0, 0, 0, 0));
        }
        WorkspaceUsage usage;
        try {
            usage = stager.usage();
        } catch (JugglerException e) {
            problems.add("workspace: " + e.getMessage());
            usage = new WorkspaceUsage(0, 0, 0);
        }
        int pending = jobs == null ? lastJobs(true) : count(jobs, JobState.PENDING);
        int running = jobs == null ? lastJobs(false) : count(jobs, JobState.RUNNING);
        JugglerStatus status = new JugglerStatus(now, pending, running, jobsEnded.get(), jobsSubmitted.get(), progress, usage,
                staging.size(), videosStaged.get(), videosPurged.get(), Optional.ofNullable(unavailableSince),
                now.plus(pollInterval), problems);
        lastStatus.set(status);
        listeners.fire(l -> l.onStatus(status));
        return status;
    }

    private int lastJobs(boolean pending) {
        JugglerStatus previous = lastStatus.get();
        if (previous == null) {
            return 0;
        }
        return pending ? previous.jobsPending() : previous.jobsRunning();
    }

    private void step(String name, List<String> problems, Runnable action) {
        try {
            action.run();
        } catch (JugglerException e) {
            LOG.warn("{} failed (retried next tick): {}", name, e.getMessage());
            problems.add(name + ": " + e.getMessage());
            fire(new JugglerEvent.StepFailed(name, e));
        } catch (RuntimeException e) {
            LOG.error("{} failed unexpectedly (retried next tick)", name, e);
            JugglerException wrapped = new JugglerException(name + " failed: " + e, false, e);
            problems.add(wrapped.getMessage());
            fire(new JugglerEvent.StepFailed(name, wrapped));
        }
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
        private int parallelStaging = DEFAULT_PARALLEL_STAGING;
        private int failedJobsBeforeBackoff = DEFAULT_FAILED_JOBS_BEFORE_BACKOFF;
        private Clock clock = Clock.systemUTC();
        private final List<JugglerListener> listeners = new ArrayList<>();

        private Builder(WorkLedger ledger, ClusterBackend backend, VideoStager stager, JobSpec workerJob) {
            this.ledger = Objects.requireNonNull(ledger, "ledger");
            this.backend = Objects.requireNonNull(backend, "backend");
            this.stager = Objects.requireNonNull(stager, "stager");
            this.workerJob = Objects.requireNonNull(workerJob, "workerJob");
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

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Builder listener(JugglerListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public Juggler build() {
            return new Juggler(this);
        }
    }
}
